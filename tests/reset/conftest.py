"""Steps of the reset flow, shared by the tests that walk it (the CAPTCHA is the captcha_off
fixture's business)."""

import pytest


def begin(client, user_id, reason="forgot"):
    assert client.post("/reset/", {"user_id": user_id})["Location"] == "/reset/reason/"
    assert client.post("/reset/reason/", {"reason": reason})["Location"] == "/reset/verify/"


def by_email(client, codes, method):
    """Choose the email method and enter the code sent to it; codes reads it (outbox or screened_outbox)."""
    client.post("/reset/verify/", {"action": "choose", "option": f"{method.pk}:email"})
    return client.post("/reset/verify/", {"action": "verify", "code": codes(method.destination)})


def by_text(client, codes, method, number="(202) 555-0143"):
    """Choose the phone method, type its full number, and enter the code texted to it."""
    client.post("/reset/verify/", {"action": "choose", "option": f"{method.pk}:sms"})
    client.post("/reset/verify/", {"action": "number", "region": "US", "number": number})
    return client.post("/reset/verify/", {"action": "verify", "code": codes(method.destination)})


@pytest.fixture
def two_step_reset(settings):
    """The default reset of two steps (the test configuration takes one, for brevity): its first
    step offers every method the person has."""
    settings.CONFIG = settings.CONFIG.model_copy(update={"methods": settings.CONFIG.methods.model_copy(
        update={"reset_steps": 2})})
