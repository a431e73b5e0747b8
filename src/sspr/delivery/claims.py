"""What the outgoing messages (queue.py) and the password sync's jobs (sspr.sync.queue) share as
work queues. A row is due from its next_attempt_at; one process at a time holds it, by a claim
(claimed_by "host:pid" and claimed_until) that lapses after a lease, and at once when its process
on this machine has died; a try that failed is followed by a longer wait each time.

`waiting` is always a queue's rows still to do (queued messages, pending jobs), of a model with
next_attempt_at, claimed_by and claimed_until."""

import os
import socket
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

Row = TypeVar("Row", bound=models.Model)
MAX_DELAY = 3600


def me() -> str:
    """This process, as its claims name it."""
    return f"{socket.gethostname()}:{os.getpid()}"


def growing_backoff(first_seconds: int, attempts: int) -> timedelta:
    """The wait after the `attempts`-th try failed: first_seconds, then four times longer each
    time, at most an hour."""
    return timedelta(seconds=min(first_seconds * 4 ** (attempts - 1), MAX_DELAY))


def unclaimed(waiting: "models.QuerySet[Row]", now: datetime) -> "models.QuerySet[Row]":
    return waiting.filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))


def due(waiting: "models.QuerySet[Row]", now: datetime) -> "models.QuerySet[Row]":
    return unclaimed(waiting, now).filter(next_attempt_at__lte=now)


def claim_next(waiting: "models.QuerySet[Row]", lease: Callable[[Row], timedelta]) -> Row | None:
    """The next due row, claimed by this process for lease(row); None when nothing is due.

    On PostgreSQL the row is taken with SELECT ... FOR UPDATE SKIP LOCKED, so workers on any
    number of hosts each take a different row at once instead of queueing behind one row lock or
    losing the conditional update to each other. On SQLite (one host) the transaction is an
    immediate one, which already lets one writer in at a time; there FOR UPDATE is ignored and
    the conditional update (only a row still due and unclaimed) decides."""
    now = timezone.now()
    with transaction.atomic():
        row = (due(waiting, now).order_by("next_attempt_at", "pk")
               .select_for_update(skip_locked=True, of=("self",)).first())
        if row is None:
            return None
        claimed = due(waiting, now).filter(pk=row.pk).update(claimed_by=me(), claimed_until=now + lease(row))
        if claimed != 1:
            return None  # SQLite only: another process won the update (a lock would have kept it away)
    row.refresh_from_db()
    return row


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def release_dead_claims(waiting: "models.QuerySet[Row]") -> None:
    """Claims held by a process of this machine that has died lapse now, not at the lease's end."""
    host = socket.gethostname()
    held = waiting.filter(claimed_until__gt=timezone.now(),
                          claimed_by__startswith=host + ":").values_list("pk", "claimed_by")
    for pk, claimed_by in list(held):
        pid = claimed_by.rsplit(":", 1)[1]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            waiting.filter(pk=pk, claimed_by=claimed_by).update(claimed_by="", claimed_until=None)
