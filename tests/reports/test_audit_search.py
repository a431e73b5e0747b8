"""The audit trail's search as auditors use it: by person, actor, tag, outcome, address and date,
paged, each event in plain words; exports as CSV and JSON Lines with the same events."""

import csv
import io
import json

from sspr.actors import Actor
from sspr.audit.models import AuditEvent, Outcome, Reason, Tag, record

from ..console.conftest import console_sign_in, staff_member


def body(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8-sig") if response.streaming else \
        response.content.decode()


def test_search_by_each_filter(client, events, auditor):
    console_sign_in(client, auditor)
    page = body(client.get("/console/audit/?person=BEN@district.example"))
    assert page.count("<tr>") == 1 + 4  # header, and ben's four events
    assert "Identity verification failed: failed (wrong answer)" in page
    assert "Method: Authentication phone" in page and "During: password reset or unlock" in page
    assert '"kind"' not in page  # plain words, never the stored JSON

    by_actor = body(client.get("/console/audit/?actor=grace.kim@district.example"))
    assert by_actor.count("<tr>") == 1 + 2 and "(help desk)" in by_actor
    assert body(client.get("/console/audit/?ip=10.0.0.5")).count("<tr>") == 1 + 2
    locked = body(client.get("/console/audit/?tag=signin:failure&outcome=failure&start=2026-03-02&end=2026-03-02"))
    assert locked.count("<tr>") == 1 + 1 and "ben@district.example" in locked
    assert body(client.get("/console/audit/?start=2026-02-01&end=2026-02-01")).count("<tr>") == 1 + 1
    wrong = client.get("/console/audit/?ip=not-an-address")
    assert "Enter an IP address" in body(wrong)


def test_pages_of_fifty(client, db, auditor):
    for number in range(51):
        record(Actor.person("pat@district.example"), Tag.SIGNIN_FAILURE, subject="pat@district.example",
               outcome=Outcome.FAILURE, reason=Reason.WRONG_PASSWORD, detail={"n": number})
    console_sign_in(client, auditor)
    first = body(client.get("/console/audit/?person=pat@district.example"))
    assert first.count("<tr>") == 51 and "Next page" in first
    second = body(client.get("/console/audit/?person=pat@district.example&page=2"))
    assert second.count("<tr>") == 2 and "Next page" not in second and "N: 0" in second


def test_exports_as_csv_and_json_lines(client, events, auditor):
    console_sign_in(client, auditor)
    response = client.get("/console/audit/?person=eli@district.example&export=csv")
    assert response["Content-Disposition"].startswith('attachment; filename="audit-')
    rows = list(csv.reader(io.StringIO(body(response))))
    assert rows[0][:3] == ["time", "what", "tag"]
    assert [row[2] for row in rows[1:]] == ["method:add", "verify:failure"]
    assert json.loads(rows[2][10]) == {"kind": "phone", "purpose": "reset"}
    lines = [json.loads(line) for line in body(client.get("/console/audit/?person=eli@district.example"
                                                          "&export=jsonl")).splitlines()]
    assert [(line["tag"], line["outcome"], line["reason"]) for line in lines] == [
        ("method:add", "success", ""), ("verify:failure", "failure", "expired")]
    assert lines[1]["time"].startswith("2026-03-16T10:00:00")


def test_a_formula_in_an_export_is_not_run_by_a_spreadsheet(client, db, auditor):
    record(Actor.person("=cmd|' /C calc'!A0"), Tag.SIGNIN_FAILURE, subject="=cmd|' /C calc'!A0",
           outcome=Outcome.FAILURE, reason=Reason.WRONG_PASSWORD)
    console_sign_in(client, auditor)
    rows = list(csv.reader(io.StringIO(body(client.get("/console/audit/?tag=signin:failure&export=csv")))))
    assert rows[1][7] == "'=cmd|' /C calc'!A0"


def test_only_auditors_and_admins_read_the_trail(client, events):
    desk = staff_member("sam.patel@district.example", ["School Help Desk"], department="Lincoln High School")
    console_sign_in(client, desk)
    assert client.get("/console/audit/").status_code == 403
    assert client.get("/console/audit/?export=jsonl").status_code == 403
    assert AuditEvent.objects.filter(tag=Tag.CONSOLE_REFUSED).count() == 0  # a page refused, not an action
