"""A second provider per channel (`sms.fallback`, `voice.fallback`): when the first fails
transiently the fallback takes over at once, and the two then take turns on the retries."""

import pytest
from pydantic import ValidationError

from sspr.config.schema import Sms
from sspr.delivery import send_code
from sspr.delivery.models import Delivery
from sspr.delivery.queue import run_once

from .servers import twilio_error

PHONE = "+12025550123"


@pytest.fixture
def twilio_then_gateway(configure, twilio_settings, gateway):
    configure(twilio=twilio_settings,
              sms={"backend": "twilio", "fallback": "http", "url": gateway.url + "/sms", "timeout": 5.0})


def test_when_the_first_provider_is_down_the_fallback_sends_the_code_at_once(twilio_then_gateway, twilio, gateway,
                                                                              clock):
    twilio.script = [twilio_error(503, 20503, "Service Unavailable")]
    send_code("sms", PHONE, "482915", account="ana@district.example", wait=False)
    run_once()  # one round of the worker: Twilio answers 503, and the gateway takes over at once
    assert [request.json["to"] for request in gateway.requests] == [PHONE]
    assert "482915" in gateway.requests[0].json["message"]
    delivery = Delivery.objects.get()
    assert delivery.sent and delivery.attempts == 2 and delivery.backend == "http"
    assert len([r for r in twilio.requests if r.path.endswith("/Messages.json")]) == 1


def test_the_first_provider_still_sends_when_it_works(twilio_then_gateway, twilio, gateway):
    send_code("sms", PHONE, "482915", account="ana@district.example", wait=False)
    run_once()
    assert Delivery.objects.get().backend == "twilio" and not gateway.requests


def test_a_fallback_is_another_back_end_and_needs_a_first_one():
    with pytest.raises(ValidationError, match="fallback must name another back-end"):
        Sms(backend="http", fallback="http")
    with pytest.raises(ValidationError, match="fallback needs a backend first"):
        Sms(fallback="http")
