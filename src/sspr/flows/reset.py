""" "Get back into your account": who are you (behind a CAPTCHA, which the web layer checks),
why (forgot the password, or locked out), one or two verification steps, then a new password
or the unlock. A user ID we cannot help (unknown, disabled, nothing registered) runs on
stand-in methods through the same steps, limits and answers, and never passes."""

from collections.abc import MutableMapping
from datetime import timedelta

from django.conf import settings

from sspr.actors import Actor
from sspr.audit.models import Outcome, Reason, Tag, record
from sspr.directory.base import DirectoryUser
from sspr.limits import Limit
from sspr.methods.attempts import Budget
from sspr.methods.kinds import kind
from sspr.methods.models import Method
from sspr.methods.rules import rules_for
from sspr.services import accounts, passwords, people
from sspr.services.errors import NotRegistered, TooManyAttempts

from .decoys import decoy_methods
from .engine import Flow
from .methods import allowed_methods, strongest_first
from .verification import Verification

PLAN = "reset"
REASONS = {"forgot": "new_password", "unlock": "unlock"}  # the reason chosen -> the last step


def failures_per_user_id() -> Limit:
    """Failed verifications of a user ID's resets in a day (Entra's rule): what is counted is a
    wrong answer, never a start, so nobody blocks another's reset by typing their user ID."""
    return Limit("reset-failure:user-id", settings.CONFIG.reset.resets_per_day, timedelta(hours=24))


def starts_per_ip() -> Limit:
    return Limit("reset:ip", settings.CONFIG.reset.resets_per_ip_per_hour, timedelta(hours=1))


def budget(flow: Flow) -> Budget:
    """Kept under the user ID typed, for real accounts and stand-ins alike."""
    return Budget(failures_per_user_id(), f"reset:{flow.user_id}")


def start(session: MutableMapping, actor: Actor, user_id: str) -> Flow:
    """A new flow for the user ID typed (the same for every user ID, real or not). Raises
    TooManyAttempts, or NotRegistered where the operator chose to say so."""
    decision = starts_per_ip().acquire(actor.client_ip or "unknown")
    if not decision:
        raise TooManyAttempts(decision.retry_after)
    person, user = people.enabled_account(user_id)
    methods = allowed_methods(user.pk, person.groups, for_signin=False) if person and user else []
    if person is not None and not completable(methods, steps_for(person.groups)):
        # Too little registered to pass: helped no more than a stranger, unless told to say why.
        if settings.CONFIG.reset.explain_unregistered:
            record(actor, Tag.RESET_START, subject=user_id, outcome=Outcome.REFUSED, reason=Reason.CANNOT_HELP)
            raise NotRegistered()
        person, user = None, None
    record(actor, Tag.RESET_START, subject=user_id, outcome=Outcome.STARTED if user else Outcome.REFUSED,
           reason=None if user else Reason.CANNOT_HELP)
    return Flow.start(session, PLAN, lifetime=settings.CONFIG.reset.flow_minutes * 60, user_id=user_id,
                      user_pk=user.pk if user else None, steps=["reason"],
                      groups=list(person.groups) if person else [])


def resume(session: MutableMapping) -> Flow:
    """Raises FlowRefused."""
    return Flow.resume(session, PLAN)


def steps_for(groups) -> int:
    if set(groups) & set(settings.CONFIG.reset.admin_groups):
        return 2  # administrators always prove two things
    return rules_for(groups).reset_steps


def steps_required(flow: Flow) -> int:
    return steps_for(flow.get("groups", []))


def give_reason(flow: Flow, reason: str) -> None:
    verifications = [f"verify{n}" for n in range(1, steps_required(flow) + 1)]
    flow.passed("reason", reason=reason)
    flow.add_steps([*verifications, REASONS[reason]])


def verification_count(flow: Flow) -> int:
    return sum(1 for name in flow.steps if name.startswith("verify"))


def verification_number(flow: Flow) -> int:
    return sum(1 for step in flow.state["passed"] if step.startswith("verify")) + 1


def at_verification(flow: Flow) -> bool:
    return flow.current.startswith("verify")


def offered(methods: list[Method], used: set[str], number: int, count: int) -> list[Method]:
    """What verification step `number` of `count` may use, of a person's allowed methods, when
    `used` kinds have passed already. A reset never takes a weaker path than the person set up:
    - whoever has an authenticator app or passkey (a strong kind) uses one in every reset;
    - one step offers only their methods of the highest assurance they have, so security
      questions are never the only step, nor an emailed code for someone with a phone;
    - two steps use two different kinds (so questions are at most one of them)."""
    left = [m for m in methods if m.kind not in used]
    if count == 1:
        best = max((kind(m.kind).assurance for m in methods), default=0)
        return [m for m in left if best > 0 and kind(m.kind).assurance == best]
    owns_strong = any(kind(m.kind).strong for m in methods)
    if number == count and owns_strong and not any(kind(name).strong for name in used):
        return [m for m in left if kind(m.kind).strong]
    return left


def completable(methods: list[Method], count: int) -> bool:
    """Whether someone with these methods can pass every step of a reset of `count` steps."""
    if count == 1:
        return bool(offered(methods, set(), 1, 1))
    return any(offered(methods, {first.kind}, 2, 2) for first in offered(methods, set(), 1, 2))


def methods_for(flow: Flow) -> list[Method]:
    """What this verification step may use (offered()), the strongest first."""
    if flow.user_pk is None:
        methods = decoy_methods(flow.user_id)
    else:
        methods = allowed_methods(flow.user_pk, flow.get("groups", []), for_signin=False)
    used = {entry["kind"] for entry in flow.used}
    return strongest_first(offered(methods, used, verification_number(flow), verification_count(flow)))


def verification(flow: Flow, actor: Actor, *, language: str = "") -> Verification:
    return Verification(flow, actor, methods_for(flow), purpose=PLAN, budget=budget(flow), language=language,
                        confirm_destinations=True)


def verified(flow: Flow, method: Method) -> None:
    flow.passed(flow.current, used=[*flow.used, {"method": method.pk, "kind": method.kind}])


def person_of(flow: Flow) -> DirectoryUser:
    return people.find(flow.user_id)


def unlock(flow: Flow, actor: Actor) -> None:
    flow.require("unlock")
    accounts.unlock(actor.as_user(flow.user_id), person_of(flow))
    flow.end()


def set_new_password(flow: Flow, actor: Actor, new_password: str) -> passwords.PasswordSet:
    """Raises PasswordRefused; the flow goes on until a password is accepted."""
    flow.require("new_password")
    result = passwords.set_password(actor.as_user(flow.user_id), person_of(flow), new_password)
    flow.end()
    return result


def cancel(session: MutableMapping) -> None:
    Flow(session, PLAN, {}).end()
