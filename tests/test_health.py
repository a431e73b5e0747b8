import pytest
from django.db import DatabaseError

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
    assert response.status_code == 503 and "Please try again later" in response.content.decode()
    assert "connection refused" not in response.content.decode()
