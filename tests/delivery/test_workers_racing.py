"""Workers on several hosts: two real `sspr worker` processes drain one queue at the same time.
On PostgreSQL (`scripts/with-postgres` runs this file against a real server) each takes the next
due message with SELECT ... FOR UPDATE SKIP LOCKED; on SQLite the immediate transaction and the
conditional update decide. Either way every message is sent exactly once, by one of them, and
each attempt record stands for exactly one request to the provider."""

import collections
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from sspr.delivery.models import Attempt, Delivery

from .servers import Reply

TESTS = Path(__file__).resolve().parents[1]
MESSAGES = 40


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_send_each_message_once(gateway):
    # A slow provider, so both workers are sending at the same moment.
    gateway.answer = lambda request: Reply(200, {"id": "gw-" + request.json["message"][-2:]}, delay=0.05)
    now = timezone.now()
    for number in range(MESSAGES):
        Delivery.objects.create(channel="sms", backend="http", to="+12025550123", body=f"Your code is 1000{number:02}",
                                next_attempt_at=now)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("SSPR_", "DJANGO_"))}
    env.update(SSPR_CONFIG=str(TESTS / "sspr-test.toml"), DJANGO_SETTINGS_MODULE="sspr.settings",
               SSPR_DATABASE__URL=database_url(), SSPR_SMS__BACKEND="http", SSPR_SMS__URL=gateway.url + "/sms")
    workers = [subprocess.Popen([sys.executable, "-m", "sspr", "worker", "--poll", "0.1"], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for _ in range(2)]
    try:
        deadline = time.monotonic() + 60
        while Delivery.objects.filter(status=Delivery.Status.QUEUED).exists():
            for worker in workers:
                assert worker.poll() is None, worker.stdout.read()
            assert time.monotonic() < deadline, "the queue was not drained"
            time.sleep(0.1)
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)

    assert set(Delivery.objects.values_list("status", "attempts")) == {("sent", 1)}
    # The provider was asked once per message, and once per attempt record.
    sent = collections.Counter(request.json["message"] for request in gateway.requests)
    assert sent == {f"Your code is 1000{number:02}": 1 for number in range(MESSAGES)}
    assert Attempt.objects.count() == MESSAGES
    assert set(Attempt.objects.values_list("outcome", flat=True)) == {"sent"}
    # Both hosts' workers did their share.
    assert len(set(Attempt.objects.values_list("worker", flat=True))) == 2
