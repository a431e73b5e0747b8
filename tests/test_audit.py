import logging

import pytest
from django.test import Client

from sspr.actors import Actor
from sspr.audit.models import AppendOnly, AuditEvent, Tag, record

from .conftest import admin_sign_in


@pytest.mark.django_db
def test_events_can_be_neither_changed_nor_deleted():
    event = record(Actor.cli(), Tag.SIGNIN_SUCCESS, subject="ana@district.example")
    event.subject = "someone.else@district.example"
    with pytest.raises(AppendOnly):
        event.save()
    with pytest.raises(AppendOnly):
        event.delete()
    assert AuditEvent.objects.get().subject == "ana@district.example"


@pytest.mark.django_db
def test_control_characters_in_logged_input_are_neutralised():
    Client(HTTP_USER_AGENT="evil\x1b[2J\r\nforged line").post(
        "/signin/", {"user_id": "ana@district.example\nINFO ok", "password": "whatever whatever"})
    event = AuditEvent.objects.get()
    assert event.tag == "signin:failure"
    assert "\n" not in event.user_agent and "\x1b" not in event.user_agent
    assert event.user_agent == "evil\\x1b[2J\\x0d\\x0aforged line"


@pytest.mark.django_db
def test_the_audit_admin_is_read_only(client, operator):
    assert admin_sign_in(client, operator).status_code == 302
    admin_client = client
    event = record(Actor.cli(), Tag.SIGNIN_SUCCESS, subject="ana@district.example")
    listing = admin_client.get("/admin/audit/auditevent/")
    assert listing.status_code == 200 and "ana@district.example" in listing.content.decode()
    count = AuditEvent.objects.count()
    assert admin_client.post(f"/admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.count() == count and AuditEvent.objects.filter(pk=event.pk).exists()


def test_log_lines_cannot_be_forged(caplog):
    from sspr.audit.logging import NeutraliseControlCharacters

    logger = logging.getLogger("sspr.test")
    logger.addFilter(NeutraliseControlCharacters())
    with caplog.at_level(logging.INFO):
        logger.info("sign-in failed for %s", "bob\nINFO sign-in ok for admin")
    assert caplog.messages == ["sign-in failed for bob\\x0aINFO sign-in ok for admin"]


@pytest.mark.django_db
def test_reports_count_outcomes_and_reasons_and_keep_numbers_as_numbers():
    from datetime import timedelta

    from django.utils import timezone

    from sspr.audit.models import Outcome, Reason
    from sspr.audit.reports import outcomes, verifications_by_kind

    person = Actor.person("ana@district.example", client_ip="10.0.0.5")
    for _ in range(2):
        record(person, Tag.VERIFY_FAILURE, subject="ana@district.example", outcome=Outcome.FAILURE,
               reason=Reason.WRONG_ANSWER, detail={"kind": "phone", "attempt": 3})
    record(person, Tag.VERIFY_SUCCESS, subject="ana@district.example", detail={"kind": "totp"})
    now = timezone.now()
    found = outcomes([Tag.VERIFY_FAILURE, Tag.VERIFY_SUCCESS], now - timedelta(hours=1), now + timedelta(hours=1))
    assert found[0] == {"tag": "verify:failure", "outcome": "failure", "reason": "wrong_answer", "count": 2}
    by_kind = verifications_by_kind(now - timedelta(hours=1), now + timedelta(hours=1))
    assert {"tag": "verify:success", "kind": "totp", "reason": "", "count": 1} in by_kind
    event = AuditEvent.objects.filter(tag=Tag.VERIFY_FAILURE).first()
    assert event.detail["attempt"] == 3 and event.actor_role == "person" and event.client_ip == "10.0.0.5"
