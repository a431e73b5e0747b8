"""The demo district's outbox and the console back-end: nothing leaves the machine, and the tester
sees every code at once, on the outbox page and in the terminal."""

import logging

import sspr.urls  # noqa: F401  imported now, outside demo mode: it adds the outbox route only in demo mode
from sspr.delivery import Message, send, send_code
from sspr.delivery.models import Delivery
from sspr.demo.models import OutboxMessage


def test_in_demo_mode_every_message_lands_in_the_outbox_and_the_terminal_at_once(
        settings, configure, twilio_settings, twilio, caplog, client):
    settings.DEMO = True
    configure(twilio=twilio_settings, sms={"backend": "twilio"})  # ignored: the demo never sends for real
    with caplog.at_level(logging.WARNING, logger="sspr.delivery"):
        delivery = send_code("sms", "+15550100", "482913", wait=False)
    assert delivery.sent and delivery.backend == "demo"
    assert twilio.requests == []
    outbox = OutboxMessage.objects.get()
    assert outbox.channel == "sms" and outbox.to == "+15550100" and "482913" in outbox.body
    assert "demo sms to +15550100" in caplog.text and "482913" in caplog.text


def test_the_demo_outbox_page_shows_the_code(settings, client):
    settings.DEMO = True
    settings.ROOT_URLCONF = "tests.delivery.demo_urls"
    send_code("email", "ana.torres@district.example", "482913")
    page = client.get("/demo/outbox/").content.decode()
    assert "Your Test Unified School District verification code" in page and "482913" in page


def test_the_console_backend_prints_instead_of_sending(configure, caplog):
    configure(voice={"backend": "console"})
    with caplog.at_level(logging.WARNING, logger="sspr.delivery.console"):
        assert send(Message("voice", "+15550100", "Your code is 1, 2, 3", language="en")).sent
    assert "voice to +15550100:  Your code is 1, 2, 3" in caplog.text


def test_an_expired_code_is_never_sent(configure, gateway):
    from django.core.management import call_command

    from .servers import Reply

    configure(sms={"backend": "http", "url": gateway.url + "/sms"})
    gateway.script = [Reply(503, "busy")]
    delivery = send_code("sms", "+12025550123", "482913", minutes=10)
    assert delivery.status == "queued"
    Delivery.objects.update(next_attempt_at=delivery.created_at, expires_at=delivery.created_at)
    call_command("worker", "--once")
    stored = Delivery.objects.get()
    assert stored.status == "failed" and stored.reason == "expired before it could be sent"
    assert len(gateway.requests) == 1
