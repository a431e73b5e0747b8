"""A new password reaches Google Workspace and Microsoft 365 through their documented APIs, on
local HTTPS servers: what the person sees, what each provider receives, and what is kept."""

import re

import pytest
from django.test import Client
from passlib.hash import sha512_crypt

from sspr.actors import Actor
from sspr.audit.models import AuditEvent
from sspr.directory import get_directory
from sspr.services import passwords, people, sync
from sspr.services.errors import PasswordRefused
from sspr.sync.models import SyncJob

from ..conftest import sign_in
from .servers import google_error, graph_error

NEW = "Purple lanterns drift over quiet harbors!"
GOOGLE_USER = "csmith1234@student.district.example"
GRAPH_USER = "csmith1234@district.example"


@pytest.fixture
def accounts(google, graph, student):
    google.users.add(GOOGLE_USER)
    graph.users.add(GRAPH_USER)
    return student


def change(client, persona, new=NEW):
    return client.post("/account/password/", {"old_password": persona.password, "new_password": new,
                                              "confirm_password": new}, follow=True)


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_a_change_reaches_google_and_microsoft_and_the_person_is_told(client, syncing, accounts, google, graph):
    syncing()
    sign_in(client, accounts)
    page = text_of(change(client, accounts))
    assert "Your password was changed. Google was updated too. Microsoft 365 was updated too." in page

    # Google got a SHA-512 crypt hash of the new password, never the password itself.
    [update] = google.updates()
    assert update.json["hashFunction"] == "crypt" and update.json["password"].startswith("$6$")
    assert NEW not in update.body.decode()
    assert sha512_crypt.verify(NEW, update.json["password"]) and google.signs_in(GOOGLE_USER, NEW)
    assert google.must_change[GOOGLE_USER] is False
    # Graph got the password in a passwordProfile; an own change does not force another.
    assert graph.passwords == {GRAPH_USER: NEW} and graph.must_change[GRAPH_USER] is False

    # Nothing is kept once both took it, and the audit trail holds no secret.
    assert list(SyncJob.objects.values_list("target", "status", "secret")) == [
        ("microsoft", "done", ""), ("google", "done", "")]
    events = AuditEvent.objects.filter(tag="sync:done")
    assert sorted(e.detail["target"] for e in events) == ["google", "microsoft"]
    assert not any(NEW in str(e.detail) or "$6$" in str(e.detail) for e in AuditEvent.objects.all())


def test_the_help_desk_s_must_change_reaches_both(accounts, syncing, google, graph):
    syncing()
    person = people.find(accounts.user_id)
    result = passwords.set_password(Actor.cli(), person, NEW, must_change=True)
    assert result.synced == ("google", "microsoft")
    assert google.must_change[GOOGLE_USER] is True and graph.must_change[GRAPH_USER] is True


def test_a_passphrase_google_cannot_take_is_refused_before_anything_is_written(client, syncing, accounts, google,
                                                                              graph):
    syncing(targets=("google",))
    spanish = "Él canta bajo la lluvia fría ¡qué día!"
    sign_in(client, accounts)
    # The live checklist shows the target's limit while typing.
    rules = {rule["rule"]: rule for rule in client.post("/password/check/", {"password": spanish}).json()["rules"]}
    assert rules["target_ascii"] == {"rule": "target_ascii", "passed": False, "message":
                                     "Your Chromebook password can only use English letters, digits and punctuation"}
    page = client.get("/account/password/").content.decode()
    assert "Your Chromebook password can only use English letters, digits and punctuation" in page

    response = client.post("/account/password/", {"old_password": accounts.password, "new_password": spanish,
                                                  "confirm_password": spanish})
    assert response.status_code == 400
    assert "Your Chromebook password can only use English letters, digits and punctuation" in text_of(response)
    # Every path refuses it the same way (the help desk's, the command line's).
    with pytest.raises(PasswordRefused) as refused:
        passwords.set_password(Actor.cli(), people.find(accounts.user_id), spanish, must_change=True)
    assert "Your Chromebook password can only use English letters, digits and punctuation" in refused.value.reasons
    get_directory().authenticate(accounts.user_id, accounts.password)  # the old password still works
    assert google.requests == [] and not SyncJob.objects.exists()
    # Without Google as a target the same passphrase is fine.
    syncing(targets=())
    passwords.set_password(Actor.cli(), people.find(accounts.user_id), spanish)


def test_a_503_is_retried_by_the_worker_and_the_person_told_it_will_follow(client, syncing, accounts, google,
                                                                           clock):
    syncing(targets=("google",))
    google.failures = [google_error(503, "The service is currently unavailable.", "backendError")]
    sign_in(client, accounts)
    page = text_of(change(client, accounts))
    assert "Your password was changed. Google will follow in a few minutes." in page

    job = SyncJob.objects.get()
    assert job.status == "pending" and job.attempts == 1 and "503" in job.reason
    # What the retry keeps is the hash Google is sent, not the password.
    assert job.secret.startswith("$6$") and sha512_crypt.verify(NEW, job.secret)
    assert [e.reason for e in AuditEvent.objects.filter(tag="sync:deferred")] == ["sync_unavailable"]
    assert not google.signs_in(GOOGLE_USER, NEW)

    assert sync.retry_due() == 0  # not yet due (sync.retry_delay_seconds = 60)
    clock.advance(seconds=61)
    assert sync.retry_due() == 1
    assert google.signs_in(GOOGLE_USER, NEW)
    job.refresh_from_db()
    assert (job.status, job.attempts, job.secret) == ("done", 2, "")


def test_a_429_s_retry_after_is_honoured(accounts, syncing, graph, clock):
    syncing(targets=("microsoft",))
    graph.failures = [graph_error(429, "TooManyRequests", "Too many requests.", **{"Retry-After": "600"})]
    result = passwords.set_password(Actor.cli(), people.find(accounts.user_id), NEW)
    [state] = result.targets
    assert state.pending and graph.passwords == {}
    job = SyncJob.objects.get()
    # The password is kept sealed with the server's key while it waits, never in the clear.
    assert job.secret and NEW not in job.secret
    clock.advance(seconds=61)  # past our own backoff, not past Graph's ten minutes
    assert sync.retry_due() == 0 and len(graph.patches()) == 1
    clock.advance(seconds=540)
    assert sync.retry_due() == 1 and graph.passwords == {GRAPH_USER: NEW}
    job.refresh_from_db()
    assert job.status == "done" and job.secret == ""


def test_a_403_is_permanent_shown_to_the_person_and_reported(client, syncing, accounts, google, mail_server):
    syncing(targets=("google", "microsoft"))
    google.failures = [google_error(403, "Not Authorized to access this resource/api", "forbidden")]
    sign_in(client, accounts)
    page = text_of(change(client, accounts))
    assert "Your password was changed. Microsoft 365 was updated too." in page
    assert ("Google did not take the new password, so your password there is still the old one. "
            "Your help desk has been told.") in page
    assert "Not Authorized" not in page  # Google's own words are for staff

    job = SyncJob.objects.get(target="google")
    assert (job.status, job.secret) == ("failed", "")
    [event] = AuditEvent.objects.filter(tag="sync:failed")
    assert event.reason == "sync_refused" and event.subject == accounts.user_id
    assert "403" in event.detail["error"] and "Not Authorized" in event.detail["error"]
    [alert] = [m.message for m in mail_server.received if "it-alerts@district.example" in m.recipients]
    assert "password sync to google refused" in alert["Subject"]
    assert accounts.user_id in alert.get_body(("plain",)).get_content()
    assert NEW not in alert.as_string()
    # No retry: a 403 will not change by itself.
    assert sync.retry_due() == 0 and len(google.updates()) == 1


def test_google_refuses_a_token_for_a_key_it_does_not_know(accounts, syncing, google):
    from .servers import ServiceAccount

    syncing(targets=("google",), google_changes={"key": ServiceAccount().key_file()})
    [state] = passwords.set_password(Actor.cli(), people.find(accounts.user_id), NEW).targets
    assert state.status == "failed" and "invalid_grant" in state.reason
    assert google.updates() == []


def test_a_subject_without_delegation_is_refused_by_google(accounts, syncing, google):
    syncing(targets=("google",), google_changes={"subject": "someone.else@student.district.example"})
    [state] = passwords.set_password(Actor.cli(), people.find(accounts.user_id), NEW).targets
    assert state.status == "failed" and "unauthorized_client" in state.reason


def test_a_wrong_client_secret_is_refused_by_entra(accounts, syncing, graph):
    syncing(targets=("microsoft",), graph_changes={"client_secret": "not-the-secret"})
    [state] = passwords.set_password(Actor.cli(), people.find(accounts.user_id), NEW).targets
    assert state.status == "failed" and "invalid_client" in state.reason and graph.patches() == []


def test_after_24_hours_the_sealed_password_is_erased_and_the_admins_told(accounts, syncing, graph, clock,
                                                                          mail_server):
    syncing(targets=("microsoft",))
    graph.failures = [graph_error(503, "ServiceUnavailable", "Try later.")] * 100
    passwords.set_password(Actor.cli(), people.find(accounts.user_id), NEW)
    for _hour in range(25):
        clock.advance(hours=1)
        sync.retry_due()
    job = SyncJob.objects.get()
    assert (job.status, job.secret) == ("expired", "")
    assert any("given up" in m.message["Subject"] for m in mail_server.received)
    assert graph.passwords == {}


def test_the_console_shows_each_target_s_state(accounts, syncing, google):
    syncing()
    google.failures = [google_error(503, "Backend Error", "backendError")]
    passwords.set_password(Actor.cli(), people.find(accounts.user_id), NEW)
    states = {state.target: state.status for state in sync.states_for(accounts.user_id)}
    assert states == {"google": "pending", "microsoft": "done"}


def test_sspr_check_asks_each_target(syncing, google, graph):
    from sspr.ops.checks import sync_problems

    syncing()
    assert sync_problems() == []
    syncing(graph_changes={"client_secret": "wrong"}, google_changes={"subject": ""})
    assert sync_problems() == ["sync.google.subject: not set",
                               "sync.microsoft: Entra ID refused our token request: invalid_client AADSTS7000215: "
                               "Invalid client secret provided."]


def test_a_client_that_does_not_trust_the_certificate_does_not_send(accounts, syncing, google, certs):
    syncing(targets=("google",), google_changes={"ca_file": ""})
    [state] = passwords.set_password(Actor.cli(), people.find(accounts.user_id), NEW).targets
    assert state.pending and google.hashes == {}


def test_an_unknown_person_at_google_is_a_permanent_failure(student, syncing, google):
    syncing(targets=("google",))
    [state] = passwords.set_password(Actor.cli(), people.find(student.user_id), NEW).targets
    assert state.status == "failed" and "404" in state.reason


def test_other_clients_see_nothing_of_it(client, accounts, syncing):
    syncing()
    other = Client()
    assert other.post("/password/check/", {"password": "x"}).status_code == 302


def test_a_password_sealed_under_an_earlier_secret_key_is_given_up_not_retried(accounts, syncing, graph, clock,
                                                                               settings):
    syncing(targets=("microsoft",))
    graph.failures = [graph_error(503, "ServiceUnavailable", "Try later.")]
    passwords.set_password(Actor.cli(), people.find(accounts.user_id), NEW)
    settings.SECRET_KEY = "a-new-server-secret-key-after-rotation-0123456789"
    clock.advance(seconds=61)
    assert sync.retry_due() == 1
    job = SyncJob.objects.get()
    assert (job.status, job.secret) == ("failed", "") and "earlier server.secret_key" in job.reason
    assert len(graph.patches()) == 1  # nothing was sent with a password we could not read


def test_a_certificate_instead_of_a_secret(accounts, syncing, graph):
    from .servers import AppCertificate

    graph.certificate = certificate = AppCertificate()
    syncing(targets=("microsoft",), graph_changes={"client_secret": "", "certificate_key": certificate.private_pem(),
                                                   "certificate_thumbprint": certificate.thumbprint()})
    [state] = passwords.set_password(Actor.cli(), people.find(accounts.user_id), NEW).targets
    assert state.done and graph.passwords == {GRAPH_USER: NEW}
    # Another key, claiming the same thumbprint, is refused.
    impostor = AppCertificate().private_pem()
    syncing(targets=("microsoft",), graph_changes={"client_secret": "", "certificate_key": impostor,
                                                   "certificate_thumbprint": certificate.thumbprint()})
    [state] = passwords.set_password(Actor.cli(), people.find(accounts.user_id), NEW + "!").targets
    assert state.status == "failed" and "invalid_client" in state.reason
