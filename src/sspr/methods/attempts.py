"""Wrong answers of every kind count toward one cool-down per account, across sessions and
addresses. The count is taken before the answer is judged, in one atomic step, so a hundred
answers sent at once are judged at most `failures_per_account` times; a right answer ends the
count (the owner has proved who they are)."""

from collections.abc import Callable
from datetime import timedelta
from math import ceil
from typing import TypeVar

from django.utils.translation import ngettext

from sspr.audit.models import Reason

from .base import VerificationFailed
from .rules import failures_per_account

T = TypeVar("T")


def wait_message(wait: timedelta | None) -> str:
    minutes = max(1, ceil(wait.total_seconds() / 60)) if wait else 1
    return ngettext("Too many attempts. Please try again in %(minutes)d minute.",
                    "Too many attempts. Please try again in %(minutes)d minutes.", minutes) % {"minutes": minutes}


def refuse_if_cooling_down(key: str) -> None:
    if wait := failures_per_account().peek(key):
        raise VerificationFailed(wait_message(wait), Reason.COOL_DOWN)


def guarded(key: str, judge: Callable[[], T]) -> T:
    """Judge one answer for the account `key`, within its budget of wrong answers."""
    decision = failures_per_account().acquire(key)
    if not decision:
        raise VerificationFailed(wait_message(decision.retry_after), Reason.COOL_DOWN)
    result = judge()  # a wrong answer raises, and stays counted
    failures_per_account().reset(key)
    return result
