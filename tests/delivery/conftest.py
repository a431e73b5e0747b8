import logging

import pytest
from django.conf import settings as django_settings

from sspr.config.schema import Config

from .servers import SMTP_PASSWORD, SMTP_USER, TWILIO_SID, TWILIO_TOKEN, HttpServer, MailServer, TwilioServer, \
    make_certificates


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
def twilio():
    server = TwilioServer()
    yield server
    server.stop()


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


@pytest.fixture
def with_email(configure, smtp_settings):
    return configure(email=smtp_settings, delivery={"admin_emails": ["it-alerts@district.example"]})


@pytest.fixture
def twilio_settings(twilio):
    return {"account_sid": TWILIO_SID, "auth_token": TWILIO_TOKEN, "from_number": "+12025550100",
            "base_url": twilio.url}


logging.getLogger("mail.log").setLevel(logging.ERROR)  # aiosmtpd narrates every command


@pytest.fixture(autouse=True)
def _database(db):
    """Every delivery is a database row first."""
