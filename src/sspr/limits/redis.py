"""The "redis" back-end, for several instances: each limit and key is a sorted set of hit times,
checked and changed by one Lua script, which Redis runs to the end before any other command.

The same sliding log as limits/database.py: a hit counts while `at + window > now`; only the
newest `maximum` hits are kept; once `maximum` of them are in the window the next is allowed
when the oldest leaves it, and a refusal is not counted. Times are this process's clock (as the
database back-end's are), passed to the script in microseconds, so every instance must keep its
clock in step (NTP) just as with the database. A key expires in Redis when its newest hit leaves
the window, so nothing needs pruning.

Redis unreachable or too slow (`limits.redis_timeout`) raises LimitsUnavailable: nothing is
allowed meanwhile, and the page says "try again later". The client reconnects by itself when
Redis is back; the scripts are sent again if a restarted Redis has forgotten them.
"""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import redis
from django.utils import timezone

from . import Limit
from .base import Decision, LimitBackend, LimitsUnavailable

PREFIX = "sspr:limit:"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# KEYS[1]: the log. ARGV: now, window (microseconds), maximum, a unique member for this hit.
# Returns 0 when the hit is allowed and counted, else the wait in microseconds.
ACQUIRE = """
local now, window, maximum = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count >= maximum then
  local oldest = redis.call('ZRANGE', KEYS[1], count - maximum, count - maximum, 'WITHSCORES')
  return math.max(1, tonumber(oldest[2]) + window - now)
end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(maximum + 1))
local newest = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
redis.call('PEXPIRE', KEYS[1], math.max(1, math.ceil((tonumber(newest[2]) + window - now) / 1000)))
return 0
"""

# KEYS[1]: the mark. ARGV: now, lifetime (microseconds), now + lifetime as text (Lua's own
# number-to-text keeps 14 digits, too few). 1 when claimed now, 0 when already held.
# SET NX PX does the work; the stored end is compared with our clock too, so a mark whose
# lifetime has passed by the instances' clock is free even if Redis has not expired it yet.
CLAIM = """
local now, lifetime = tonumber(ARGV[1]), tonumber(ARGV[2])
local ends = ARGV[3]
local px = math.max(1, math.ceil(lifetime / 1000))
if redis.call('SET', KEYS[1], ends, 'NX', 'PX', px) then return 1 end
if tonumber(redis.call('GET', KEYS[1])) <= now then
  redis.call('SET', KEYS[1], ends, 'PX', px)
  return 1
end
return 0
"""


def _micros(delta: timedelta) -> int:
    return delta // timedelta(microseconds=1)


def _now() -> int:
    return _micros(timezone.now() - EPOCH)


class RedisBackend(LimitBackend):
    def __init__(self, *, url: str, timeout: float, **_options: object) -> None:
        self.client = redis.Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout, health_check_interval=30)
        self._acquire = self.client.register_script(ACQUIRE)
        self._claim = self.client.register_script(CLAIM)

    def acquire(self, limit: Limit, key: str) -> Decision:
        with _reachable():
            wait = int(self._acquire(keys=[_log(limit.name, key)],
                                     args=[_now(), _micros(limit.window), limit.maximum, uuid.uuid4().hex]))
        if wait:
            return Decision(allowed=False, retry_after=timedelta(microseconds=wait))
        return Decision(allowed=True, retry_after=None)

    def peek(self, limit: Limit, key: str) -> timedelta | None:
        now = _now()
        with _reachable():
            # Scores above now - window: the hits still in the window, oldest first.
            hits = self.client.zrangebyscore(_log(limit.name, key), f"({now - _micros(limit.window)}", "+inf",
                                             withscores=True)
        if len(hits) < limit.maximum:
            return None
        oldest = int(hits[-limit.maximum][1])
        return timedelta(microseconds=max(1, oldest + _micros(limit.window) - now))

    def reset(self, limit: Limit, key: str) -> None:
        with _reachable():
            self.client.delete(_log(limit.name, key))

    def problems(self) -> list[str]:
        try:
            self.client.ping()
        except redis.RedisError as exc:
            return [f"limits: redis {exc.__class__.__name__}"]
        return []

    def claim_once(self, name: str, key: str, lifetime: timedelta) -> bool:
        now = _now()
        with _reachable():
            claimed = self._claim(keys=[f"{PREFIX}claim:{name}:{key}"],
                                  args=[now, _micros(lifetime), str(now + _micros(lifetime))])
        return bool(claimed)


def _log(name: str, key: str) -> str:
    return f"{PREFIX}{name}:{key}"


@contextmanager
def _reachable() -> Iterator[None]:
    """Turns "Redis cannot be reached" into LimitsUnavailable; any other error is a bug, and stays one."""
    try:
        yield
    except (redis.ConnectionError, redis.TimeoutError) as error:
        raise LimitsUnavailable(f"redis: {error}") from error
    except redis.ResponseError as error:
        if str(error).startswith(("LOADING", "MASTERDOWN", "READONLY")):
            raise LimitsUnavailable(f"redis: {error}") from error
        raise
