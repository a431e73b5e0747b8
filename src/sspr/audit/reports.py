"""Reading the audit trail: counts by tag, outcome and reason over a period for the reports, and
the search of the console's audit trail. The writers are in models.record(); the reports filter on
(tag, created_at), which is indexed, and the search on subject, tag or time."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.db import connection
from django.db.models import Count, QuerySet
from django.db.models.functions import Substr, Trunc
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sspr.actors import Role

from .models import AuditEvent, Outcome, Tag


def events(tags: list[Tag], since: datetime, until: datetime) -> QuerySet:
    return AuditEvent.objects.filter(tag__in=tags, created_at__gte=since, created_at__lt=until)


def outcomes(tags: list[Tag], since: datetime, until: datetime) -> list[dict]:
    """[{"tag", "outcome", "reason", "count"}] for the period, largest first."""
    rows = (events(tags, since, until).order_by().values("tag", "outcome", "reason")
            .annotate(count=Count("id")).order_by("-count", "tag"))
    return list(rows)


def verifications_by_kind(since: datetime, until: datetime) -> list[dict]:
    """Verification successes and failures by method kind and reason (detail["kind"])."""
    rows = (events([Tag.VERIFY_SUCCESS, Tag.VERIFY_FAILURE], since, until).order_by()
            .values("tag", "detail__kind", "reason").annotate(count=Count("id")).order_by("-count"))
    return [{"tag": row["tag"], "kind": row["detail__kind"], "reason": row["reason"], "count": row["count"]}
            for row in rows]


# Activity over time ----------------------------------------------------------------------------
PERIODS = ("day", "week", "month")


def hour_of(field: str = "created_at"):
    """The UTC hour of a time column, computed by the database (SQLite keeps times as ISO text in
    UTC, so its first 13 characters are the hour; PostgreSQL truncates natively). Counting by the
    hour in the database and putting hours into local days here keeps both fast and exact for
    every time zone whose offset is whole hours."""
    if connection.vendor == "sqlite":
        return Substr(field, 1, 13)
    return Trunc(field, "hour", tzinfo=UTC)


def as_utc_hour(value) -> datetime:
    if isinstance(value, str):
        return datetime.fromisoformat(value + ":00").replace(tzinfo=UTC)
    return value.astimezone(UTC)


def bucket_of(moment: datetime, period: str) -> date:
    """The first day of the day, week (Monday) or month a moment falls in, in server.time_zone."""
    return bucket(timezone.localtime(moment).date(), period)


def bucket(day: date, period: str) -> date:
    """The first day of the day, week (Monday) or month a local day falls in."""
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    return day


def buckets(since: datetime, until: datetime, period: str) -> list[date]:
    """Every bucket from since up to until, empty ones included, in order."""
    first, last = bucket_of(since, period), bucket_of(until - timedelta(microseconds=1), period)
    found, current = [], first
    while current <= last:
        found.append(current)
        if period == "month":
            current = (current.replace(day=28) + timedelta(days=4)).replace(day=1)
        else:
            current += timedelta(days=7 if period == "week" else 1)
    return found


# The help desk's load ----------------------------------------------------------------------------
STAFF_ROLES = (Role.ADMIN, Role.HELPDESK, Role.SCHOOL_HELPDESK, Role.TEACHER)
STAFF_TAGS = [Tag.PASSWORD_RESET, Tag.ACCOUNT_UNLOCK, Tag.PASS_ISSUE, Tag.PASS_REVOKE, Tag.METHODS_CLEAR,
              Tag.METHOD_REMOVE, Tag.DEVICES_FORGET, Tag.SESSIONS_END, Tag.VERIFY_SUCCESS]
SELF_SERVICE_TAGS = [Tag.PASSWORD_RESET, Tag.ACCOUNT_UNLOCK]


# Searching the trail -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Search:
    """What the audit search looks for; empty fields match everything. Person and actor are whole
    user IDs (capitals do not matter); the period is [since, until)."""

    subject: str = ""
    actor: str = ""
    tag: str = ""
    outcome: str = ""
    client_ip: str = ""
    since: datetime | None = None
    until: datetime | None = None


def _user_ids(text: str) -> set[str]:
    text = text.strip()[:254]
    return {text, text.lower()}


def search(wanted: Search) -> QuerySet:
    """The events that match, newest first (each filter uses an index: subject, tag and time)."""
    found = AuditEvent.objects.all()
    if wanted.subject:
        found = found.filter(subject__in=_user_ids(wanted.subject))
    if wanted.actor:
        found = found.filter(actor__in=_user_ids(wanted.actor))
    if wanted.tag in Tag.values:
        found = found.filter(tag=wanted.tag)
    if wanted.outcome in Outcome.values:
        found = found.filter(outcome=wanted.outcome)
    if wanted.client_ip:
        found = found.filter(client_ip=wanted.client_ip)
    if wanted.since is not None:
        found = found.filter(created_at__gte=wanted.since)
    if wanted.until is not None:
        found = found.filter(created_at__lt=wanted.until)
    return found.order_by("-created_at", "-id")


# An event's detail in plain words: what each key means, and the words for its known values.
DETAIL_LABELS = {
    "kind": _("Method"), "purpose": _("During"), "action": _("Action"), "verification": _("Caller verified by"),
    "reason": _("Reason given"), "role": _("Role"), "step": _("Step"), "channel": _("Channel"),
    "cap": _("Daily cap"), "spent": _("Spent today"), "minutes": _("Minutes"), "hours": _("Hours"),
    "uses": _("Uses"), "with": _("With"), "generated": _("Generated password"), "must_change": _("Must change"),
    "methods": _("Methods"), "devices": _("Devices"), "passes": _("Passes"), "sheet": _("Sign-in sheet"),
    "created": _("Created"), "updated": _("Updated"), "operator": _("Operator"), "admin_signin": _("Admin sign-in"),
    "second_step": _("Second step"), "to": _("To"), "error": _("Error"), "removed": _("Removed"),
    "retention_days": _("Kept for (days)"), "deleted": _("Deleted"), "before": _("Before"),
}
PURPOSES = {"signin": _("sign-in"), "reset": _("password reset or unlock"), "security-info": _("security info"),
            "console": _("opening the console"), "caller-check": _("verifying a caller"), "admin": _("admin sign-in")}


def _value(key: str, value, kinds: Mapping[str, str]) -> str:
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if key == "kind" and isinstance(value, str):
        return kinds.get(value, value)
    if key == "purpose" and value in PURPOSES:
        return str(PURPOSES[value])
    if key == "action" and value in Tag.values:
        return str(Tag(value).label)
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return "" if value is None else str(value)


def described(event: AuditEvent, kinds: Mapping[str, str]) -> list[tuple[str, str]]:
    """The event's detail as (what, value) pairs in plain words, in a stable order; kinds names
    each method kind (the methods package is above this one, so the caller says)."""
    pairs = []
    for key, value in sorted((event.detail or {}).items(), key=lambda item: (item[0] not in DETAIL_LABELS, item[0])):
        label = DETAIL_LABELS.get(key) or key.replace("_", " ").capitalize()
        pairs.append((str(label), _value(key, value, kinds)))
    return pairs


def as_record(event: AuditEvent) -> dict:
    """One event for an export: the stored facts, with the words for its codes beside them."""
    return {
        "time": event.created_at.isoformat(), "tag": event.tag, "what": str(event.get_tag_display()),
        "outcome": event.outcome, "reason": event.reason, "actor": event.actor, "actor_role": event.actor_role,
        "subject": event.subject, "client_ip": event.client_ip or "", "user_agent": event.user_agent,
        "detail": event.detail or {},
    }
