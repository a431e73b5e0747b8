import logging
import os
import re
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.contrib.auth.hashers import make_password
from django.db import OperationalError, connection
from django.utils import timezone

from sspr.config.schema import Config
from sspr.delivery.queue import run_once
from sspr.demo.models import OutboxMessage
from sspr.directory.embedded.models import Account

from .delivery.servers import SMTP_PASSWORD, SMTP_USER, HttpServer, MailServer, make_certificates
from .redis_server import RedisServer
from .sync.servers import ADMIN, GoogleServer, GraphServer, ServiceAccount

# Django's live_server runs in a thread beside Playwright's sync API.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def sign_in_page_forgets_addresses():
    """Each test starts with no address seen by the sign-in page (services.signin keeps a few
    seconds of what it learnt, per process, and every test's browser is 127.0.0.1)."""
    from sspr.services import signin

    signin._lately.clear()


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


@contextmanager
def database_down():
    """Every query fails, as while PostgreSQL restarts or fails over."""
    def refuse(execute, sql, params, many, context):
        raise OperationalError("server closed the connection unexpectedly")

    with connection.execute_wrapper(refuse):
        yield


class Operator:
    """IT staff with a local password and an authenticator app, as `sspr createadmin` makes them."""

    def __init__(self, user_id, password, *, superuser=True, authenticator=True):
        from sspr.accounts.models import User
        from sspr.actors import Actor
        from sspr.services import operators

        self.user_id, self.password = user_id, password
        if superuser:
            self.user = User.objects.create_superuser(user_id, password)
        else:
            self.user = User.objects.create_user(user_id, password, is_operator=True, is_staff=True)
        self.secret = ""
        if authenticator:
            self.secret = operators.issue_authenticator(Actor.cli(), self.user)["secret"].replace(" ", "")

    def code(self, steps_ahead: int = 0) -> str:
        """What the operator's app shows now (or that many 30-second steps later)."""
        from sspr.methods.kinds.totp import STEP_SECONDS, code_at

        return code_at(self.secret, int(time.time() // STEP_SECONDS) + steps_ahead)


@pytest.fixture
def operator(db):
    return Operator("admin.rmorgan", "Operator passphrase for the audit trail!")


@pytest.fixture
def password_checks(monkeypatch):
    """The user IDs whose operator password was actually tested, one entry per test."""
    from sspr.accounts.models import User

    calls = []
    real = User.check_password

    def counting(self, raw):
        calls.append(self.user_id)
        return real(self, raw)

    monkeypatch.setattr(User, "check_password", counting)
    return calls


def admin_sign_in(client, operator, *, password=None, code=None, **extra):
    """Both steps of the admin's sign-in, as far as they go: the last response."""
    response = client.post("/admin/login/", {"username": operator.user_id, "password": password or operator.password},
                           **extra)
    if response.status_code != 302 or not response["Location"].endswith("/admin/login/code/"):
        return response
    return client.post("/admin/login/code/", {"code": code or operator.code()}, **extra)


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


# -- a real Redis for the rate limits ----------------------------------------------------------


@pytest.fixture(scope="session")
def redis_server():
    server = RedisServer().start()
    yield server
    server.remove()


@pytest.fixture
def redis_limits(settings, redis_server):
    """The rate limits in a real Redis, empty at the start of the test: [limits] backend = "redis"."""
    import redis

    if not redis_server.ping():
        redis_server.start()  # a test stopped it
    redis.Redis.from_url(redis_server.url).flushdb()
    config = settings.CONFIG
    settings.CONFIG = config.model_copy(update={"limits": config.limits.model_copy(
        update={"backend": "redis", "redis_url": redis_server.url, "redis_timeout": 1.0})})
    return redis_server


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
        self._mail_server, self._gateway = mail_server, gateway

    # Codes are queued for the worker (the page never waits on a provider): what has left is
    # read after the worker's round, as the person would read it a moment later.
    @property
    def mail_server(self):
        run_once()
        return self._mail_server

    @property
    def gateway(self):
        run_once()
        return self._gateway

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


# -- Google Workspace and Microsoft 365 on loopback, for password sync ----------------------


@pytest.fixture(scope="session")
def service_account():
    return ServiceAccount()


@pytest.fixture
def google(certs, service_account):
    server = GoogleServer(certs, service_account, ADMIN)
    yield server
    server.stop()


@pytest.fixture
def graph(certs):
    server = GraphServer(certs)
    yield server
    server.stop()


def google_settings(server, certs, account: ServiceAccount, **changes) -> dict:
    return {"key": account.key_file(), "subject": ADMIN, "token_uri": server.url + "/token", "api_url": server.url,
            "ca_file": str(certs["ca.pem"]), "timeout": 5.0, **changes}


def graph_settings(server, certs, **changes) -> dict:
    return {"tenant": GraphServer.TENANT, "client_id": GraphServer.CLIENT_ID,
            "client_secret": GraphServer.CLIENT_SECRET, "authority_url": server.url, "graph_url": server.url,
            "ca_file": str(certs["ca.pem"]), "timeout": 5.0, "user_key": "{local}@district.example", **changes}


@pytest.fixture
def syncing(configure, google, graph, certs, service_account, smtp_settings):
    """Google then Microsoft 365 as targets, the admins' address on a real SMTP server."""
    def apply(targets=("google", "microsoft"), google_changes=None, graph_changes=None):
        return configure(
            sync={"targets": list(targets),
                  "google": google_settings(google, certs, service_account, **(google_changes or {})),
                  "microsoft": graph_settings(graph, certs, **(graph_changes or {}))},
            email=smtp_settings, delivery={"admin_emails": ["it-alerts@district.example"]})
    return apply
