"""The "database" back-end: one Counter row per limit and key, holding that key's sliding log.

Atomic because an acquire reads and rewrites the log in one transaction that holds the row. On
PostgreSQL that is a SELECT ... FOR UPDATE lock (a missing row is inserted first: of two requests
inserting the same one, the second fails on the unique constraint, then waits for the lock). On
SQLite it is the whole write transaction, which the settings open with BEGIN IMMEDIATE, so
writers queue up one at a time.
"""

import bisect
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from . import Limit
from .base import Decision, LimitBackend
from .models import Counter

# Rows whose hits have all left their window are deleted, this many at a time, whenever a row is
# added: the table only grows with new keys, so that is when it pays to shrink it.
PRUNE_BATCH = 100


class DatabaseBackend(LimitBackend):
    def __init__(self, **_options: object) -> None:
        pass  # the database is Django's; [limits]' Redis keys mean nothing here

    def acquire(self, limit: Limit, key: str) -> Decision:
        now = timezone.now()
        with transaction.atomic():
            counter = _locked_counter(limit, key, now)
            hits = _hits(counter)
            wait = _wait_for_room(hits, limit, now)
            if wait is not None:
                return Decision(allowed=False, retry_after=wait)
            _log_hit(counter, hits, limit, now)
        return Decision(allowed=True, retry_after=None)

    def peek(self, limit: Limit, key: str) -> timedelta | None:
        counter = Counter.objects.filter(name=limit.name, key=key).first()
        return None if counter is None else _wait_for_room(_hits(counter), limit, timezone.now())

    def reset(self, limit: Limit, key: str) -> None:
        Counter.objects.filter(name=limit.name, key=key).delete()


def _locked_counter(limit: Limit, key: str, now: datetime) -> Counter:
    """The key's row, created if missing, locked until the caller's transaction ends."""
    # get_or_create inserts in a savepoint and, on IntegrityError, reads the winner's row again.
    counter, created = Counter.objects.select_for_update().get_or_create(
        name=limit.name, key=key, defaults={"expires_at": now})
    if created:
        _prune(now, keep=counter)
    return counter


def _prune(now: datetime, keep: Counter) -> None:
    # A row someone holds is skipped, not waited for: they may be reviving it, and waiting while
    # holding our own new row could deadlock with them.
    expired = Counter.objects.filter(expires_at__lte=now).exclude(pk=keep.pk).select_for_update(skip_locked=True)
    Counter.objects.filter(pk__in=list(expired.values_list("pk", flat=True)[:PRUNE_BATCH])).delete()


def _hits(counter: Counter) -> list[datetime]:
    return [datetime.fromisoformat(at) for at in counter.hits]


def _wait_for_room(hits: list[datetime], limit: Limit, now: datetime) -> timedelta | None:
    """How long until one more hit is allowed (None: it is now). With `maximum` hits in the
    window, that is when the oldest of them leaves it."""
    newest = [at for at in hits[-limit.maximum:] if at + limit.window > now]
    if len(newest) < limit.maximum:
        return None
    return newest[0] + limit.window - now


def _log_hit(counter: Counter, hits: list[datetime], limit: Limit, now: datetime) -> None:
    # In time order even if another server's clock ran a little ahead.
    bisect.insort(hits, now)
    # Older hits than the newest `maximum`, or hits out of the window, never decide anything again.
    kept = [at for at in hits[-limit.maximum:] if at + limit.window > now]
    counter.hits = [at.isoformat() for at in kept]
    counter.expires_at = kept[-1] + limit.window
    counter.save(update_fields=["hits", "expires_at"])
