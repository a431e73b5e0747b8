"""Sign-in: the password, then (for someone with a method that serves as a second step, on a
browser not remembered) the verification step. The password step passes before the flow starts."""

from collections.abc import MutableMapping

from sspr.accounts.models import User
from sspr.actors import Actor
from sspr.methods import devices
from sspr.methods.attempts import Budget
from sspr.methods.models import Method

from .engine import Flow
from .methods import allowed_methods
from .verification import Verification

PLAN = "signin"
PENDING_SECONDS = 10 * 60    # how long a half-finished sign-in waits for its second step


def needs_second_step(user: User, groups, device_token: str) -> bool:
    return bool(allowed_methods(user.pk, groups, for_signin=True)) and not devices.is_remembered(device_token, user)


def begin(session: MutableMapping, user: User, groups, *, must_change: bool) -> Flow:
    return Flow.start(session, PLAN, lifetime=PENDING_SECONDS, user_id=user.user_id, user_pk=user.pk,
                      steps=["password", "verify"], passed=("password",), groups=list(groups),
                      must_change=must_change)


def pending(session: MutableMapping) -> Flow | None:
    return Flow.find(session, PLAN)


def verification(flow: Flow, actor: Actor, *, language: str = "") -> Verification:
    return Verification(flow, actor, allowed_methods(flow.user_pk, flow.get("groups", []), for_signin=True),
                        purpose=PLAN, budget=Budget.of(PLAN, flow.person_pk), language=language)


def finish(flow: Flow, method: Method) -> User | None:
    """The verification passed: the flow ends, and the person may be signed in."""
    flow.passed("verify", used=[{"method": method.pk, "kind": method.kind}])
    flow.end()
    if flow.user_pk is None:  # sign-in flows always have one; the type allows stand-ins
        return None
    return User.objects.filter(pk=flow.user_pk, is_active=True).first()
