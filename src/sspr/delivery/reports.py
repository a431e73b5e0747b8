"""Reading the delivery queue for reports: messages by channel and how they ended, and the
spending each day against each channel's daily cap (the same sum the cap is checked against:
every message not given up, fraud.spent_today)."""

from datetime import date, datetime

from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from sspr.audit.reports import as_utc_hour, hour_of

from .models import Delivery

CHANNELS = ("email", "sms", "voice")


def in_period(since: datetime, until: datetime, accounts: QuerySet | None = None) -> QuerySet:
    rows = Delivery.objects.filter(created_at__gte=since, created_at__lt=until)
    return rows if accounts is None else rows.filter(account__in=accounts)


def by_channel(since: datetime, until: datetime, *, accounts: QuerySet | None = None) -> list[dict]:
    """[{"channel", "sent", "failed", "waiting", "cost"}] for each channel that carried anything."""
    totals: dict[str, dict] = {}
    for row in in_period(since, until, accounts).order_by().values("channel", "status").annotate(
            count=Count("id"), cost=Sum("cost")):
        entry = totals.setdefault(row["channel"], {"channel": row["channel"], "sent": 0, "failed": 0, "waiting": 0,
                                                   "cost": 0.0})
        status = row["status"]
        key = "sent" if status == Delivery.Status.SENT else "failed" if status == Delivery.Status.FAILED else "waiting"
        entry[key] += row["count"]
        if status != Delivery.Status.FAILED:
            entry["cost"] += row["cost"] or 0.0
    order = {name: index for index, name in enumerate(CHANNELS)}
    return sorted(totals.values(), key=lambda entry: (order.get(entry["channel"], 99), entry["channel"]))


def spending_by_day(since: datetime, until: datetime, *, accounts: QuerySet | None = None) -> dict[tuple[date, str],
                                                                                                    float]:
    """{(local day, channel): estimated spending} for messages not given up."""
    spent: dict[tuple[date, str], float] = {}
    rows = (in_period(since, until, accounts).exclude(status=Delivery.Status.FAILED).exclude(cost=0).order_by()
            .annotate(hour=hour_of()).values("hour", "channel").annotate(cost=Sum("cost"))
            .values_list("hour", "channel", "cost"))
    zone, days = timezone.get_current_timezone(), {}
    for hour, channel, cost in rows:
        if hour not in days:  # a year has under 9,000 hours; each is converted once
            days[hour] = as_utc_hour(hour).astimezone(zone).date()
        key = (days[hour], channel)
        spent[key] = spent.get(key, 0.0) + (cost or 0.0)
    return spent
