"""Several instances: a real nginx in front of two `sspr serve` instances (A and B) on one real
PostgreSQL and one real Redis (`[limits] backend = "redis"`), with two `sspr worker` processes
sending texts to a local HTTP gateway. Every instance is interchangeable: what one starts another
finishes, limits and single-use answers hold across them, losing an instance or a worker loses
nothing, and losing Redis or PostgreSQL is a 503 "try again later" until it is back.

The tests talk to A and B directly where the point is which instance answers, and to nginx where
the point is what a person behind the load balancer sees. They share one deployment (started once
for the module, about 20 s) and run in order: the last one kills instance A.
"""

import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest

from .conftest import find_code
from .delivery.servers import HttpServer, Reply
from .instances import Deployment, Nginx, Postgres, fetch, stop, wait_for_port
from .redis_server import RedisServer, free_port

pytestmark = pytest.mark.instances

PASSWORD = "Brave pianos dance on Fridays!"

SETUP = """
import django, sys
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from sspr.accounts.models import User
from sspr.directory.embedded.models import Account
from sspr.methods.models import Method
for number, user_id in enumerate(sys.argv[1:]):
    Account.objects.create(user_id=user_id, password=make_password({password!r}), password_last_set=timezone.now(),
                           display_name=user_id, groups=["Students"])
    user = User.objects.create(user_id=user_id, security_info_confirmed_at=timezone.now())
    method = Method.objects.create(user=user, kind="phone", destination=f"+1202555{{number:04}}")
    print(user_id, method.pk, method.destination)
"""

CONFIG = """
[server]
base_url = "http://127.0.0.1:{nginx}"
secret_key = "instances-test-secret-key-0123456789-abcdefghijklmnop"
trusted_proxies = ["127.0.0.1/32"]
workers = 2
[database]
url = "{database}"
[directory]
domains = ["district.example"]
lockout_threshold = 5
[branding]
org_name = "Test Unified School District"
[methods]
require_registration = false
reset_steps = 1
failures_per_account = 10
sends_per_ip = 1000
[limits]
backend = "redis"
redis_url = "{redis}"
redis_timeout = 0.5
[reset]
captcha = "pow"
# High enough that a stale answer cannot pass by chance against a newer challenge (1 in 2^16).
pow_difficulty = 16
resets_per_ip_per_hour = 1000
[sms]
backend = "http"
url = "{gateway}/sms"
timeout = 5.0
"""

PEOPLE = [f"student{number}@district.example" for number in range(9)]


class Portal:
    def __init__(self, folder: Path):
        self.folder = folder
        self.processes: dict[str, subprocess.Popen] = {}
        self.gateway = self.postgres = self.redis = self.nginx = None

    def start(self) -> "Portal":
        folder = self.folder
        self.gateway = HttpServer()
        self.postgres = Postgres(folder).start()
        self.redis = RedisServer().start()
        self.ports = {"A": free_port(), "B": free_port()}
        self.nginx_port = free_port()
        self.deployment = Deployment(folder, CONFIG.format(
            nginx=self.nginx_port, database=self.postgres.url, redis=self.redis.url, gateway=self.gateway.url))
        methods = self.deployment.run("-c", SETUP.format(password=PASSWORD), *PEOPLE).split("\n")
        self.methods = {user_id: (pk, phone) for user_id, pk, phone in (line.split() for line in methods if line)}
        self.processes.update({name: self.deployment.start(name, "serve", "--host", "127.0.0.1", "--port", str(port))
                               for name, port in self.ports.items()})
        self.processes.update({name: self.deployment.start(name, "worker", "--poll", "0.2")
                               for name in ("worker1", "worker2")})
        for name, port in self.ports.items():
            wait_for_port(port, self.processes[name], log=folder / f"{name}.log")
        self.nginx = Nginx(folder, self.nginx_port, self.ports["A"], self.ports["B"])
        self.urls = {"A": f"http://127.0.0.1:{self.ports['A']}", "B": f"http://127.0.0.1:{self.ports['B']}",
                     "nginx": f"http://127.0.0.1:{self.nginx_port}"}
        return self

    def stop(self) -> None:
        """Everything, each even if another fails to stop."""
        steps = [*(lambda p=p: stop(p) for p in self.processes.values()),
                 *(server.stop for server in (self.nginx, self.postgres, self.gateway) if server is not None),
                 *([self.redis.remove] if self.redis is not None else [])]
        failures = []
        for step in steps:
            try:
                step()
            except Exception as failure:
                failures.append(failure)
        assert not failures, failures

    def code_sent_to(self, phone: str, after: int = 0) -> str:
        """The code in the newest text to `phone` among the gateway's requests from index `after`."""
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            texts = [r.json["message"] for r in self.gateway.requests[after:] if r.json.get("to") == phone]
            if texts:
                return find_code(texts[-1])
            time.sleep(0.05)
        raise AssertionError(f"no text reached {phone}")


@pytest.fixture(scope="module")
def portal():
    folder = Path(tempfile.mkdtemp(prefix="sspr-instances-"))
    started = Portal(folder)
    try:
        yield started.start()
    finally:
        started.stop()
        shutil.rmtree(folder, ignore_errors=True)


class Person:
    """A browser: its cookies go to whichever instance it is pointed at."""

    def __init__(self, portal: Portal):
        self.portal, self.cookies = portal, {}

    def get(self, where: str, path: str):
        return fetch("GET", self.portal.urls[where] + path, cookies=self.cookies)

    def token(self, where: str, path: str) -> str:
        """The CSRF token: the cookie's secret, which Django accepts as the form's token too (a
        GET of the verification page would start its stage over)."""
        if "sspr_csrf" not in self.cookies:
            self.get(where, path)
        return self.cookies["sspr_csrf"]

    def post(self, where: str, path: str, data: dict):
        return fetch("POST", self.portal.urls[where] + path, cookies=self.cookies,
                     form={"csrfmiddlewaretoken": self.token(where, path), **data})

    def signed_in_to_the_code_page(self, where: str, user_id: str) -> tuple[str, str]:
        """Password, then a text chosen: the code page. Returns the method's option and phone."""
        pk, phone = self.portal.methods[user_id]
        answer = self.post(where, "/signin/", {"user_id": user_id, "password": PASSWORD})
        assert answer.status_code == 302 and answer.headers["Location"] == "/signin/verify/", answer.text[:300]
        page = self.post(where, "/signin/verify/", {"action": "choose", "option": f"{pk}:sms"})
        assert page.status_code == 200 and "We texted your phone" in page.text
        return pk, phone


def test_a_sign_in_started_on_a_is_finished_on_b(portal):
    person = Person(portal)
    sent_before = len(portal.gateway.requests)
    _pk, phone = person.signed_in_to_the_code_page("A", PEOPLE[0])
    code = portal.code_sent_to(phone, sent_before)  # sent by whichever worker took it
    answer = person.post("B", "/signin/verify/", {"action": "verify", "code": code})
    assert answer.status_code == 302 and answer.headers["Location"] == "/account/"
    for where in ("A", "B"):
        assert person.get(where, "/account/").status_code == 200
    # One text per code, whichever worker sent it.
    assert [r.json["to"] for r in portal.gateway.requests[sent_before:]] == [phone]


def test_a_hundred_parallel_wrong_codes_over_both_instances_stop_exactly_at_the_threshold(portal):
    person = Person(portal)
    sent_before = len(portal.gateway.requests)
    _pk, phone = person.signed_in_to_the_code_page("A", PEOPLE[1])
    code = portal.code_sent_to(phone, sent_before)
    wrong = f"{(int(code) + 1) % 1_000_000:06}"
    token = person.token("A", "/signin/verify/")
    cookies = dict(person.cookies)
    start, answers = threading.Barrier(100), [None] * 100

    def guess(index: int) -> None:
        start.wait(timeout=30)
        answers[index] = fetch("POST", portal.urls["AB"[index % 2]] + "/signin/verify/", cookies=dict(cookies),
                               form={"csrfmiddlewaretoken": token, "action": "verify", "code": wrong}).text

    threads = [threading.Thread(target=guess, args=(index,)) for index in range(100)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    refused = [page for page in answers if page and "Too many attempts" in page]
    judged = [page for page in answers if page and ("didn&#x27;t work" in page or "no longer valid" in page)]
    assert len(judged) == 10 and len(refused) == 90  # methods.failures_per_account
    # The right code now meets the same cool-down, on either instance.
    again = person.post("B", "/signin/verify/", {"action": "verify", "code": code})
    assert again.status_code == 400 and "Too many attempts" in again.text


def at_once(posts: dict[str, tuple[str, dict, dict]]) -> dict[str, int]:
    """The status of each post (url, form, cookies), all sent at the same moment."""
    start, statuses = threading.Barrier(len(posts)), {}

    def send(name: str, url: str, form: dict, cookies: dict) -> None:
        start.wait(timeout=30)
        statuses[name] = fetch("POST", url, form=form, cookies=dict(cookies)).status_code

    threads = [threading.Thread(target=send, args=(name, *post)) for name, post in posts.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


def solve(challenge: str, difficulty: int) -> str:
    import hashlib

    for number in range(10_000_000):
        digest = hashlib.sha256(f"{challenge}:{number}".encode()).digest()
        if int.from_bytes(digest, "big") >> (256 - difficulty) == 0:
            return str(number)
    raise AssertionError("no solution")


def test_a_reset_started_on_a_is_finished_on_b(portal):
    person, user_id = Person(portal), PEOPLE[8]
    pk, phone = portal.methods[user_id]
    page = person.get("A", "/reset/").text
    challenge = re.search(r'data-challenge="([0-9a-f]+)" data-difficulty="(\d+)"', page)
    answer = person.post("A", "/reset/", {"user_id": user_id,
                                          "captcha_pow": solve(challenge.group(1), int(challenge.group(2)))})
    assert answer.status_code == 302 and answer.headers["Location"] == "/reset/reason/"
    assert person.post("A", "/reset/reason/", {"reason": "forgot"}).headers["Location"] == "/reset/verify/"
    page = person.post("A", "/reset/verify/", {"action": "choose", "option": f"{pk}:sms"})
    assert "complete mobile phone number" in page.text
    sent_before = len(portal.gateway.requests)
    national = f"({phone[2:5]}) {phone[5:8]}-{phone[8:]}"
    page = person.post("A", "/reset/verify/", {"action": "number", "region": "US", "number": national})
    assert "We texted your phone" in page.text
    code = portal.code_sent_to(phone, sent_before)
    answer = person.post("B", "/reset/verify/", {"action": "verify", "code": code})
    assert answer.status_code == 302 and answer.headers["Location"] == "/reset/new-password/"
    new = "Purple lanterns drift over quiet harbors!"
    done = person.post("B", "/reset/new-password/", {"new_password": new, "confirm_password": new})
    assert done.status_code == 200 and "Your password has been reset" in done.text
    # The new password is the one that works, on either instance.
    assert Person(portal).post("A", "/signin/", {"user_id": user_id, "password": PASSWORD}).status_code == 400
    answer = Person(portal).post("B", "/signin/", {"user_id": user_id, "password": new})
    assert answer.status_code == 302 and answer.headers["Location"] == "/signin/verify/"


def test_a_captcha_answer_spent_on_a_is_refused_on_b(portal):
    for _round in range(5):
        person = Person(portal)
        page = person.get("A", "/reset/").text
        challenge = re.search(r'data-challenge="([0-9a-f]+)" data-difficulty="(\d+)"', page)
        form = {"csrfmiddlewaretoken": person.token("A", "/reset/"), "user_id": PEOPLE[2],
                "captcha_pow": solve(challenge.group(1), int(challenge.group(2)))}
        cookies = dict(person.cookies)
        statuses = at_once({where: (portal.urls[where] + "/reset/", form, cookies) for where in "AB"})
        # The same answer, on both instances at once: one of them takes it, the other refuses it.
        assert sorted(statuses.values()) == [302, 400], statuses
        # And spent is spent: sent again to either, it is refused.
        for where in "AB":
            assert fetch("POST", portal.urls[where] + "/reset/", form=form, cookies=dict(cookies)).status_code == 400


def test_with_redis_stopped_the_portal_says_try_again_later_and_recovers(portal):
    person = Person(portal)
    portal.redis.stop()
    try:
        for _ in range(4):  # both instances, through the load balancer
            answer = person.post("nginx", "/signin/", {"user_id": PEOPLE[3], "password": PASSWORD})
            assert answer.status_code == 503 and "Please try again later" in answer.text
            assert answer.headers["Retry-After"] == "30"
        assert person.get("nginx", "/readyz").status_code == 503
    finally:
        portal.redis.start()
    for where in ("A", "B"):
        assert person.get(where, "/readyz").status_code == 200
    answer = person.post("nginx", "/signin/", {"user_id": PEOPLE[3], "password": PASSWORD})
    assert answer.status_code == 302 and answer.headers["Location"] == "/signin/verify/"


def test_with_postgresql_restarted_mid_flow_the_request_is_try_again_later_and_the_flow_continues(portal):
    person = Person(portal)
    sent_before = len(portal.gateway.requests)
    _pk, phone = person.signed_in_to_the_code_page("nginx", PEOPLE[7])
    code = portal.code_sent_to(phone, sent_before)
    portal.postgres.stop("fast")  # a restart: every connection is closed
    try:
        for where in ("A", "B"):
            answer = person.post(where, "/signin/verify/", {"action": "verify", "code": code})
            assert answer.status_code == 503 and "Please try again later" in answer.text, answer.text[:300]
    finally:
        portal.postgres.resume()
    # The instances' old connections are replaced; the person's flow is where they left it.
    answer = person.post("nginx", "/signin/verify/", {"action": "verify", "code": code})
    assert answer.status_code == 302 and answer.headers["Location"] == "/account/"
    assert all(person.get(where, "/account/").status_code == 200 for where in ("A", "B"))


def test_killing_a_worker_mid_send_delivers_after_the_other_takes_over(portal):
    import psycopg

    portal.gateway.script = [Reply(200, {}, delay=30)]  # the first try hangs at the provider
    person = Person(portal)
    sent_before = len(portal.gateway.requests)
    _pk, phone = person.signed_in_to_the_code_page("B", PEOPLE[6])
    deadline = time.monotonic() + 20
    while len(portal.gateway.requests) == sent_before:
        assert time.monotonic() < deadline, "no worker tried to send"
        time.sleep(0.05)
    with psycopg.connect(portal.postgres.url) as db:
        (claimed_by,) = db.execute("SELECT claimed_by FROM delivery_delivery WHERE status = 'queued'").fetchone()
    sending = next(name for name in ("worker1", "worker2") if claimed_by.endswith(f":{portal.processes[name].pid}"))
    stop(portal.processes[sending], signal.SIGKILL)  # mid-send
    code = portal.code_sent_to(phone, sent_before + 1)  # the other worker's try
    answer = person.post("A", "/signin/verify/", {"action": "verify", "code": code})
    assert answer.status_code == 302 and answer.headers["Location"] == "/account/"
    with psycopg.connect(portal.postgres.url) as db:
        attempts = db.execute("SELECT a.number, a.outcome FROM delivery_attempt a JOIN delivery_delivery d "
                              "ON a.delivery_id = d.id WHERE d.\"to\" = %s ORDER BY a.number", [phone]).fetchall()
    # The first try may or may not have reached the phone: it is recorded as lost, not as sent.
    assert attempts == [(1, "lost"), (2, "sent")]
    assert [r.json["to"] for r in portal.gateway.requests[sent_before:]] == [phone, phone]


def test_killing_instance_a_mid_flow_loses_nothing(portal):
    person = Person(portal)
    sent_before = len(portal.gateway.requests)
    _pk, phone = person.signed_in_to_the_code_page("A", PEOPLE[4])
    stop(portal.processes["A"], signal.SIGKILL)  # the master and its workers, at once
    code = portal.code_sent_to(phone, sent_before)
    # Behind nginx the person carries on: their requests go to B.
    answer = person.post("nginx", "/signin/verify/", {"action": "verify", "code": code})
    assert answer.status_code == 302 and answer.headers["Location"] == "/account/"
    assert all(person.get("nginx", "/account/").status_code == 200 for _ in range(4))
    # And a new sign-in starts and ends behind nginx with one instance left.
    other = Person(portal)
    sent_before = len(portal.gateway.requests)
    _pk, phone = other.signed_in_to_the_code_page("nginx", PEOPLE[5])
    code = portal.code_sent_to(phone, sent_before)
    answer = other.post("nginx", "/signin/verify/", {"action": "verify", "code": code})
    assert answer.status_code == 302 and answer.headers["Location"] == "/account/"
