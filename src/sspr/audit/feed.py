"""The audit trail as a feed, for a monitoring system (a SIEM) that polls it: every event once, in
id order, after a cursor (the last id it has seen), never skipping one that commits late.

On SQLite one transaction writes at a time, so ids are committed in the order they are given.
On PostgreSQL ids are given at insert and transactions commit in any order: an event with a lower
id may become visible after a higher one was read, and a cursor past it would never see it. So a
page ends at a *watermark*: the highest id at a moment when no transaction that writes audit
events is open (`models.record` holds `FEED_LOCK` shared for the rest of its transaction; here it
is taken exclusively, which waits for them, and released at once). Every id up to the watermark
is then committed or will never exist, and every later event gets a higher id. A writer that
keeps its transaction open longer than LOCK_WAIT only delays the feed: the page is empty and the
cursor stays where it was."""

from dataclasses import dataclass

from django.db import DatabaseError, connection, transaction
from django.db.models import Max

from .models import FEED_LOCK, AuditEvent

LOCK_WAIT = "2s"


@dataclass(frozen=True)
class Page:
    events: list[AuditEvent]
    cursor: int          # the id to ask after next time
    more: bool           # more events are ready now


def watermark() -> int | None:
    """The highest id below which every event is committed; None when that cannot be known now."""
    if connection.vendor != "postgresql":
        return AuditEvent.objects.aggregate(top=Max("id"))["top"] or 0
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = %s", [LOCK_WAIT])
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [FEED_LOCK])
            cursor.execute(f"SELECT max(id) FROM {connection.ops.quote_name(AuditEvent._meta.db_table)}")
            row = cursor.fetchone()
    except DatabaseError:  # lock_timeout: a writer's transaction is still open
        return None
    return (row[0] if row else None) or 0


def after(cursor: int, limit: int) -> Page:
    """Up to limit events with an id above cursor, oldest first."""
    top = watermark()
    if top is None or top <= cursor:
        return Page([], cursor, False)
    rows = list(AuditEvent.objects.filter(id__gt=cursor, id__lte=top).order_by("id")[:limit + 1])
    events = rows[:limit]
    return Page(events, events[-1].id if events else cursor, len(rows) > limit)
