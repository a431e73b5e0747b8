"""Finding people, their status and each action, as a program with a key sees them: what each
scope and role allows, and the same refusals the console gives."""

import logging

from django.contrib.auth.hashers import check_password

from sspr.audit.models import AuditEvent
from sspr.directory.embedded.models import Account
from sspr.methods.models import Method, TemporaryPass

from ..methods.conftest import give_method
from .conftest import problem

REASON = {"reason": "Ticket 4411: the student called from the library"}


def test_search_finds_people_a_page_at_a_time_without_their_addresses(student, staff, helpdesk_key):
    response = helpdesk_key.get("/people", {"q": "CSMITH"})
    assert response.status_code == 200
    body = response.json()
    assert [p["user_id"] for p in body["people"]] == [student.user_id] and body["more"] is False
    assert "email" not in body["people"][0] and "mobile" not in body["people"][0]
    assert AuditEvent.objects.filter(tag="api:read", actor="api:ticketing", actor_role="api").exists()


def test_validation_names_the_field(helpdesk_key, student):
    body = problem(helpdesk_key.get("/people", {"q": "", "limit": 1000}), 422)
    assert {error["field"] for error in body["errors"]} == {"q", "limit"}
    body = problem(helpdesk_key.post(f"/people/{student.user_id}/unlock", {"reason": "   "}), 422)
    assert [error["field"] for error in body["errors"]] == ["reason"]
    problem(helpdesk_key.post(f"/people/{student.user_id}/unlock", "{not json"), 400)


def test_status_shows_what_the_console_shows_with_masked_destinations(student, helpdesk_key):
    give_method(student, "phone", "+15550200")
    body = helpdesk_key.get(f"/people/{student.user_id}").json()
    assert body["person"]["user_id"] == student.user_id and body["person"]["groups"] == ["Students"]
    assert body["has_signed_in"] is True and len(body["methods"]) == 1
    assert body["methods"][0]["detail"].endswith("00") and "+15550200" not in str(body)
    assert body["registration"]["registered"] == 1


def test_an_unknown_person_is_404(helpdesk_key):
    problem(helpdesk_key.get("/people/nobody@district.example"), 404)
    problem(helpdesk_key.post("/people/nobody@district.example/unlock", REASON), 404)


def test_a_key_without_people_write_cannot_reset(make_key, student):
    reader = make_key("reader", scopes=["people:read"])
    body = problem(reader.post(f"/people/{student.user_id}/reset", REASON), 403)
    assert "people:write" in body["detail"] and body["type"].endswith("/missing-scope")
    assert check_password("Brave pianos dance on Fridays!", Account.objects.get(user_id=student.user_id).password)
    refused = AuditEvent.objects.get(tag="api:refused")
    assert refused.actor == "api:reader" and refused.detail["scope"] == "people:write"


def test_a_helpdesk_key_cannot_reset_an_admin_or_another_technician(helpdesk_key, admin_person, technician_person):
    for person in (admin_person, technician_person):
        body = problem(helpdesk_key.post(f"/people/{person.user_id}/reset", REASON), 403)
        assert body["detail"] == "This person has the same or higher rights than you. Ask an administrator."
    assert AuditEvent.objects.filter(tag="console:refused", actor="api:ticketing", reason="not_allowed").count() == 2


def test_an_admin_key_resets_a_technician_but_not_another_admin(make_key, admin_person, technician_person):
    admin_key = make_key("idm", role="admin")
    assert admin_key.post(f"/people/{technician_person.user_id}/reset", REASON).status_code == 200
    problem(admin_key.post(f"/people/{admin_person.user_id}/reset", REASON), 403)


def test_a_school_help_desk_key_acts_only_in_its_school(make_key, student, staff):
    lincoln = make_key("lincoln", role="school_helpdesk", school="Lincoln High School")
    assert lincoln.post(f"/people/{student.user_id}/unlock", REASON).status_code == 200
    body = problem(lincoln.post(f"/people/{staff.user_id}/unlock", REASON), 403)
    assert body["detail"] == "This person is not in your school."
    problem(lincoln.get(f"/people/{staff.user_id}"), 403)
    assert [p["user_id"] for p in lincoln.get("/people", {"q": "a"}).json()["people"]] == []
    assert [p["user_id"] for p in lincoln.get("/people", {"q": "c"}).json()["people"]] == [student.user_id]


def test_an_auditor_key_cannot_touch_people(make_key):
    auditor = make_key("siem", role="auditor", scopes=["audit:read"])
    problem(auditor.get("/people", {"q": "a"}), 403)


def test_the_generated_passphrase_is_returned_once_and_never_stored_or_logged(helpdesk_key, student, caplog):
    with caplog.at_level(logging.DEBUG):
        response = helpdesk_key.post(f"/people/{student.user_id}/reset", REASON)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    body = response.json()
    new = body["password"]
    assert body["generated"] is True and body["must_change"] is True and len(new) >= 15
    account = Account.objects.get(user_id=student.user_id)
    assert check_password(new, account.password) and account.must_change_password
    assert new not in caplog.text
    stored = str(list(AuditEvent.objects.values())) + str(list(Account.objects.values()))
    assert new not in stored
    event = AuditEvent.objects.get(tag="password:reset")
    assert event.actor == "api:ticketing" and event.actor_role == "api"
    assert event.detail["role"] == "helpdesk" and event.detail["reason"] == REASON["reason"]
    assert event.detail["verification"] == "none" and event.detail["generated"] is True


def test_a_typed_password_is_not_echoed_and_a_refused_one_lists_every_rule(helpdesk_key, student):
    response = helpdesk_key.post(f"/people/{student.user_id}/reset",
                                 {**REASON, "password": "Quiet lanterns hum over Denver hills", "must_change": False})
    assert response.status_code == 200 and response.json()["password"] is None
    body = problem(helpdesk_key.post(f"/people/{student.user_id}/reset", {**REASON, "password": "short"}), 422)
    assert body["type"].endswith("/password-refused") and len(body["errors"]) >= 1
    assert all(error["field"] == "password" and error["detail"] for error in body["errors"])


def test_every_other_action_calls_the_console_service(helpdesk_key, student):
    from datetime import timedelta

    from django.utils import timezone

    Account.objects.filter(user_id=student.user_id).update(locked_until=timezone.now() + timedelta(days=999))
    give_method(student, "phone", "+15550200")
    user = f"/people/{student.user_id}"
    assert helpdesk_key.post(f"{user}/unlock", REASON).json()["message"] == "The account is unlocked."
    assert Account.objects.get(user_id=student.user_id).locked_until is None
    issued = helpdesk_key.post(f"{user}/passes", REASON).json()
    assert issued["code"] and issued["signin_url"] == "https://sspr.test/signin/pass/"
    row = TemporaryPass.objects.get(pk=issued["pass_id"])
    assert issued["code"] not in row.pass_hash
    assert helpdesk_key.delete(f"{user}/passes/{row.pk}").status_code == 200
    problem(helpdesk_key.delete(f"{user}/passes/{row.pk}"), 404)
    assert helpdesk_key.post(f"{user}/clear-methods", REASON).json()["count"] == 1
    assert not Method.objects.filter(user__user_id=student.user_id).exists()
    assert helpdesk_key.post(f"{user}/forget-devices", REASON).json()["count"] == 0
    assert helpdesk_key.post(f"{user}/end-sessions", REASON).status_code == 200
    tags = set(AuditEvent.objects.filter(actor="api:ticketing").values_list("tag", flat=True))
    assert {"account:unlock", "pass:issue", "pass:revoke", "methods:clear", "devices:forget",
            "sessions:end"} <= tags


def test_limits_per_key_answer_429_with_retry_after(make_key, student, configure):
    configure(api={"requests_per_minute": 3})
    first, second = make_key("one"), make_key("two")
    for _ in range(3):
        assert first.get(f"/people/{student.user_id}").status_code == 200
    response = first.get(f"/people/{student.user_id}")
    problem(response, 429)
    assert int(response["Retry-After"]) >= 1
    refused = AuditEvent.objects.get(tag="api:refused")
    assert (refused.actor, refused.outcome, refused.reason) == ("api:one", "refused", "rate_limited")
    assert refused.detail == {"operation": "person_status"}
    assert second.get(f"/people/{student.user_id}").status_code == 200  # another key has its own


def test_the_console_search_limit_applies_to_a_key_and_its_refusal_is_audited(make_key, student, configure):
    configure(console={"searches_per_hour": 2})
    key = make_key()
    assert [key.get("/people", {"q": "csmith"}).status_code for _ in range(3)] == [200, 200, 429]
    refused = AuditEvent.objects.get(tag="console:refused")
    assert (refused.actor, refused.reason, refused.detail) == ("api:ticketing", "rate_limited", {"action": "search"})
    assert key.get(f"/people/{student.user_id}").status_code == 200  # reading a person is no search


def test_the_console_hourly_limit_applies_to_a_key_by_its_role(make_key, student, configure):
    configure(console={"actions_per_hour": {"helpdesk": 2}})
    key = make_key()
    for _ in range(2):
        assert key.post(f"/people/{student.user_id}/unlock", REASON).status_code == 200
    response = key.post(f"/people/{student.user_id}/unlock", REASON)
    problem(response, 429)
    assert response["Retry-After"]


def test_directory_unavailable_is_503(helpdesk_key, student, monkeypatch):
    from sspr.directory.base import DirectoryUnavailable
    from sspr.services import people

    def down(*args, **kwargs):
        raise DirectoryUnavailable("down")

    monkeypatch.setattr(people, "find", down)
    response = helpdesk_key.get(f"/people/{student.user_id}")
    assert problem(response, 503)["type"].endswith("/directory-unavailable") and response["Retry-After"] == "30"
