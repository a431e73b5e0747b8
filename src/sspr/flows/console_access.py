"""The console's own second step: a console page needs this session's sign-in to have passed a
second step of a kind in `console.second_step` (an authenticator app or passkey by default). A
session that signed in otherwise (a remembered device, a text message) proves one here first."""

from collections.abc import MutableMapping

from django.conf import settings

from sspr.accounts.models import User
from sspr.actors import Actor
from sspr.methods.attempts import Budget
from sspr.methods.models import Method

from .engine import Flow
from .methods import allowed_methods
from .verification import Verification

PLAN = "console"
PENDING_SECONDS = 10 * 60
PROVED = "second_step"   # the session key naming the kind its second step was passed with


def proved(session: MutableMapping, method: Method) -> None:
    """The session passed a second step with this method (at sign-in, or here)."""
    session[PROVED] = method.kind


def is_open(session: MutableMapping) -> bool:
    return session.get(PROVED, "") in settings.CONFIG.console.second_step


def methods(user: User, groups) -> list[Method]:
    return [m for m in allowed_methods(user.pk, groups, for_signin=True)
            if m.kind in settings.CONFIG.console.second_step]


def begin(session: MutableMapping, user: User, groups) -> Flow:
    flow = Flow.find(session, PLAN)
    if flow is not None and flow.user_pk == user.pk:
        return flow
    return Flow.start(session, PLAN, lifetime=PENDING_SECONDS, user_id=user.user_id, user_pk=user.pk,
                      steps=["verify"], groups=list(groups))


def verification(flow: Flow, actor: Actor, user: User, *, language: str = "") -> Verification:
    return Verification(flow, actor, methods(user, flow.get("groups", [])), purpose=PLAN,
                        budget=Budget.of(PLAN, flow.person_pk), language=language)


def finish(flow: Flow, method: Method) -> None:
    flow.passed("verify", used=[{"method": method.pk, "kind": method.kind}])
    flow.end()
    proved(flow.session, method)
