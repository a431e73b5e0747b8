"""An operator's sign-in to the admin: the password, then the authenticator app's code. The
password step passes before the flow starts; the flow is what lets the code page know whose
code to check, for a few minutes, in this session only."""

from collections.abc import MutableMapping

from sspr.accounts.models import User
from sspr.actors import Actor
from sspr.services import operators
from sspr.services.errors import OperatorLocked

from .engine import Flow, FlowRefused

PLAN = "admin"
PENDING_SECONDS = 5 * 60    # how long the password stays good for the code step


def begin(session: MutableMapping, operator: User, *, next_url: str) -> Flow:
    return Flow.start(session, PLAN, lifetime=PENDING_SECONDS, user_id=operator.user_id, user_pk=operator.pk,
                      steps=[operators.PASSWORD, operators.CODE], passed=(operators.PASSWORD,), next=next_url)


def pending(session: MutableMapping) -> Flow | None:
    return Flow.find(session, PLAN)


def check_code(flow: Flow, actor: Actor, code: str) -> User:
    """The operator, now signed in as far as the flow goes (the flow has ended). Raises
    FlowRefused when the operator is gone, and the errors of operators.check_code; a lockout
    ends the flow, so the password is asked for again."""
    flow.require(operators.CODE)
    operator = User.objects.filter(pk=flow.person_pk, is_operator=True, is_active=True).first()
    if operator is None:
        flow.end()
        raise FlowRefused("operator gone")
    try:
        operators.check_code(actor, operator, code)
    except OperatorLocked:
        flow.end()
        raise
    flow.passed(operators.CODE)
    flow.end()
    return operator
