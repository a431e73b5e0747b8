"""API keys: made at the command line, shown once, kept hashed, revocable; what a caller without
one, with a bad one, or with a browser session instead, is told."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sspr.accounts.models import ApiKey
from sspr.audit.models import AuditEvent

from ..conftest import sign_in
from .conftest import problem


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("apikey", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_key_is_printed_once_and_only_its_keyed_hash_is_stored(db, client, student):
    out, err = run("create", "ticketing", "--scopes", "people:read,people:write", "--role", "helpdesk")
    key = out.strip()
    assert key.startswith("sspr_") and "shown this once" in err
    row = ApiKey.objects.get(name="ticketing")
    stored = " ".join(str(value) for value in ApiKey.objects.values().get())
    assert key.split("_", 2)[2] not in stored and key not in stored
    assert row.scopes == ["people:read", "people:write"] and row.role == "helpdesk"
    listing, _ = run("list")
    assert "ticketing\thelpdesk" in listing and key not in listing and "never used" in listing
    assert "_".join(key.split("_", 2)[:2]) + "_…" in listing  # named by its public beginning only
    response = client.get(f"/api/v1/people/{student.user_id}", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    row.refresh_from_db()
    assert row.last_used_at is not None
    created = AuditEvent.objects.get(tag="apikey:create")
    assert created.subject == "api:ticketing" and key not in str(created.detail)


@pytest.mark.parametrize(("args", "message"), [
    (["--scopes", "people:write", "--role", "teacher"], "invalid choice"),
    (["--scopes", "audit:read", "--role", "helpdesk"], "cannot hold: audit:read"),
    (["--scopes", "import:write", "--role", "helpdesk"], "cannot hold: import:write"),
    (["--scopes", "people:read,people:fly", "--role", "helpdesk"], "unknown scopes: people:fly"),
    (["--scopes", "people:read", "--role", "school_helpdesk"], "needs --school"),
])
def test_a_key_beyond_what_its_role_could_do_on_the_console_is_not_made(db, args, message):
    with pytest.raises((CommandError, SystemExit)) as caught:
        run("create", "wide", *args)
    if isinstance(caught.value, CommandError):
        assert message in str(caught.value)
    assert not ApiKey.objects.exists()


def test_no_key_a_malformed_key_and_a_guessed_key_get_401(client, student, helpdesk_key):
    path = f"/api/v1/people/{student.user_id}"
    guessed = helpdesk_key.secret[:-4] + "AAAA"
    for headers in ({}, {"HTTP_AUTHORIZATION": "Basic dXNlcjpwYXNz"}, {"HTTP_AUTHORIZATION": "Bearer nonsense"},
                    {"HTTP_AUTHORIZATION": f"Bearer {guessed}"}, {"HTTP_AUTHORIZATION": "Bearer "}):
        response = client.get(path, **headers)
        problem(response, 401)
        assert response["WWW-Authenticate"].startswith("Bearer")
    # The guess used our prefix: the key's name is recorded, never what was presented.
    refused = AuditEvent.objects.get(tag="api:refused")
    assert refused.actor == "api:ticketing" and refused.reason == "wrong_answer"
    assert guessed not in str(list(AuditEvent.objects.values()))


def test_a_revoked_key_is_refused_at_once(client, student, helpdesk_key):
    path = f"/people/{student.user_id}"
    assert helpdesk_key.get(path).status_code == 200
    out, _ = run("revoke", "ticketing")
    assert "revoked ticketing" in out
    problem(helpdesk_key.get(path), 401)
    assert AuditEvent.objects.filter(tag="api:refused", reason="expired", actor="api:ticketing").exists()
    assert "revoked" in run("list")[0]


def test_a_signed_in_session_never_authenticates_an_api_call(client, technician_person, student):
    assert sign_in(client, technician_person).status_code == 302
    problem(client.get(f"/api/v1/people/{student.user_id}"), 401)
    problem(client.post(f"/api/v1/people/{student.user_id}/unlock", {"reason": "x"}, content_type="application/json"),
            401)


def test_an_api_post_with_a_key_needs_no_csrf_token_even_cross_site(client, student, helpdesk_key):
    client.handler.enforce_csrf_checks = True
    response = helpdesk_key.post(f"/people/{student.user_id}/unlock", {"reason": "Ticket 4411"},
                                 HTTP_ORIGIN="null", HTTP_SEC_FETCH_SITE="cross-site")
    assert response.status_code == 200, response.content


def test_an_unknown_address_under_the_api_is_a_problem_not_a_page(client, helpdesk_key):
    problem(helpdesk_key.get("/nothing/here"), 404)
    problem(client.get("/api/v1/people/a/b/c/d"), 404)


def test_keys_never_reach_the_log(client, student, helpdesk_key, caplog, settings):
    settings.DEBUG = True  # where HttpBearer itself would log the whole header
    with caplog.at_level("DEBUG"):
        helpdesk_key.get(f"/people/{student.user_id}")
        client.get(f"/api/v1/people/{student.user_id}", HTTP_AUTHORIZATION=f"Token {helpdesk_key.secret}")
        helpdesk_key.get("/people/nobody@district.example")
    assert helpdesk_key.secret.split("_", 2)[2] not in caplog.text


def test_the_description_and_its_page_are_served_under_the_strict_policy(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.") and schema["servers"] == [{"url": "https://sspr.test"}]
    assert all(operation["security"] == [{"ApiKey": []}]
               for operations in schema["paths"].values() for operation in operations.values())
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    policy = page["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe" not in policy and "frame-ancestors 'none'" in policy
    html = page.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html and "cdn" not in html.lower()
    assert client.get("/static/ninja/swagger-ui-init.js").status_code == 200
