"""The audit trail for a monitoring system: a cursor that neither misses nor repeats an event,
even when events are written while it pages and, on PostgreSQL, when transactions commit out of
id order; and the reports that exist so far."""

import threading

import pytest
from django.db import connection, transaction

from sspr.actors import Actor
from sspr.audit import feed
from sspr.audit.models import AuditEvent, Tag, record

from .conftest import problem


def write(n, prefix="e"):
    for index in range(n):
        record(Actor.cli(), Tag.ACCOUNT_LOCK, subject=f"{prefix}{index}@district.example")


def poll(key, after, limit):
    response = key.get("/audit/events", {"after": after, "limit": limit})
    assert response.status_code == 200, response.content
    return response.json()


def test_paging_while_events_are_written_sees_every_event_once_in_order(make_key):
    siem = make_key("siem", role="auditor", scopes=["audit:read"])
    write(7, "before")
    seen, cursor = [], 0
    for round_ in range(12):
        page = poll(siem, cursor, 3)
        seen += [event["id"] for event in page["events"]]
        cursor = page["cursor"]
        if round_ < 4:
            write(2, f"during{round_}-")
    while (page := poll(siem, cursor, 50))["events"]:
        seen += [event["id"] for event in page["events"]]
        cursor = page["cursor"]
    assert len(seen) == len(set(seen)) and seen == sorted(seen)
    assert set(seen) >= set(AuditEvent.objects.exclude(tag="api:read").values_list("id", flat=True))
    every = set(AuditEvent.objects.filter(id__lte=cursor).values_list("id", flat=True))
    assert set(seen) == every  # the API's own reads are in the feed too, once each


def test_an_event_carries_what_a_siem_needs(make_key, student, helpdesk_key):
    siem = make_key("siem", role="auditor", scopes=["audit:read"])
    helpdesk_key.post(f"/people/{student.user_id}/unlock", {"reason": "Ticket 9"}, HTTP_USER_AGENT="ticketing/2.1")
    event = next(e for e in poll(siem, 0, 100)["events"] if e["tag"] == "account:unlock")
    assert event["actor"] == "api:ticketing" and event["actor_role"] == "api" and event["subject"] == student.user_id
    assert event["user_agent"] == "ticketing/2.1" and event["detail"]["reason"] == "Ticket 9"


def test_the_feed_needs_audit_read(helpdesk_key):
    problem(helpdesk_key.get("/audit/events"), 403)


def test_reports_count_outcomes(make_key):
    write(3)
    auditor = make_key("reports", role="auditor", scopes=["reports:read"])
    rows = auditor.get("/reports/outcomes").json()
    assert {"tag": "account:lock", "outcome": "success", "reason": "", "count": 3} in rows
    assert auditor.get("/reports/outcomes", {"since": "2999-01-02T00:00:00Z"}).json() == []  # after until: empty
    assert auditor.get("/reports/verifications").json() == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has one writer at a time: ids commit in order")
@pytest.mark.django_db(transaction=True)
def test_a_late_commit_with_a_lower_id_is_not_skipped(monkeypatch):
    """Writer A takes an id and keeps its transaction open; writer B takes a higher id and commits.
    A feed that returned B would move its cursor past A for ever. Ours waits for A, or, past
    LOCK_WAIT, returns nothing and keeps its cursor."""
    monkeypatch.setattr(feed, "LOCK_WAIT", "300ms")
    start = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    a_written, release = threading.Event(), threading.Event()

    def writer_a():
        with transaction.atomic():
            record(Actor.cli(), Tag.ACCOUNT_LOCK, subject="a@district.example")
            a_written.set()
            release.wait(10)
        connection.close()

    thread = threading.Thread(target=writer_a)
    thread.start()
    assert a_written.wait(10)
    record(Actor.cli(), Tag.ACCOUNT_LOCK, subject="b@district.example")  # committed, higher id
    page = feed.after(start, 100)
    assert page.events == [] and page.cursor == start   # A still open: nothing, and the cursor stays
    threading.Timer(0.1, release.set).start()           # A commits while the next poll waits
    monkeypatch.setattr(feed, "LOCK_WAIT", "5s")
    page = feed.after(start, 100)
    thread.join(10)
    assert [event.subject for event in page.events] == ["a@district.example", "b@district.example"]
    assert page.events[0].id < page.events[1].id
