import pytest
from django.db import DatabaseError

from sspr.audit.models import AuditEvent
from sspr.directory.embedded.models import Account


def test_healthz_answers_without_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok\n"


@pytest.mark.django_db
def test_readyz_is_ready_when_database_and_directory_answer(client):
    response = client.get("/readyz")
    assert response.status_code == 200 and response.json() == {"ready": True, "problems": []}


@pytest.mark.django_db
def test_readyz_says_why_it_is_not_ready(client, monkeypatch):
    def broken(*args, **kwargs):
        raise DatabaseError("no such table")

    monkeypatch.setattr(Account.objects, "exists", broken)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["problems"] == ["embedded directory: database not usable (DatabaseError: no such table)"]


def test_the_demo_outbox_does_not_exist_outside_demo_mode(client):
    assert client.get("/demo/outbox/").status_code == 404


def test_a_directory_outage_says_try_again_later(client, student, monkeypatch):
    from sspr.directory.base import DirectoryUnavailable
    from sspr.directory.embedded.backend import EmbeddedDirectory

    from .conftest import sign_in

    sign_in(client, student)

    def down(self, user_id):
        raise DirectoryUnavailable("connection refused")

    monkeypatch.setattr(EmbeddedDirectory, "lookup", down)
    response = client.get("/account/password/")
    assert response.status_code == 503 and response["Retry-After"] == "30"
    page = response.content.decode()
    assert "Please try again later" in page and "cannot reach the directory" in page
    assert "connection refused" not in page

    monkeypatch.undo()
    assert client.get("/account/password/").status_code == 200


def test_a_database_outage_says_try_again_later_and_changes_nothing(client, student):
    from .conftest import database_down, sign_in

    with database_down():
        response = sign_in(client, student)
    assert response.status_code == 503 and response["Retry-After"] == "30"
    page = response.content.decode()
    assert "Please try again later" in page and "cannot reach its database" in page
    assert "server closed" not in page
    assert not AuditEvent.objects.filter(tag="signin:success").exists()

    assert sign_in(client, student).status_code == 302 and client.session.get("_auth_user_id")


def test_a_signed_in_page_says_try_again_later_when_the_session_cannot_be_read(client, student):
    from .conftest import database_down, sign_in

    sign_in(client, student)
    client.raise_request_exception = False  # the session is read by a middleware, before any view
    with database_down():
        response = client.get("/account/")
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert "cannot reach its database" in response.content.decode()

    assert client.get("/account/").status_code == 200


def test_try_again_later_is_plain_text_when_the_page_itself_cannot_be_drawn(client, student, monkeypatch):
    from django.db import OperationalError

    from sspr.web import outages

    from .conftest import database_down, sign_in

    def drawn_from_the_database(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(outages, "render", drawn_from_the_database)
    with database_down():
        response = sign_in(client, student)
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert response["Content-Type"].startswith("text/plain") and response.content == b"Please try again later.\n"

    monkeypatch.undo()
    assert sign_in(client, student).status_code == 302
