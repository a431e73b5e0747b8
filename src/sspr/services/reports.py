"""The console's reports, scoped to the reader: a school help desk sees its own school whatever
it asks for, admins and auditors the district or one school of it. Figures come from the domain
(reports.coverage, audit.reports, delivery.reports); this module puts them into the rows each
table and chart shows, so that views only draw them."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sspr.actors import Role
from sspr.audit import reports as audit_reports
from sspr.audit.models import ROLE_LABELS, Outcome, Reason, Tag
from sspr.delivery import reports as delivery_reports
from sspr.directory import get_directory
from sspr.directory.base import DirectoryUnavailable
from sspr.methods.kinds import KINDS, kind
from sspr.reports import activity as activity_figures
from sspr.reports import coverage as coverage_figures
from sspr.reports import people as snapshot

from .staff import NotAllowed, Staff

DEFAULT_DAYS = 30
MAX_DAYS = 800

SERIES_LABELS = {
    "password_changes": gettext_lazy("Password changes"),
    "resets": gettext_lazy("Password resets"),
    "unlocks": gettext_lazy("Unlocks"),
    "registrations": gettext_lazy("Methods registered"),
    "second_step_signins": gettext_lazy("Sign-ins with a second step"),
    "lockouts": gettext_lazy("Lockouts"),
    "sync_failures": gettext_lazy("Passwords not synced"),
    "suspected_attacks": gettext_lazy("Sign-ins denied on a phone (suspected attacks)"),
}
PERIOD_LABELS = {"day": gettext_lazy("Day"), "week": gettext_lazy("Week"), "month": gettext_lazy("Month")}
CHANNEL_LABELS = {"email": gettext_lazy("Email"), "sms": gettext_lazy("Text message"),
                  "voice": gettext_lazy("Voice call")}


@dataclass(frozen=True)
class Scope:
    """What one report covers: local days start..end (both included), one school or all."""

    start: date
    end: date
    school: str
    period: str
    fixed_school: bool   # a school help desk: the school is theirs, not a choice

    @property
    def since(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def until(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))

    @property
    def subjects(self):
        return snapshot.user_ids_in(self.school) if self.school else None


def scope_for(staff: Staff, *, start: date | None = None, end: date | None = None, school: str = "",
              period: str = "day") -> Scope:
    """The reader's scope. Raises NotAllowed for a role that does not read reports, or a school
    help desk whose account has no school (they would otherwise see the whole district)."""
    if not staff.reads_reports:
        raise NotAllowed(_("Your role does not read reports."))
    fixed = staff.school_only
    if fixed:
        if not staff.school:
            raise NotAllowed(_("Your account has no school in the directory, so there is no report for you yet. "
                               "Ask an administrator."))
        school = staff.school
    today = timezone.localdate()
    end = min(end or today, today)
    start = start or end - timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        start, end = end, start
    start = max(start, end - timedelta(days=MAX_DAYS - 1))
    return Scope(start, end, school.strip()[:200], period if period in audit_reports.PERIODS else "day", fixed)


def schools() -> list[str]:
    """The schools the snapshot knows, for the filter's choices."""
    # order_by(): the model's ordering by user ID would make DISTINCT return every person.
    return sorted({row for row in snapshot.Person.objects.order_by().values_list("department", flat=True).distinct()
                   if row}, key=str.casefold)


# Coverage
@dataclass(frozen=True)
class Reminders:
    """The period's reminders: sent (successes in the audit trail), and of the people first
    reminded to register in it, how many have registered since."""

    registration_sent: int
    expiry_sent: int
    people_reminded: int
    registered_after: int


@dataclass
class CoverageReport:
    scope: Scope
    figures: coverage_figures.Coverage
    as_of: datetime | None
    reminders: Reminders


def reminders(scope: Scope) -> Reminders:
    sent = activity_figures.counts(scope.start, scope.end, school=scope.school,
                                   tags=[Tag.REMINDER_REGISTRATION, Tag.REMINDER_EXPIRY], by=("tag",),
                                   when=Q(outcome=Outcome.SUCCESS))
    by_tag = dict.fromkeys((Tag.REMINDER_REGISTRATION, Tag.REMINDER_EXPIRY), 0)
    for (_day, tag), count in sent.items():
        by_tag[tag] += count
    people, registered = coverage_figures.reminded(school=scope.school, since=scope.since, until=scope.until)
    return Reminders(by_tag[Tag.REMINDER_REGISTRATION], by_tag[Tag.REMINDER_EXPIRY], people, registered)


def coverage(scope: Scope) -> CoverageReport:
    return CoverageReport(scope, coverage_figures.coverage(school=scope.school, until=scope.until),
                          snapshot.as_of(), reminders(scope))


def unregistered(scope: Scope, *, group: str = "", text: str = "") -> coverage_figures.NotRegistered:
    """The people not registered at the end of the scope's period, a page at a time."""
    return coverage_figures.not_registered(coverage_figures.people_in(scope.school), scope.until, group=group,
                                           text=text)


# Activity over time
@dataclass
class ActivityReport:
    scope: Scope
    series: list[tuple[str, str]]                       # (name, label)
    rows: list[tuple[date, list[int]]]                  # one per bucket: counts in series order
    totals: list[int]
    failures: list[dict] = field(default_factory=list)  # {"what", "reason", "count"}
    verifications: list[dict] = field(default_factory=list)  # {"kind", "succeeded", "failed"}
    deliveries: list[dict] = field(default_factory=list)     # {"channel", "sent", "failed", "waiting", "cost"}
    spending: list[dict] = field(default_factory=list)       # {"day", "channel", "spent", "cap"}


def kind_label(name: str) -> str:
    return str(kind(name).label) if name in KINDS else (name or _("Unknown"))


def activity(scope: Scope) -> ActivityReport:
    since, until, subjects = scope.since, scope.until, scope.subjects
    counts = activity_figures.over_time(scope.start, scope.end, scope.period, school=scope.school)
    names = list(activity_figures.SERIES)
    rows = [(bucket, [counts[name].get(bucket, 0) for name in names])
            for bucket in audit_reports.buckets(since, until, scope.period)]
    failures = [{"what": str(Tag(row["tag"]).label), "reason": str(Reason(row["reason"]).label) if row["reason"]
                 else _("No reason recorded"), "count": row["count"]}
                for row in activity_figures.failures_by_reason(scope.start, scope.end, school=scope.school)]
    verifications = [{**row, "kind": kind_label(row["kind"])}
                     for row in activity_figures.verifications(scope.start, scope.end, school=scope.school)]
    deliveries = [{**row, "channel": str(CHANNEL_LABELS.get(row["channel"], row["channel"]))}
                  for row in delivery_reports.by_channel(since, until, accounts=subjects)]
    config = settings.CONFIG
    spending = [{"day": day, "channel": str(CHANNEL_LABELS.get(channel, channel)), "spent": round(spent, 4),
                 "cap": getattr(getattr(config, channel, None), "daily_spending_cap", 0) or 0}
                for (day, channel), spent in sorted(delivery_reports.spending_by_day(since, until,
                                                                                       accounts=subjects).items())]
    return ActivityReport(scope, [(name, str(SERIES_LABELS[name])) for name in names], rows,
                          [sum(row[1][index] for row in rows) for index in range(len(names))],
                          failures, verifications, deliveries, spending)


# The help desk's load
@dataclass
class LoadReport:
    scope: Scope
    actions: list[dict]            # {"actor", "role", "action", "count"}
    by_operator: list[dict]        # {"actor", "role", "count"}
    self_resets: int
    self_unlocks: int
    staff_resets: int
    staff_unlocks: int
    cost_per_call: float

    @property
    def calls_avoided(self) -> int:
        return self.self_resets + self.self_unlocks

    @property
    def saving(self) -> float:
        return round(self.calls_avoided * self.cost_per_call, 2)


def role_label(role: str) -> str:
    known = role in {str(value) for value in Role}
    return str(ROLE_LABELS[Role(role)]) if known else role


def load(scope: Scope) -> LoadReport:
    rows = activity_figures.staff_actions(scope.start, scope.end, school=scope.school)
    actions = [{"actor": row["actor"], "role": role_label(row["actor_role"]),
                "action": _("Caller verified") if row["tag"] == Tag.VERIFY_SUCCESS else str(Tag(row["tag"]).label),
                "count": row["count"]} for row in rows]
    operators: dict[tuple[str, str], int] = {}
    for row in rows:
        key = (row["actor"], row["actor_role"])
        operators[key] = operators.get(key, 0) + row["count"]
    by_operator = [{"actor": actor, "role": role_label(role), "count": count}
                   for (actor, role), count in sorted(operators.items(), key=lambda item: (-item[1], item[0]))]
    who = activity_figures.resets_and_unlocks_by_who(scope.start, scope.end, school=scope.school)
    return LoadReport(scope, actions, by_operator,
                      who["self"].get(Tag.PASSWORD_RESET, 0), who["self"].get(Tag.ACCOUNT_UNLOCK, 0),
                      who["staff"].get(Tag.PASSWORD_RESET, 0), who["staff"].get(Tag.ACCOUNT_UNLOCK, 0),
                      settings.CONFIG.reports.cost_per_call)


# The nightly work
def nightly() -> None:
    """The worker's daily run: the snapshot of the people, then the days of activity not rolled
    up yet (counted under the schools the snapshot now gives)."""
    refresh_people()
    roll_up()


def roll_up() -> int:
    return activity_figures.roll_up()


def forget_counts_before(moment: datetime) -> None:
    """The audit trail's retention, applied to the daily counts made from it (whole days only)."""
    activity_figures.forget_before(timezone.localdate(moment))


def refresh_people() -> int | None:
    """Replace the snapshot with every account of the directory, when it can list them; None
    when it cannot (LDAP, AD: the people who signed in are counted, remembered at sign-in)."""
    directory = get_directory()
    try:
        people = directory.every_person()
        return snapshot.replace_all(people)
    except NotImplementedError:
        return None
    except DirectoryUnavailable:
        return None
