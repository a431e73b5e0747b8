"""Activity figures from the audit trail, through a daily roll-up.

A year of a district's events is about a million rows; counting them on every page view takes
seconds. So each whole local day (`server.time_zone`) is counted once, by the worker's daily run
(`roll_up`), into models.DailyCount: one row per day, school, tag, outcome, reason, method kind,
purpose, actor role and (for staff) actor. A report then sums those rows for the days rolled up
and counts the rest (today, and any day the worker has not reached yet) live from the trail with
the same grouping, so its figures are the same whether or not a day has been rolled up.

The one difference: a rolled-up day keeps each event under the school its subject had in the
snapshot that night, where a live count uses the snapshot of now. A student who moves school
takes their future events along, not their past ones."""

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Case, CharField, Count, F, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone

from sspr.actors import Role
from sspr.audit.models import AuditEvent, Outcome, Reason, Tag
from sspr.audit.reports import SELF_SERVICE_TAGS, STAFF_ROLES, STAFF_TAGS, as_utc_hour, bucket, hour_of

from .models import DailyCount, Person, RolledUp
from .people import spellings, user_ids_in

DIMENSIONS = ("tag", "outcome", "reason", "kind", "purpose", "actor_role", "actor")
STAFF = [str(role) for role in STAFF_ROLES]


def midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _text(key: str, length: int):
    return Substr(Coalesce(KeyTextTransform(key, "detail"), Value(""), output_field=CharField()), 1, length)


# How each dimension is read from an event (annotated as "d_<name>": an annotation may not take a
# field's own name).
EXPRESSIONS = {
    "tag": F("tag"), "outcome": F("outcome"), "reason": F("reason"), "actor_role": F("actor_role"),
    "kind": _text("kind", 40), "purpose": _text("purpose", 40),
    "actor": Case(When(actor_role__in=STAFF, then=F("actor")), default=Value(""), output_field=CharField()),
}


def _school_of_subject():
    person = Person.objects.filter(user_id=OuterRef("subject")).order_by().values("department")[:1]
    return Coalesce(Subquery(person), Value(""), output_field=CharField())


def through() -> date | None:
    """The last day rolled up, or None before the first roll-up."""
    return RolledUp.objects.values_list("through", flat=True).first()


def roll_up(today: date | None = None) -> int:
    """Count every whole day not rolled up yet, oldest first, each in its own transaction (a
    crash loses at most the day in hand, which the next run counts again); how many days."""
    today = today or timezone.localdate()
    last = through()
    if last is None:
        oldest = AuditEvent.objects.order_by("created_at").values_list("created_at", flat=True).first()
        day = timezone.localdate(oldest) if oldest else today
    else:
        day = last + timedelta(days=1)
    rolled = 0
    while day < today:
        events = AuditEvent.objects.filter(created_at__gte=midnight(day),
                                           created_at__lt=midnight(day + timedelta(days=1)))
        names = [f"d_{name}" for name in DIMENSIONS]
        rows = (events.order_by().annotate(d_school=_school_of_subject(),
                                           **{f"d_{name}": EXPRESSIONS[name] for name in DIMENSIONS})
                .values("d_school", *names).annotate(n=Count("id")).values_list("d_school", *names, "n"))
        with transaction.atomic():
            DailyCount.objects.filter(day=day).delete()
            DailyCount.objects.bulk_create(
                [DailyCount(day=day, school=school[:200], count=count, **dict(zip(DIMENSIONS, values, strict=True)))
                 for school, *values, count in rows], batch_size=500)
            RolledUp.objects.update_or_create(pk=1, defaults={"through": day})
        day += timedelta(days=1)
        rolled += 1
    return rolled


def forget_before(day: date) -> int:
    """Drop the counts of days before day (the audit trail's retention applies to them too)."""
    return DailyCount.objects.filter(day__lt=day).delete()[0]


def counts(start: date, end: date, *, school: str = "", tags: Iterable[str] = (),
           by: Iterable[str] = (), when: Q | None = None) -> Counter:
    """Events of local days start..end (both included) of one school or all, of the tags given
    (all when none) and matching `when` (a condition on the dimensions), summed by day and the
    dimensions `by`: Counter({(day, *values): count})."""
    by, tags = tuple(by), list(tags)
    found: Counter = Counter()
    last = through()
    if last is not None and start <= last:
        rows = DailyCount.objects.filter(day__gte=start, day__lte=min(end, last))
        if school:
            rows = rows.filter(school__in=[*spellings(school), school])
        if tags:
            rows = rows.filter(tag__in=tags)
        if when is not None:
            rows = rows.filter(when)
        for day, *values, count in rows.order_by().values("day", *by).annotate(n=Sum("count")).values_list(
                "day", *by, "n"):
            found[(day, *values)] += count
    first_live = start if last is None else max(start, last + timedelta(days=1))
    if first_live <= end:
        events = AuditEvent.objects.filter(created_at__gte=midnight(first_live),
                                           created_at__lt=midnight(end + timedelta(days=1)))
        if school:
            events = events.filter(subject__in=user_ids_in(school))
        if tags:
            events = events.filter(tag__in=tags)
        named = [f"d_{name}" for name in by]
        needed = set(by) | (_fields(when) if when is not None else set())
        events = events.order_by().annotate(hour=hour_of(), **{f"d_{name}": EXPRESSIONS[name] for name in needed})
        if when is not None:
            events = events.filter(_renamed(when))
        days: dict = {}
        zone = timezone.get_current_timezone()
        for hour, *values, count in events.values("hour", *named).annotate(n=Count("id")).values_list(
                "hour", *named, "n"):
            if hour not in days:
                days[hour] = as_utc_hour(hour).astimezone(zone).date()
            found[(days[hour], *values)] += count
    return found


def _fields(condition: Q) -> set[str]:
    names = set()
    for child in condition.children:
        if isinstance(child, Q):
            names |= _fields(child)
        else:
            names.add(child[0].split("__")[0])
    return names


def _renamed(condition: Q) -> Q:
    """A condition on the dimensions, for events (whose dimensions are annotated as d_<name>)."""
    renamed = Q()
    renamed.connector, renamed.negated = condition.connector, condition.negated
    renamed.children = [_renamed(child) if isinstance(child, Q) else (f"d_{child[0]}", child[1])
                        for child in condition.children]
    return renamed


# The figures the activity and help-desk pages show -------------------------------------------------
@dataclass(frozen=True)
class Counted:
    """What a series of "activity over time" can tell events apart by."""

    tag: str
    outcome: str
    reason: str
    purpose: str


# Each series of "activity over time": the tags it is counted from, and whether an event of them counts.
SERIES: dict[str, tuple[tuple[str, ...], Callable[[Counted], bool]]] = {
    "password_changes": ((Tag.PASSWORD_CHANGE,), lambda event: event.outcome == Outcome.SUCCESS),
    "resets": ((Tag.PASSWORD_RESET,), lambda event: event.outcome == Outcome.SUCCESS),
    "unlocks": ((Tag.ACCOUNT_UNLOCK,), lambda event: event.outcome == Outcome.SUCCESS),
    "registrations": ((Tag.METHOD_ADD,), lambda event: event.outcome == Outcome.SUCCESS),
    "second_step_signins": ((Tag.VERIFY_SUCCESS,), lambda event: event.purpose == "signin"),
    # A lockout: an account locked by hand, or a sign-in refused because the account was locked.
    "lockouts": ((Tag.ACCOUNT_LOCK, Tag.SIGNIN_FAILURE),
                 lambda event: event.tag == Tag.ACCOUNT_LOCK or event.reason == Reason.ACCOUNT_LOCKED),
    # A new password another system (a sync target) refused or never took: still the old one there.
    "sync_failures": ((Tag.SYNC_FAILED,), lambda event: True),
    # "No, it's not me" on the authenticator app: someone had the password.
    "suspected_attacks": ((Tag.PUSH_DENIED,), lambda event: event.reason == Reason.SUSPECTED_ATTACK),
}
SERIES_TAGS = sorted({tag for tags, _counts in SERIES.values() for tag in tags})


def over_time(start: date, end: date, period: str, *, school: str = "") -> dict[str, dict[date, int]]:
    """{series name: {bucket: count}} for every series in SERIES, from one count of their tags."""
    found: dict[str, dict[date, int]] = {name: {} for name in SERIES}
    for (day, *values), count in counts(start, end, school=school, tags=SERIES_TAGS,
                                        by=("tag", "outcome", "reason", "purpose")).items():
        event, when = Counted(*values), bucket(day, period)
        for name, (tags, counts_it) in SERIES.items():
            if event.tag in tags and counts_it(event):
                found[name][when] = found[name].get(when, 0) + count
    return found


def _summed(found: Counter) -> Counter:
    """The counts without their day."""
    total: Counter = Counter()
    for (_day, *values), count in found.items():
        total[tuple(values)] += count
    return total


def failures_by_reason(start: date, end: date, *, school: str = "") -> list[dict]:
    """Failed and refused sign-ins and verifications by reason: [{"tag", "reason", "count"}]."""
    found = _summed(counts(start, end, school=school, tags=[Tag.SIGNIN_FAILURE, Tag.VERIFY_FAILURE],
                           by=("tag", "reason"), when=~Q(outcome=Outcome.SUCCESS)))
    return [{"tag": tag, "reason": reason, "count": count}
            for (tag, reason), count in sorted(found.items(), key=lambda item: (-item[1], *item[0]))]


def verifications(start: date, end: date, *, school: str = "") -> list[dict]:
    """Verifications by method kind: [{"kind", "succeeded", "failed"}], busiest first."""
    totals: dict[str, dict] = {}
    found = _summed(counts(start, end, school=school, tags=[Tag.VERIFY_SUCCESS, Tag.VERIFY_FAILURE],
                           by=("tag", "kind")))
    for (tag, name), count in found.items():
        entry = totals.setdefault(name, {"kind": name, "succeeded": 0, "failed": 0})
        entry["succeeded" if tag == Tag.VERIFY_SUCCESS else "failed"] += count
    return sorted(totals.values(), key=lambda entry: (-(entry["succeeded"] + entry["failed"]), entry["kind"]))


def staff_actions(start: date, end: date, *, school: str = "") -> list[dict]:
    """What staff did in the console: [{"actor", "actor_role", "tag", "count"}], busiest first."""
    found = _summed(counts(start, end, school=school, tags=STAFF_TAGS, by=("actor", "actor_role", "tag"),
                           when=Q(outcome=Outcome.SUCCESS, actor_role__in=STAFF)))
    return [{"actor": actor, "actor_role": role, "tag": tag, "count": count}
            for (actor, role, tag), count in sorted(found.items(), key=lambda item: (-item[1], item[0][0],
                                                                                     item[0][2]))]


def resets_and_unlocks_by_who(start: date, end: date, *, school: str = "") -> dict:
    """Successful resets and unlocks: {"self": {tag: n}, "staff": {tag: n}}. "self" are those people
    did themselves (the role "person"): calls the help desk did not get."""
    found: dict[str, dict[str, int]] = {"self": {}, "staff": {}}
    rows = _summed(counts(start, end, school=school, tags=SELF_SERVICE_TAGS, by=("tag", "actor_role"),
                          when=Q(outcome=Outcome.SUCCESS)))
    for (tag, role), count in rows.items():
        who = "self" if role == Role.PERSON else "staff" if role in STAFF else ""
        if who:
            found[who][tag] = found[who].get(tag, 0) + count
    return found
