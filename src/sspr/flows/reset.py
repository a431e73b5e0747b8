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
from sspr.methods.kinds import kind
from sspr.methods.models import Method
from sspr.methods.rules import rules_for
from sspr.services import accounts, passwords, people
from sspr.services.errors import TooManyAttempts

from .decoys import decoy_methods
from .engine import Flow
from .methods import allowed_methods, strongest_first
from .verification import Verification

PLAN = "reset"
REASONS = {"forgot": "new_password", "unlock": "unlock"}  # the reason chosen -> the last step


def resets_per_user_id() -> Limit:
    return Limit("reset:user", settings.CONFIG.reset.resets_per_day, timedelta(hours=24))


def resets_per_ip() -> Limit:
    return Limit("reset:ip", settings.CONFIG.reset.resets_per_ip_per_hour, timedelta(hours=1))


def start(session: MutableMapping, actor: Actor, user_id: str) -> Flow:
    """A new flow for the user ID typed (the same for every user ID, real or not). Raises
    TooManyAttempts."""
    for limit, key in ((resets_per_user_id(), user_id), (resets_per_ip(), actor.client_ip or "unknown")):
        if wait := limit.peek(key):
            raise TooManyAttempts(wait)
    for limit, key in ((resets_per_user_id(), user_id), (resets_per_ip(), actor.client_ip or "unknown")):
        limit.acquire(key)
    person, user = people.helpable(user_id)
    record(actor, Tag.RESET_START, subject=user_id, outcome=Outcome.STARTED if user else Outcome.REFUSED,
           reason=None if user else Reason.CANNOT_HELP)
    return Flow.start(session, PLAN, lifetime=settings.CONFIG.reset.flow_minutes * 60, user_id=user_id,
                      user_pk=user.pk if user else None, steps=["reason"],
                      groups=list(person.groups) if person else [])


def resume(session: MutableMapping) -> Flow:
    """Raises FlowRefused."""
    return Flow.resume(session, PLAN)


def steps_required(flow: Flow) -> int:
    groups = flow.get("groups", [])
    if set(groups) & set(settings.CONFIG.reset.admin_groups):
        return 2  # administrators always prove two things
    return rules_for(groups).reset_steps


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


def methods_for(flow: Flow) -> list[Method]:
    """What this verification step may use: registered methods not yet used, and, on the last
    of two steps, a strong method when the person has one and has not used it yet."""
    if flow.user_pk is None:
        methods = decoy_methods(flow.user_id)
    else:
        methods = allowed_methods(flow.user_pk, flow.get("groups", []), for_signin=False)
    used = {entry["kind"] for entry in flow.used}
    methods = [m for m in methods if m.kind not in used]
    last_step = verification_number(flow) == verification_count(flow) > 1
    used_strong = any(kind(name).strong for name in used)
    if last_step and not used_strong and any(kind(m.kind).strong for m in methods):
        methods = [m for m in methods if kind(m.kind).strong]
    return strongest_first(methods)


def verification(flow: Flow, actor: Actor, *, language: str = "") -> Verification:
    return Verification(flow, actor, methods_for(flow), purpose=PLAN, language=language, confirm_destinations=True)


def verified(flow: Flow, method: Method) -> None:
    flow.passed(flow.current, used=[*flow.used, {"method": method.pk, "kind": method.kind}])


def person_of(flow: Flow) -> DirectoryUser:
    return people.find(flow.user_id)


def unlock(flow: Flow, actor: Actor) -> None:
    flow.require("unlock")
    accounts.unlock(actor.as_user(flow.user_id), person_of(flow))
    flow.end()


def set_new_password(flow: Flow, actor: Actor, new_password: str) -> None:
    """Raises PasswordRefused; the flow goes on until a password is accepted."""
    flow.require("new_password")
    passwords.set_password(actor.as_user(flow.user_id), person_of(flow), new_password)
    flow.end()


def cancel(session: MutableMapping) -> None:
    Flow(session, PLAN, {}).end()
