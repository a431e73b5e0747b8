import logging
import os
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from sspr.config.schema import Config
from sspr.demo.models import OutboxMessage
from sspr.directory.embedded.models import Account

from .delivery.servers import SMTP_PASSWORD, SMTP_USER, HttpServer, MailServer, make_certificates

# Django's live_server runs in a thread beside Playwright's sync API.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


class Persona:
    def __init__(self, user_id, password, **fields):
        self.user_id, self.password = user_id, password
        self.account = Account.objects.create(
            user_id=user_id, password=make_password(password), password_last_set=timezone.now(), **fields
        )


@pytest.fixture
def student(db):
    return Persona("csmith1234@student.district.example", "Brave pianos dance on Fridays!",
                   display_name="Chris Smith", groups=["Students"], department="Lincoln High School",
                   email="csmith1234@student.district.example", mobile="+15550200")


@pytest.fixture
def staff(db):
    return Persona("ana.torres@district.example", "Lucky rivers drift at noon!",
                   display_name="Ana Torres", groups=["Staff"], department="Roosevelt Middle School",
                   email="ana.torres@district.example", mobile="+15550100", alternate_email="ana@personal.example")


@pytest.fixture
def administrator(db):
    return Persona("it.admin@district.example", "Windy otters drift at noon!",
                   display_name="Riley Morgan", groups=["Staff", "Administrators"], department="Technology",
                   email="it.admin@district.example")


def sign_in(client, persona, password=None):
    return client.post("/signin/", {"user_id": persona.user_id, "password": password or persona.password})


@pytest.fixture
def outbox(settings):
    """Codes land in the demo outbox, where a tester (and these tests) read them."""
    settings.DEMO = True

    def latest_code(to):
        message = OutboxMessage.objects.filter(to=to).exclude(channel="email", subject__icontains="changed").first()
        assert message is not None, f"nothing sent to {to}"
        # A call spells the code out ("1, 2, 3, ..."), a text or email writes it whole.
        return find_code(message.body)
    return latest_code


def find_code(body: str) -> str:
    # A call spells the code out ("1, 2, 3, ..."), a text or email writes it whole.
    found = re.search(r"\b\d(?:, \d){5,9}\b|\b\d{6,10}\b", body)
    assert found is not None, f"no code in {body!r}"
    return found.group(0).replace(", ", "")


@pytest.fixture
def captcha_off(settings):
    """The reset flow without its CAPTCHA (tests/reset/test_captcha.py tests that)."""
    settings.CONFIG = settings.CONFIG.model_copy(update={
        "reset": settings.CONFIG.reset.model_copy(update={"captcha": "off"})})


# -- a clock the test moves -------------------------------------------------------------------


class Clock:
    """Frozen at the start of the test; moves only when told. time-machine patches time.time()
    and datetime at C level, so time limits kept either way (the session's timestamps, the
    database's expiry columns through timezone.now) all see the same moved clock."""

    def __init__(self, traveller):
        self._traveller = traveller

    def advance(self, **delta) -> None:
        """clock.advance(minutes=10, seconds=1), with timedelta's keywords."""
        self._traveller.shift(timedelta(**delta))

    def move_to(self, when: datetime) -> None:
        self._traveller.move_to(when, tick=False)

    def now(self) -> datetime:
        return datetime.now(UTC)


@pytest.fixture
def clock():
    with time_machine.travel(datetime.now(UTC).replace(microsecond=0), tick=False) as traveller:
        yield Clock(traveller)


# -- real delivery back-ends on loopback ------------------------------------------------------


@pytest.fixture(scope="session")
def certs(tmp_path_factory):
    return make_certificates(tmp_path_factory.mktemp("certs"))


@pytest.fixture(scope="session")
def _mail_server(certs):
    server = MailServer(certs)
    yield server
    server.stop()


@pytest.fixture
def mail_server(_mail_server):
    _mail_server.received.clear()
    _mail_server.handler.refuse.clear()
    return _mail_server


@pytest.fixture
def gateway():
    server = HttpServer()
    yield server
    server.stop()


@pytest.fixture
def configure(settings):
    """Replace sections of the running configuration, as an operator's file would."""
    def apply(**sections):
        data = django_settings.CONFIG.model_dump()
        for section, values in sections.items():
            data[section].update(values)
        settings.CONFIG = Config.model_validate(data)
        return settings.CONFIG
    return apply


@pytest.fixture
def smtp_settings(mail_server, certs):
    return {"backend": "smtp", "host": "127.0.0.1", "port": mail_server.port, "security": "starttls",
            "username": SMTP_USER, "password": SMTP_PASSWORD, "from_address": "no-reply@district.example",
            "reply_to": "helpdesk@district.example", "timeout": 5.0, "ca_file": str(certs["ca.pem"])}


logging.getLogger("mail.log").setLevel(logging.ERROR)  # aiosmtpd narrates every command


class Screened:
    """What left the portal through the real back-ends: mail the SMTP server accepted, and texts
    and calls the HTTP gateway was asked to make. Called with a destination, it reads the latest
    code sent there, as `outbox` does."""

    def __init__(self, mail_server, gateway):
        self.mail_server, self.gateway = mail_server, gateway

    def emails(self, to: str) -> list:
        return [received.message for received in self.mail_server.received if to in received.recipients]

    def texts(self, to: str) -> list[str]:
        return [request.json["message"] for request in self.gateway.requests
                if request.path == "/sms" and request.json["to"] == to]

    def calls(self, to: str) -> list[str]:
        return [request.json["message"] for request in self.gateway.requests
                if request.path == "/call" and request.json["to"] == to]

    def bodies(self, to: str) -> list[str]:
        mails = [m.get_body(("plain",)).get_content() for m in self.emails(to) if "changed" not in m["Subject"]]
        return mails + self.texts(to) + self.calls(to)

    def nothing_sent(self) -> bool:
        return not self.mail_server.received and not self.gateway.requests

    def __call__(self, to: str) -> str:
        bodies = self.bodies(to)
        assert bodies, f"nothing sent to {to}"
        return find_code(bodies[-1])


@pytest.fixture
def screened_outbox(settings, configure, smtp_settings, mail_server, gateway):
    """Demo mode off, so every message goes through delivery's real screening (phone numbers,
    countries, number types, limits) to real back-ends at their network boundary: email to a
    local SMTP server, texts and calls to the generic HTTP gateway on a local HTTP server."""
    settings.DEMO = False
    configure(email=smtp_settings,
              sms={"backend": "http", "url": gateway.url + "/sms", "timeout": 5.0},
              voice={"backend": "http", "url": gateway.url + "/call", "timeout": 5.0})
    return Screened(mail_server, gateway)
