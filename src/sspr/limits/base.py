"""What every rate-limit back-end provides (the database's and Redis's), and what it answers."""

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from . import Limit  # for the annotations only: the package imports this module


@dataclass(frozen=True)
class Decision:
    """The answer of Limit.acquire: allowed (and counted), or refused (not counted) with the wait."""

    allowed: bool
    retry_after: timedelta | None  # set only when refused

    def __bool__(self) -> bool:
        return self.allowed


class LimitsUnavailable(Exception):
    """Where the limits are kept cannot be reached (Redis down or too slow). Nothing is allowed
    meanwhile: a limit that cannot be checked refuses (fails closed), and the web layer answers
    "try again later" with status 503."""


class LimitBackend(ABC):
    """Sliding logs kept where every worker process sees them. A key's hits count for
    `limit.window` after they happen; once `limit.maximum` of them are in the window, the next
    is allowed when the oldest leaves it."""

    @abstractmethod
    def acquire(self, limit: "Limit", key: str) -> Decision:
        """Check and count in one step no other process can interleave with."""

    @abstractmethod
    def peek(self, limit: "Limit", key: str) -> timedelta | None:
        """The wait before one more would be allowed; None when it would be allowed now."""

    @abstractmethod
    def reset(self, limit: "Limit", key: str) -> None:
        """Forget every hit of the key."""

    def problems(self) -> list[str]:
        """What stops the back-end answering now, for /readyz (the database's is checked there)."""
        return []

    def claim_once(self, name: str, key: str, lifetime: timedelta) -> bool:
        """True the first time (name, key) is claimed within `lifetime`: by default, a limit of one."""
        from . import Limit

        return self.acquire(Limit(name, 1, lifetime), key).allowed

