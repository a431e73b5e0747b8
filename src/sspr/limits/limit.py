"""Rate limits kept in the database, so every worker process sees the same counts.

A limit is a name, a key (an IP, an account, a phone number) and "at most N per window".
Fixed windows are enough here: the point is to stop guessing at scale, not to shape traffic.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from .models import Counter


@dataclass(frozen=True)
class Limit:
    name: str
    maximum: int
    window: timedelta

    def retry_after(self, key: str) -> timedelta | None:
        """How long until the next attempt is allowed; None when it is allowed now."""
        counter = Counter.objects.filter(name=self.name, key=key).first()
        now = timezone.now()
        if counter is None or counter.window_start + self.window <= now or counter.count < self.maximum:
            return None
        return counter.window_start + self.window - now

    def hit(self, key: str) -> None:
        """Count one attempt against the key."""
        now = timezone.now()
        with transaction.atomic():
            counter, created = Counter.objects.select_for_update().get_or_create(
                name=self.name, key=key, defaults={"window_start": now, "count": 1}
            )
            if created:
                return
            if counter.window_start + self.window <= now:
                counter.window_start, counter.count = now, 1
            else:
                counter.count += 1
            counter.save(update_fields=["window_start", "count"])

    def reset(self, key: str) -> None:
        Counter.objects.filter(name=self.name, key=key).delete()

    # Until the atomic back-end lands: the interface the callers use.
    def peek(self, key: str) -> timedelta | None:
        return self.retry_after(key)

    def acquire(self, key: str) -> "Decision":
        if wait := self.retry_after(key):
            return Decision(False, wait)
        self.hit(key)
        return Decision(True, None)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: timedelta | None

    def __bool__(self) -> bool:
        return self.allowed
