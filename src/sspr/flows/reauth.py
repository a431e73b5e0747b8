"""Re-authentication before security info changes: the password again, then a second step for
someone who has one. A pass opens security info for a few minutes."""

import time
from collections.abc import MutableMapping

from sspr.accounts.models import User
from sspr.actors import Actor
from sspr.methods.attempts import Budget

from .engine import Flow
from .methods import allowed_methods
from .verification import Verification

PLAN = "security-info"
PENDING_SECONDS = 10 * 60
FRESH_SECONDS = 15 * 60      # how long a re-authentication opens security info
FRESH_UNTIL = "security_info_until"


def is_fresh(session: MutableMapping) -> bool:
    return session.get(FRESH_UNTIL, 0) >= time.time()


def grant(session: MutableMapping) -> None:
    session[FRESH_UNTIL] = time.time() + FRESH_SECONDS


def password_confirmed(session: MutableMapping, user: User, groups) -> Flow | None:
    """After the re-entered password: security info opens now (None), or the second step first."""
    if not allowed_methods(user.pk, groups, for_signin=True):
        grant(session)
        return None
    return Flow.start(session, PLAN, lifetime=PENDING_SECONDS, user_id=user.user_id, user_pk=user.pk,
                      steps=["password", "verify"], passed=("password",), groups=list(groups))


def pending(session: MutableMapping, user: User) -> Flow | None:
    """The re-authentication in progress, only for the person signed in in this session."""
    flow = Flow.find(session, PLAN)
    return flow if flow is not None and flow.user_pk == user.pk else None


def verification(flow: Flow, actor: Actor, *, language: str = "") -> Verification:
    return Verification(flow, actor, allowed_methods(flow.user_pk, flow.get("groups", []), for_signin=True),
                        purpose=PLAN, budget=Budget.of(PLAN, flow.person_pk), language=language)


def finish(flow: Flow, method) -> None:
    flow.passed("verify", used=[{"method": method.pk, "kind": method.kind}])
    flow.end()
    grant(flow.session)
