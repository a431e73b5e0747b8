import pytest

from sspr.actors import Actor
from sspr.services import apikeys

from ..conftest import Persona
from ..console.conftest import ROLES

ALL_PEOPLE = ["people:read", "people:write"]


@pytest.fixture(autouse=True)
def roles(configure, captcha_off):
    configure(roles=ROLES, reset={"admin_groups": ["Administrators"]})


class Key:
    """A key as a program holds it, and a way to call the API with it."""

    def __init__(self, client, name, role, scopes, school=""):
        self.client = client
        self.row, self.secret = apikeys.create(Actor.cli(), name, role, scopes, school=school)
        self.name = name

    def headers(self, **extra):
        return {"HTTP_AUTHORIZATION": f"Bearer {self.secret}", **extra}

    def get(self, path, data=None, **extra):
        return self.client.get(f"/api/v1{path}", data, **self.headers(**extra))

    def post(self, path, body=None, content_type="application/json", **extra):
        import json

        data = body if isinstance(body, str | bytes) or content_type != "application/json" else json.dumps(body or {})
        return self.client.post(f"/api/v1{path}", data, content_type=content_type, **self.headers(**extra))

    def delete(self, path, **extra):
        return self.client.delete(f"/api/v1{path}", **self.headers(**extra))


@pytest.fixture
def make_key(client, db):
    def make(name="ticketing", role="helpdesk", scopes=ALL_PEOPLE, school=""):
        return Key(client, name, role, scopes, school)
    return make


@pytest.fixture
def helpdesk_key(make_key):
    return make_key()


@pytest.fixture
def teacher_person(db):
    return Persona("lucia.fernandez@district.example", "Gentle harbors glow after school!",
                   display_name="Lucia Fernandez", groups=["Staff", "Teachers"], department="Washington Elementary",
                   email="lucia.fernandez@district.example")


@pytest.fixture
def technician_person(db):
    return Persona("grace.kim@district.example", "Gentle harbors glow after school!", display_name="Grace Kim",
                   groups=["Staff", "Help Desk"], department="Technology", email="grace.kim@district.example")


@pytest.fixture
def admin_person(db):
    return Persona("riley.morgan@district.example", "Gentle harbors glow after school!", display_name="Riley Morgan",
                   groups=["Staff", "IT Admins"], department="Technology", email="riley.morgan@district.example")


def problem(response, status):
    assert response.status_code == status, response.content.decode()
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    assert body["type"].startswith("https://sspr.test/api/v1/problems/")
    return body
