import pytest

from .servers import TWILIO_SID, TWILIO_TOKEN, TwilioServer

# certs, mail_server, gateway, configure and smtp_settings live in tests/conftest.py: the flow
# tests outside this folder send through the same servers.


@pytest.fixture
def twilio():
    server = TwilioServer()
    yield server
    server.stop()


@pytest.fixture
def with_email(configure, smtp_settings):
    return configure(email=smtp_settings, delivery={"admin_emails": ["it-alerts@district.example"]})


@pytest.fixture
def twilio_settings(twilio):
    return {"account_sid": TWILIO_SID, "auth_token": TWILIO_TOKEN, "from_number": "+12025550100",
            "base_url": twilio.url}


@pytest.fixture(autouse=True)
def _database(db):
    """Every delivery is a database row first."""
