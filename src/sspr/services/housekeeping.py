"""What the worker does once a day: delete audit events past their retention (and the daily
counts of those days), let each method kind tidy what it keeps beyond its methods, refresh the
reports' list of people from the directory and roll up the days of activity since the last run.
Each run is audited."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from sspr.actors import Actor
from sspr.audit.models import Tag, purge, record
from sspr.limits import claim_the_day
from sspr.methods.kinds import all_kinds

from . import reminders, reports


def purge_audit(actor: Actor, *, days: int | None = None) -> int:
    """Delete events older than `[audit] retention_days` (or days); how many. The purge is itself
    recorded, after the deletion, so it is never the first thing a purge removes."""
    days = days or settings.CONFIG.audit.retention_days
    before = timezone.now() - timedelta(days=days)
    deleted = purge(before)
    reports.forget_counts_before(before)
    record(actor, Tag.AUDIT_PURGE, detail={"deleted": deleted, "before": before.isoformat(timespec="seconds"),
                                           "retention_days": days})
    return deleted


_done_on: set[str] = set()  # the days this process already saw claimed: no database look each round


def daily(actor: Actor) -> bool:
    """Run the daily work if no worker has today (a claim shared by every worker); whether it ran.
    The day's reminders go at the first round outside their quiet hours (reminders.run)."""
    reminders.run(actor)
    if not claim_the_day("housekeeping", timezone.localdate().isoformat(), _done_on):
        return False
    purge_audit(actor)
    for each in all_kinds():
        each.tidy(timezone.now())
    reports.nightly()
    return True
