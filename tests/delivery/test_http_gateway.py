"""The generic HTTP gateway, against a local receiver: the templated request, and every way a
provider fails (down, slow, 4xx for good, 5xx then fine)."""

import time

import pytest
from django.core.management import call_command

from sspr.delivery import DeliveryFailed, Message, send
from sspr.delivery.models import Delivery

from .servers import Reply, free_port

NUMBER = "+12025550123"
TRICKY = 'Code 123456 "quoted" & {token} \\ ünïcode\nline two'


@pytest.fixture
def http_sms(configure, gateway):
    def apply(**values):
        return configure(sms={"backend": "http", "url": gateway.url + "/send", "timeout": 1.0, **values})
    return apply


def test_the_default_body_is_json_with_every_character_escaped(http_sms, gateway):
    http_sms(headers={"Authorization": "Bearer {token}"}, token="gw-secret-1")
    assert send(Message("sms", NUMBER, TRICKY)).sent
    [request] = gateway.requests
    assert request.method == "POST" and request.path == "/send"
    assert request.headers["content-type"] == "application/json; charset=utf-8"
    assert request.headers["authorization"] == "Bearer gw-secret-1"
    # The text arrives exactly (in GSM-7 where it has a look-alike), and "{token}" in it stays text.
    assert request.json == {"to": NUMBER, "message": 'Code 123456 "quoted" & {token} \\ ünicode\nline two'}


def test_a_form_body_and_a_query_string(http_sms, gateway):
    http_sms(url=gateway.url + "/api?key={token}&lang={language}", token="k&y",
             headers={"Content-Type": "application/x-www-form-urlencoded"}, body="dest={to}&text={message}")
    send(Message("sms", NUMBER, "a&b=c", language="es"))
    [request] = gateway.requests
    assert request.query == {"key": ["k&y"], "lang": ["es"]}
    assert request.form == {"dest": NUMBER, "text": "a&b=c"}


def test_a_get_gateway_has_everything_in_the_url(http_sms, gateway):
    http_sms(method="GET", url=gateway.url + "/send?to={to}&msg={message}")
    send(Message("sms", NUMBER, "hi there & bye"))
    [request] = gateway.requests
    assert request.method == "GET" and request.body == b""
    assert request.query == {"to": [NUMBER], "msg": ["hi there & bye"]}


def test_a_header_cannot_be_injected_through_the_text(configure, gateway):
    configure(voice={"backend": "http", "url": gateway.url + "/call", "headers": {"X-Text": "{message}"}})
    send(Message("voice", NUMBER, "hello\r\nX-Injected: yes"))
    [request] = gateway.requests
    assert "x-injected" not in request.headers and request.headers["x-text"] == "hello X-Injected: yes"


def test_a_gateway_that_is_down_leaves_the_message_queued(http_sms):
    http_sms(url=f"http://127.0.0.1:{free_port()}/send")
    delivery = send(Message("sms", NUMBER, "hello"))
    assert delivery.status == "queued" and "cannot reach" in delivery.reason


def test_a_slow_gateway_times_out_and_the_message_waits_for_the_worker(http_sms, gateway):
    http_sms(timeout=0.3)
    gateway.script = [Reply(200, {}, delay=2)]
    started = time.monotonic()
    delivery = send(Message("sms", NUMBER, "hello"))
    assert time.monotonic() - started < 1.5
    assert delivery.status == "queued" and "no answer within 0.3 s" in delivery.reason


def test_a_4xx_is_a_permanent_failure(http_sms, gateway):
    http_sms(token="gw-secret-2", headers={"Authorization": "Bearer {token}"})
    gateway.script = [Reply(400, {"error": "invalid destination", "echo": "Bearer gw-secret-2"})]
    with pytest.raises(DeliveryFailed) as failed:
        send(Message("sms", NUMBER, "hello"))
    assert str(failed.value.user_message) == "We could not send a text to this number; try another method."
    assert "gateway HTTP 400" in failed.value.reason and "invalid destination" in failed.value.reason
    assert "gw-secret-2" not in Delivery.objects.get().reason
    assert len(gateway.requests) == 1


def test_a_5xx_is_retried_then_succeeds(http_sms, gateway):
    http_sms()
    gateway.script = [Reply(503, "Service Unavailable")]
    delivery = send(Message("sms", NUMBER, "hello"))
    assert delivery.status == "queued" and "gateway HTTP 503" in delivery.reason
    Delivery.objects.update(next_attempt_at=delivery.created_at)
    call_command("worker", "--once")
    stored = Delivery.objects.get()
    assert stored.status == "sent" and stored.attempts == 2 and stored.provider_id.startswith("gw-")
    assert [r.json["message"] for r in gateway.requests] == ["hello", "hello"]


def test_the_worker_waits_for_the_backoff(http_sms, gateway):
    http_sms()
    gateway.script = [Reply(503, "busy")]
    delivery = send(Message("sms", NUMBER, "hello"))
    call_command("worker", "--once")
    assert len(gateway.requests) == 1  # the retry is 30 s away
    assert (Delivery.objects.get().next_attempt_at - delivery.created_at).total_seconds() >= 29


def test_after_the_last_attempt_it_gives_up(http_sms, configure, gateway):
    http_sms()
    configure(delivery={"max_attempts": 2})
    gateway.script = [Reply(502, "bad gateway")] * 2
    delivery = send(Message("sms", NUMBER, "hello"))
    Delivery.objects.update(next_attempt_at=delivery.created_at)
    call_command("worker", "--once")
    stored = Delivery.objects.get()
    assert stored.status == "failed" and stored.attempts == 2 and stored.body == ""
