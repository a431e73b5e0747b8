"""Wrong answers count toward a budget: a limit and the key it is kept under. Flows keep separate
budgets (sign-in, security info, registration, reset), so failures in one never block another:
an attacker's wrong codes in a reset they started cannot freeze the owner's sign-in. The count is
taken before the answer is judged, in one atomic step, so a hundred answers sent at once are
judged at most `maximum` times; a right answer ends the count (the owner has proved who they are)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from math import ceil
from typing import TypeVar

from django.utils.translation import ngettext

from sspr.audit.models import Reason
from sspr.limits import Limit

from .base import VerificationFailed
from .rules import failures_per_account

T = TypeVar("T")


@dataclass(frozen=True)
class Budget:
    limit: Limit
    key: str

    @classmethod
    def of(cls, purpose: str, user_pk: int) -> "Budget":
        """The per-account budget of wrong answers for one purpose ("signin", "enrol"...)."""
        return cls(failures_per_account(), f"{purpose}:{user_pk}")


def wait_message(wait: timedelta | None) -> str:
    minutes = max(1, ceil(wait.total_seconds() / 60)) if wait else 1
    if minutes > 90:
        hours = ceil(minutes / 60)
        return ngettext("Too many attempts. Please try again in %(hours)d hour.",
                        "Too many attempts. Please try again in %(hours)d hours.", hours) % {"hours": hours}
    return ngettext("Too many attempts. Please try again in %(minutes)d minute.",
                    "Too many attempts. Please try again in %(minutes)d minutes.", minutes) % {"minutes": minutes}


def refuse_if_spent(budget: Budget) -> None:
    if wait := budget.limit.peek(budget.key):
        raise VerificationFailed(wait_message(wait), Reason.COOL_DOWN)


def spend(budget: Budget) -> None:
    """Count one wrong answer (or one that may be wrong); refuse when the budget is spent."""
    decision = budget.limit.acquire(budget.key)
    if not decision:
        raise VerificationFailed(wait_message(decision.retry_after), Reason.COOL_DOWN)


def guarded(budget: Budget, judge: Callable[[], T]) -> T:
    """Judge one answer within the budget."""
    spend(budget)
    result = judge()  # a wrong answer raises, and stays counted
    budget.limit.reset(budget.key)
    return result
