"""Retries fit a code's life: someone is waiting on the page, so a code is tried again within
seconds (delivery.code_retry_seconds), while a notice keeps the slow schedule. The worker is
run as it runs in production, a look at the queue every two seconds of a clock the test moves."""

from datetime import timedelta

import pytest

from sspr.delivery import Message, send, send_code
from sspr.delivery.models import Delivery
from sspr.delivery.queue import run_once

from .servers import Reply

PHONE = "+12025550123"
POLL = 2  # seconds: `sspr worker`'s default --poll


@pytest.fixture
def texts(configure, gateway):
    configure(sms={"backend": "http", "url": gateway.url + "/sms", "timeout": 5.0})
    return gateway


def worker_until_sent(clock, gateway, *, within: int) -> int | None:
    """The second at which the worker's round got a text through (None: not within `within`)."""
    for second in range(0, within + 1, POLL):
        run_once()
        if any(200 <= status < 300 for status in gateway.statuses):
            return second
        clock.advance(seconds=POLL)
    return None


def with_statuses(gateway, replies: list[Reply]):
    """The gateway answers `replies`, then 200, remembering each status it gave."""
    gateway.statuses = []

    def answer(request):
        reply = replies.pop(0) if replies else Reply(200, {"id": "gw-1"})
        gateway.statuses.append(reply.status)
        return reply

    gateway.answer = answer
    return gateway


def test_a_code_failing_twice_with_503_reaches_the_phone_within_30_seconds(texts, clock):
    gateway = with_statuses(texts, [Reply(503, "busy"), Reply(503, "busy")])
    send_code("sms", PHONE, "482915", account="ana@district.example", wait=False)
    second = worker_until_sent(clock, gateway, within=30)
    assert second is not None and second <= 30, gateway.statuses
    assert gateway.statuses == [503, 503, 200]
    assert "482915" in gateway.requests[-1].json["message"]
    delivery = Delivery.objects.get()
    assert delivery.sent and delivery.attempts == 3


def test_code_retries_begin_within_5_seconds_and_all_fall_within_a_minute(texts, clock):
    with_statuses(texts, [Reply(503, "busy")] * 10)
    send_code("sms", PHONE, "482915", account="ana@district.example", wait=False)
    tried_at = []
    for second in range(121):
        if run_once():
            tried_at.append(second)
        clock.advance(seconds=1)
    assert tried_at[1] - tried_at[0] <= 5
    assert len(tried_at) >= 4 and tried_at[-1] <= 60
    delivery = Delivery.objects.get()
    assert delivery.status == "failed" and delivery.attempts == len(tried_at) == 5


def test_a_notice_keeps_the_slow_schedule(texts, clock):
    gateway = with_statuses(texts, [Reply(503, "busy")])
    delivery = send(Message("sms", PHONE, "Your password was changed."), account="ana@district.example", wait=False)
    run_once()
    clock.advance(seconds=29)
    run_once()
    assert gateway.statuses == [503]
    clock.advance(seconds=1)
    run_once()
    assert gateway.statuses == [503, 200]
    delivery.refresh_from_db()
    assert delivery.sent and delivery.next_attempt_at - delivery.created_at >= timedelta(seconds=30)
