"""Toll-fraud defences: whatever an attacker asks for, a refused message reaches no provider."""

import pytest

from sspr.audit.models import AuditEvent
from sspr.delivery import DeliveryFailed, DeliveryRefused, Message, send, send_code
from sspr.delivery.models import Delivery


@pytest.fixture
def texts(configure, gateway, twilio_settings, smtp_settings):
    def apply(sms=None, voice=None, **sections):
        return configure(sms={"backend": "http", "url": gateway.url + "/sms", **(sms or {})},
                         voice={"backend": "http", "url": gateway.url + "/call", **(voice or {})},
                         email=smtp_settings, delivery={"admin_emails": ["it-alerts@district.example"]}, **sections)
    apply()
    return apply


def refused(channel, to, **kwargs) -> DeliveryRefused:
    with pytest.raises(DeliveryRefused) as caught:
        send(Message(channel, to, "Your code is 123456"), **kwargs)
    return caught.value


@pytest.mark.parametrize("number, reason", [
    ("+19005550123", "number type premium_rate not allowed"),  # US premium rate
    ("+449000000000", "number type premium_rate not allowed"),  # UK premium rate (even if GB were allowed)
    ("+18005550199", "number type toll_free not allowed"),
    ("+15550100", "not an assigned number"),  # the demo district's made-up numbers
    ("+2025550", "not an assigned number"),
    ("call me maybe", "not a phone number"),
])
def test_numbers_that_are_not_ordinary_subscribers_are_refused(texts, gateway, number, reason):
    texts(sms={"allowed_countries": ["US", "GB"]})
    error = refused("sms", number)
    assert error.reason == reason
    assert str(error.user_message) == "We cannot send a text to this number; try another method."
    assert gateway.requests == [] and not Delivery.objects.exists()


def test_only_the_organisations_country_by_default(texts, gateway):
    for number in ("+447400123456", "+525512345678", "+16135550123"):  # UK, Mexico, Canada
        error = refused("sms", number)
        assert error.reason.startswith("country ") and error.reason.endswith(" not allowed")
    assert gateway.requests == []


def test_other_countries_when_allowed_for_that_channel(texts, gateway):
    texts(sms={"allowed_countries": ["US", "CA"]})
    assert send(Message("sms", "+16135550123", "hi")).sent
    assert refused("voice", "+16135550123").reason == "country CA not allowed"  # voice has its own list
    assert [request.path for request in gateway.requests] == ["/sms"]


def test_national_numbers_are_read_in_the_organisations_country(texts, gateway, configure):
    send(Message("sms", "202-555-0123", "hi"))
    assert gateway.requests[-1].json["to"] == "+12025550123"
    configure(server={"country": "GB"}, sms={"backend": "http", "url": gateway.url + "/sms"})
    send(Message("sms", "07400 123456", "hi"))
    assert gateway.requests[-1].json["to"] == "+447400123456"


def test_a_destination_gets_a_limited_number_of_messages(texts, gateway):
    texts(sms={"limit_per_destination": 3})
    for _ in range(3):
        send(Message("sms", "+12025550123", "hi"))
    error = refused("sms", "+12025550123")
    assert error.reason == "limit per destination reached" and error.retry_after.total_seconds() > 3500
    assert str(error.user_message) == "Too many messages have been sent. Try again later or try another method."
    assert send(Message("sms", "+12025550177", "hi")).sent  # another number is not affected
    assert len(gateway.requests) == 4


def test_walking_through_a_block_of_numbers_is_stopped(texts, gateway):
    texts(sms={"limit_per_prefix": 5})
    for last in range(5):
        send(Message("sms", f"+1202555012{last}", "hi"))
    assert refused("sms", "+12025550129").reason == "limit per prefix reached"
    assert send(Message("sms", "+12025551999", "hi")).sent  # the next block of a thousand
    assert len(gateway.requests) == 6


def test_limits_per_account_and_per_address(texts, gateway):
    texts(sms={"limit_per_account": 2, "limit_per_ip": 3})
    for n in range(2):
        send(Message("sms", f"+1202555{n}123", "hi"), account="Ana@District.example", client_ip="10.0.0.1")
    assert refused("sms", "+12025559123", account="ana@district.example").reason == "limit per account reached"
    send(Message("sms", "+12025558123", "hi"), account="mei@district.example", client_ip="10.0.0.1")
    assert refused("sms", "+12025557123", client_ip="10.0.0.1").reason == "limit per ip reached"
    assert len(gateway.requests) == 3
    event = AuditEvent.objects.filter(tag="delivery:refused").first()
    assert event.client_ip == "10.0.0.1" and event.detail["to"] == "+1••••••••23"


def test_the_daily_spending_cap_stops_sends_and_tells_the_admins_once(texts, gateway, mail_server):
    texts(sms={"cost_per_message": 0.05, "daily_spending_cap": 0.1})
    send(Message("sms", "+12025550123", "hi"))
    send(Message("sms", "+12025550124", "hi"))
    for number in ("+12025550125", "+12025550126"):
        error = refused("sms", number)
        assert error.reason.startswith("daily spending cap 0.1 reached")
        assert str(error.user_message) == "We cannot send text messages at the moment; try another method."
    assert len(gateway.requests) == 2
    [alert] = mail_server.received
    assert alert.recipients == ["it-alerts@district.example"]
    assert alert.message["Subject"] == "[Test Unified School District] sms sending stopped: daily spending cap reached"
    assert "toll fraud" in alert.message.get_content()
    assert AuditEvent.objects.filter(tag="delivery:cap").count() == 1
    assert send(Message("voice", "+12025550123", "hi")).sent  # each channel has its own cap


def test_messages_that_failed_do_not_count_towards_the_cap(texts, gateway):
    from .servers import Reply

    texts(sms={"cost_per_message": 0.05, "daily_spending_cap": 0.05})
    gateway.script = [Reply(400, {"error": "bad number"})]
    with pytest.raises(DeliveryFailed):
        send(Message("sms", "+12025550123", "hi"))
    assert send(Message("sms", "+12025550124", "hi")).sent


def test_demo_numbers_work_in_demo_mode_and_limits_still_apply(texts, settings, configure):
    settings.DEMO = True
    from sspr.demo.models import OutboxMessage

    for _ in range(5):
        send_code("sms", "+15550100", "123456")
    assert refused("sms", "+15550100").reason == "limit per destination reached"
    assert OutboxMessage.objects.filter(to="+15550100").count() == 5
