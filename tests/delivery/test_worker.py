"""The queue survives crashes: real processes are killed half-way through sending, and what they
held is delivered after a restart. Each attempt record stands for at most one send."""

import time

import pytest

from .. import processes
from .servers import Reply

SEND = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from sspr.delivery import Message, send
send(Message("sms", "+12025550123", "Your code is 123456"), account="ana@district.example")
"""


@pytest.fixture
def deployment(tmp_path, gateway):
    return processes.deployment(tmp_path, f"""
[server]
base_url = "https://sspr.test"
secret_key = "worker-test-secret-key-0123456789-abcdefghijklmnop"
[database]
url = "sqlite:///{tmp_path}/queue.sqlite3"
[sms]
backend = "http"
url = "{gateway.url}/sms"
timeout = 30.0
""", "queue.sqlite3")


def wait_for_requests(gateway, count, process):
    deadline = time.monotonic() + 30
    while len(gateway.requests) < count:
        assert process.poll() is None, process.stdout.read()
        assert time.monotonic() < deadline, "the message never reached the gateway"
        time.sleep(0.05)


def kill(process):
    process.kill()
    process.wait()  # reaped: the process is gone, not a zombie


def test_processes_killed_while_sending_lose_nothing(deployment, gateway):
    start, run, query = deployment
    gateway.script = [Reply(200, {}, delay=60), Reply(200, {}, delay=60)]  # hang until killed

    # 1. A portal process accepts the message and starts sending it; it dies mid-request.
    portal = start("-c", SEND)
    wait_for_requests(gateway, 1, portal)
    kill(portal)
    assert query("SELECT status, attempts FROM delivery_delivery") == [("queued", 1)]

    # 2. A worker takes over at once (the claimant is dead), and dies too while sending.
    worker = start("-m", "sspr", "worker", "--poll", "0.1")
    wait_for_requests(gateway, 2, worker)
    kill(worker)

    # 3. After a restart the message goes out.
    finished = run("-m", "sspr", "worker", "--once")
    assert finished.returncode == 0, finished.stderr

    assert query("SELECT status, attempts, body FROM delivery_delivery") == [("sent", 3, "")]
    assert query("SELECT number, outcome FROM delivery_attempt ORDER BY number") == [
        (1, "lost"), (2, "lost"), (3, "sent")]
    # One request per attempt record, each with the whole message.
    assert [request.json for request in gateway.requests] == [
        {"to": "+12025550123", "message": "Your code is 123456"}] * 3
    # The worker's daily work (audited as audit:purge) runs on its first round too.
    tags = [tag for (tag,) in query("SELECT tag FROM audit_auditevent WHERE tag != 'audit:purge' ORDER BY id")]
    assert tags == ["delivery:queued", "delivery:sent"]

