"""Retention: `sspr audit purge` deletes events older than [audit] retention_days, records the
purge, and the worker does it once a day whatever the number of workers."""

from datetime import timedelta

import pytest
from django.core.management import call_command

from sspr.actors import Actor
from sspr.audit.models import AppendOnly, AuditEvent, Tag, record
from sspr.services import housekeeping


@pytest.fixture
def old_and_new(db, clock):
    start = clock.now()
    clock.move_to(start - timedelta(days=401))
    record(Actor.person("old@district.example"), Tag.SIGNIN_SUCCESS, subject="old@district.example")
    clock.move_to(start - timedelta(days=399))
    record(Actor.person("new@district.example"), Tag.SIGNIN_SUCCESS, subject="new@district.example")
    clock.move_to(start)


def test_purge_deletes_what_is_past_retention_and_records_itself(old_and_new, capsys):
    call_command("audit", "purge")
    assert "deleted 1 audit event older than 400 days" in capsys.readouterr().out
    assert list(AuditEvent.objects.values_list("subject", flat=True).exclude(tag=Tag.AUDIT_PURGE)) == [
        "new@district.example"]
    purge = AuditEvent.objects.get(tag=Tag.AUDIT_PURGE)
    assert (purge.actor_role, purge.detail["deleted"], purge.detail["retention_days"]) == ("cli", 1, 400)


def test_a_shorter_retention(old_and_new, configure):
    configure(audit={"retention_days": 30})
    assert housekeeping.purge_audit(Actor.cli()) == 2


def test_events_stay_append_only_otherwise(old_and_new):
    with pytest.raises(AppendOnly):
        AuditEvent.objects.all().delete()
    with pytest.raises(AppendOnly):
        AuditEvent.objects.first().delete()


def test_the_worker_purges_once_a_day(old_and_new, clock, monkeypatch):
    monkeypatch.setattr(housekeeping, "_done_on", set())
    assert housekeeping.daily(Actor.system()) is True
    monkeypatch.setattr(housekeeping, "_done_on", set())  # another worker process, the same day
    assert housekeeping.daily(Actor.system()) is False
    assert AuditEvent.objects.filter(tag=Tag.AUDIT_PURGE).count() == 1
    clock.advance(days=1)
    assert housekeeping.daily(Actor.system()) is True
    assert AuditEvent.objects.filter(tag=Tag.AUDIT_PURGE).count() == 2


def test_worker_once_runs_the_daily_work(old_and_new, monkeypatch):
    monkeypatch.setattr(housekeeping, "_done_on", set())
    call_command("worker", "--once")
    assert AuditEvent.objects.filter(tag=Tag.AUDIT_PURGE, actor_role="system").count() == 1


def test_the_daily_run_rolls_up_the_days_and_the_purge_forgets_old_counts(old_and_new, clock, monkeypatch):
    from sspr.reports import activity
    from sspr.reports.models import DailyCount

    monkeypatch.setattr(housekeeping, "_done_on", set())
    assert housekeeping.daily(Actor.system()) is True
    assert activity.through() == clock.now().date() - timedelta(days=1)
    assert set(DailyCount.objects.values_list("tag", "count")) == {(Tag.SIGNIN_SUCCESS.value, 1)}
    housekeeping.purge_audit(Actor.cli(), days=30)
    assert not DailyCount.objects.exists()


def test_reports_refresh_counts_the_days_not_counted_yet(old_and_new, capsys):
    call_command("reports", "refresh")
    out = capsys.readouterr().out
    assert "people counted" in out and "401 days of activity counted" in out
    call_command("reports", "refresh")
    assert "0 days of activity counted" in capsys.readouterr().out
