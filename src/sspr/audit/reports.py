"""Reading the audit trail for reports: counts by tag, outcome and reason over a period. The
writers are in models.record(); every query here filters on (tag, created_at), which is indexed."""

from datetime import datetime

from django.db.models import Count, QuerySet

from .models import AuditEvent, Tag


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
