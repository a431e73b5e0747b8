"""Texts and calls through Twilio's REST API, against a local server that speaks it."""

import re

import pytest
from django.core.management import call_command

from sspr.audit.models import AuditEvent
from sspr.delivery import DeliveryFailed, Message, send, send_code
from sspr.delivery.models import Attempt, Delivery

from .servers import TWILIO_SID, TWILIO_TOKEN, Reply, twilio_error

NUMBER = "+12025550123"


@pytest.fixture
def with_twilio(configure, twilio_settings, smtp_settings):
    return configure(twilio=twilio_settings, sms={"backend": "twilio", "timeout": 2.0},
                     voice={"backend": "twilio", "timeout": 2.0}, email=smtp_settings,
                     delivery={"admin_emails": ["it-alerts@district.example"]})


def test_it_texts_a_code_as_twilio_documents(with_twilio, twilio, student):
    delivery = send_code("sms", "(202) 555-0123", "482913", account=student.user_id, client_ip="10.1.2.3")
    assert delivery.sent and delivery.provider_id.startswith("SM")
    [request] = twilio.requests
    assert request.method == "POST"
    assert request.path == f"/2010-04-01/Accounts/{TWILIO_SID}/Messages.json"
    assert request.basic_auth == (TWILIO_SID, TWILIO_TOKEN)
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert set(request.form) == {"To", "From", "Body"}
    assert request.form["To"] == NUMBER and request.form["From"] == "+12025550100"
    assert request.form["Body"] == ("482913 is your Test Unified School District code. It expires in 10 min. "
                                    "Never share it.\n\n@sspr.test #482913")


def test_a_messaging_service_sends_instead_of_a_number(with_twilio, configure, twilio_settings, twilio):
    service = "MG" + "a" * 32
    configure(twilio={**twilio_settings, "from_number": service})
    send(Message("sms", NUMBER, "hello"))
    assert twilio.requests[0].form["MessagingServiceSid"] == service and "From" not in twilio.requests[0].form


def test_a_call_speaks_the_code_twice_in_the_users_language(with_twilio, twilio):
    delivery = send_code("voice", NUMBER, "482913", language="es")
    assert delivery.provider_id.startswith("CA")
    [request] = twilio.requests
    assert request.path == f"/2010-04-01/Accounts/{TWILIO_SID}/Calls.json"
    assert request.form["To"] == NUMBER and request.form["From"] == "+12025550100"
    twiml = request.form["Twiml"]
    said = re.fullmatch(r'<\?xml version="1.0" encoding="UTF-8"\?><Response><Pause length="1"/>'
                        r'<Say language="es-MX">(.*)</Say></Response>', twiml)
    assert said, twiml
    assert said[1].count("4, 8, 2, 9, 1, 3") == 2
    assert said[1].startswith("Hola. Le llamamos de Test Unified School District.")


def test_the_twiml_cannot_be_broken_by_the_text(with_twilio, twilio):
    send(Message("voice", NUMBER, 'A & B <Hangup/> "quoted"', language="en"))
    assert '<Say language="en-US">A &amp; B &lt;Hangup/&gt; "quoted"</Say>' in twilio.requests[0].form["Twiml"]


@pytest.mark.parametrize("to, code", [("+12025550111", "21610"), ("+12025550112", "21211")])
def test_a_number_twilio_refuses_fails_for_good_in_plain_words(with_twilio, twilio, to, code):
    with pytest.raises(DeliveryFailed) as failed:
        send(Message("sms", to, "hello"), account="ana@district.example")
    assert str(failed.value.user_message) == "We could not send a text to this number; try another method."
    assert f"Twilio {code} (HTTP 400)" in failed.value.reason
    assert len(twilio.requests) == 1  # not retried
    event = AuditEvent.objects.get(tag="delivery:failed")
    assert event.subject == "ana@district.example" and code in event.detail["error"]
    assert Delivery.objects.get().status == "failed"


def test_rejected_credentials_fail_for_good_and_alert_the_admins_once(with_twilio, configure, twilio_settings,
                                                                      twilio, mail_server):
    configure(twilio={**twilio_settings, "auth_token": "stale-token"})
    for _ in range(2):
        with pytest.raises(DeliveryFailed) as failed:
            send(Message("sms", NUMBER, "hello"))
        assert str(failed.value.user_message) == "We cannot send text messages at the moment; try another method."
        assert "Twilio 20003 (HTTP 401)" in failed.value.reason
    [alert] = mail_server.received
    assert alert.recipients == ["it-alerts@district.example"]
    body = alert.message.get_content()
    assert "Twilio 20003" in body and "stale-token" not in body and TWILIO_TOKEN not in body


def test_a_region_without_permission_is_our_setup_not_the_users(with_twilio, twilio, mail_server):
    with pytest.raises(DeliveryFailed) as failed:
        send(Message("sms", "+12025550113", "hello"))
    assert "21408" in failed.value.reason
    assert str(failed.value.user_message) == "We cannot send text messages at the moment; try another method."
    assert len(mail_server.received) == 1


def test_a_busy_or_failing_twilio_is_retried_by_the_worker(with_twilio, twilio):
    twilio.script = [twilio_error(429, 20429, "Too Many Requests"), twilio_error(500, 20500, "Internal Server Error")]
    delivery = send(Message("sms", NUMBER, "hello"))
    assert delivery.status == "queued" and "20429" in delivery.reason
    Delivery.objects.update(next_attempt_at=delivery.created_at)  # the retry is due
    call_command("worker", "--once")
    assert Delivery.objects.get().status == "queued"
    Delivery.objects.update(next_attempt_at=delivery.created_at)
    call_command("worker", "--once")
    stored = Delivery.objects.get()
    assert stored.status == "sent" and stored.attempts == 3
    assert [r.form["Body"] for r in twilio.requests] == ["hello"] * 3
    assert list(Attempt.objects.values_list("outcome", flat=True)) == ["transient", "transient", "sent"]
    tags = list(AuditEvent.objects.order_by("id").values_list("tag", flat=True))
    assert tags == ["delivery:queued", "delivery:deferred", "delivery:deferred", "delivery:sent"]


def test_check_proves_the_credentials_without_sending(with_twilio, configure, twilio_settings, twilio):
    from sspr.delivery.checks import findings

    problems, _ = findings(with_twilio)
    assert problems == []
    assert [(r.method, r.path) for r in twilio.requests] == [("GET", f"/2010-04-01/Accounts/{TWILIO_SID}.json")] * 2
    config = configure(twilio={**twilio_settings, "auth_token": "wrong"})
    problems, _ = findings(config)
    assert problems == ["twilio: Twilio 20003 (HTTP 401): Authenticate"] * 2  # [sms] and [voice] each


def test_twilio_slow_to_answer_does_not_hold_the_request(with_twilio, configure, twilio):
    import time

    configure(sms={"backend": "twilio", "timeout": 0.3})
    twilio.script = [Reply(201, {"sid": "SMlate"}, delay=2)]
    started = time.monotonic()
    delivery = send(Message("sms", NUMBER, "hello"))
    assert time.monotonic() - started < 1.5
    assert delivery.status == "queued" and "no answer within 0.3 s" in delivery.reason
