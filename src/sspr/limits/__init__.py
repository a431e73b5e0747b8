"""Rate limits every worker process shares: a name, a key (an address, an account, a phone
number) and "at most `maximum` per `window`", over a sliding window.

    decision = Limit("signin:ip", 100, timedelta(minutes=15)).acquire(ip)
    if not decision:                  # refused, and not counted
        wait = decision.retry_after

acquire() checks and counts in one atomic step, so concurrent requests cannot all slip past the
check. The window slides: a hit counts for exactly `window` after it happens, so once `maximum`
hits are in the window the next is allowed when the oldest leaves it (a fixed window would let
`maximum` more through at every window boundary, for ever). peek() asks without counting;
reset() forgets a key (a success ending a count of failures).

Where the counts live is `[limits] backend`, a class named in BACKENDS and implementing
base.LimitBackend: "database" (limits/database.py, the default, for one instance) or "redis"
(limits/redis.py, for several instances behind a load balancer). A back-end that cannot be
reached raises LimitsUnavailable: nothing is allowed until it answers again.
"""

from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from .base import Decision, LimitBackend, LimitsUnavailable

__all__ = ["BACKENDS", "Decision", "Limit", "LimitsUnavailable", "backend", "claim_once"]

BACKENDS = {
    "database": "sspr.limits.database.DatabaseBackend",
    "redis": "sspr.limits.redis.RedisBackend",
}


def backend() -> LimitBackend:
    config = settings.CONFIG.limits
    return _backend(config.backend, config.redis_url, config.redis_timeout)


@cache
def _backend(name: str, redis_url: str, redis_timeout: float) -> LimitBackend:
    # One instance per process and setting (a Redis client holds a pool of connections).
    if name not in BACKENDS:
        raise LookupError(f"limits.backend: {name!r} is not available yet")
    return import_string(BACKENDS[name])(url=redis_url, timeout=redis_timeout)


@dataclass(frozen=True)
class Limit:
    name: str
    maximum: int
    window: timedelta

    def __post_init__(self) -> None:
        if self.maximum < 1 or self.window <= timedelta(0):
            raise ValueError(f"limit {self.name}: needs a maximum of 1 or more and a positive window")

    def acquire(self, key: str) -> Decision:
        """Allowed and counted, or refused and not counted, as one step no other request can
        come between."""
        return backend().acquire(self, key)

    def peek(self, key: str) -> timedelta | None:
        """How long until one more would be allowed; None when it would be allowed now. Counts
        nothing, so the answer may be stale by the time the caller acts: use acquire() to act."""
        return backend().peek(self, key)

    def reset(self, key: str) -> None:
        """Forget every hit of the key."""
        backend().reset(self, key)


def claim_once(name: str, key: str, lifetime: timedelta) -> bool:
    """True the first time (name, key) is claimed, in any process; False for every other claim
    within `lifetime` of it. For single-use tokens: `lifetime` must outlast the token."""
    if lifetime <= timedelta(0):
        raise ValueError(f"claim {name}: needs a positive lifetime")
    return backend().claim_once(name, key, lifetime)


def claim_the_day(name: str, day: str, seen: set[str]) -> bool:
    """True for the one process, of all of them, that first claims this day's run of a daily job;
    `seen` holds the days this process already saw claimed, so that asking again each round of a
    worker costs no look at the database."""
    if day in seen:
        return False
    seen.add(day)
    return claim_once(name, day, timedelta(days=2))
