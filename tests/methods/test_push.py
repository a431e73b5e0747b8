"""Approving sign-ins on the portal's own authenticator app, server side: pairing through the QR
code's link, a sign-in approved with the number shown, and what an attacker tries (a tap without
the number, a wrong number, a replayed or late answer, another phone's key, a flood of requests).
The phone here is what app.js does (a P-256 key, each question and answer signed); the push
service is a local one speaking RFC 8030 over TLS that checks our VAPID JWT and decrypts each
message with the subscription's keys, as the browsers' own do."""

import base64
import html
import re

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from django.test import Client

from sspr.actors import Actor
from sspr.audit.models import AuditEvent, Reason, Tag
from sspr.demo.models import OutboxMessage
from sspr.methods.base import ChallengeContext, VerificationFailed
from sspr.methods.kinds import kind
from sspr.methods.kinds.push import answer_message, poll_message
from sspr.methods.models import Method, PushPairing, PushRequest

from ..conftest import sign_in
from ..delivery.test_check import check as check_setup
from ..places import write_places
from ..push_service import PushService
from .conftest import local_user, open_security_info

VAPID_PEM = ec.generate_private_key(ec.SECP256R1()).private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def text(response) -> str:
    return html.unescape(response.content.decode())


class Phone:
    """What the app does on a phone: a key of its own, each call signed, no cookies."""

    def __init__(self, subscription=None):
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.client = Client()
        self.subscription = subscription
        self.device = ""

    def public_key(self) -> str:
        return b64(self.key.public_key().public_bytes(serialization.Encoding.X962,
                                                      serialization.PublicFormat.UncompressedPoint))

    def sign(self, message: str, key=None) -> str:
        r, s = decode_dss_signature((key or self.key).sign(message.encode(), ec.ECDSA(hashes.SHA256())))
        return b64(r.to_bytes(32, "big") + s.to_bytes(32, "big"))

    def call(self, path: str, body: dict):
        return self.client.post(f"/app/api/{path}", body, content_type="application/json")

    def pair(self, link: str, name="Pixel"):
        token = link.partition("#pair=")[2]
        response = self.call("pair", {"token": token, "public_key": self.public_key(), "name": name,
                                      "subscription": self.subscription.as_browser_gives_it()
                                      if self.subscription else None, "language": "en"})
        if response.status_code == 200:
            self.device = response.json()["device"]
        return response

    def waiting(self, when=None, key=None):
        import time

        moment = str(int(time.time() if when is None else when))
        return self.call("requests", {"device": self.device, "time": moment,
                                      "signature": self.sign(poll_message(self.device, moment), key)})

    def signed_answer(self, request_id: str, number: str, decision="approve", key=None) -> dict:
        number = number if decision == "approve" else ""
        return {"device": self.device, "request": request_id, "number": number, "decision": decision,
                "signature": self.sign(answer_message(request_id, number, decision), key)}

    def answer(self, number: str, decision="approve", request_id=None):
        request_id = request_id or self.waiting().json()["requests"][0]["id"]
        return self.call("answer", self.signed_answer(request_id, number, decision))


@pytest.fixture
def push_service(certs, monkeypatch, configure):
    service = PushService(str(certs["server.pem"]), str(certs["server.key"])).start()
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(certs["ca.pem"]))  # the test CA, as requests reads it
    configure(push={"vapid_private_key": VAPID_PEM, "vapid_subject": "mailto:it@district.example"})
    from sspr.methods import webpush
    webpush._key.cache_clear()
    yield service
    service.stop()
    webpush._key.cache_clear()


def number_on(response) -> str:
    found = re.search(r'class="push-number">.*?<strong>(\d\d)</strong>', response.content.decode(), re.S)
    assert found, "no number on the page"
    return found.group(1)


def link_on(response) -> str:
    found = re.search(r'href="(https://sspr\.test/app/#pair=[A-Za-z0-9_-]+)"', response.content.decode())
    assert found, "no pairing link on the page"
    return found.group(1)


def add_phone(client, persona, phone: Phone, name="Pixel") -> Method:
    """The whole pairing, as the person does it: security info, QR link on the phone, the number."""
    sign_in(client, persona)
    open_security_info(client)
    page = client.get("/security-info/add/push/")
    assert phone.pair(link_on(page), name).status_code == 200
    assert phone.answer(number_on(page)).json() == {"result": "approved"}
    assert client.post("/security-info/add/push/")["Location"] == "/security-info/"
    return Method.objects.get(kind="push", data__device_id=phone.device)


def start_signin(client, persona, method):
    """The password, then "Approve a request on my authenticator app": the page with the number."""
    client.logout()
    assert sign_in(client, persona)["Location"] == "/signin/verify/"
    page = client.post("/signin/verify/", {"action": "choose", "option": f"{method.pk}:"})
    assert page.status_code == 200
    return page


def request_on(response) -> str:
    return re.search(r'name="request" value="([^"]+)"', response.content.decode()).group(1)


def continue_(client, page):
    return client.post("/signin/verify/", {"action": "verify", "request": request_on(page)})


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


# Pairing -------------------------------------------------------------------------------------


def test_a_phone_is_paired_from_the_qr_code_and_becomes_a_method_on_its_first_approval(
        client, student, push_service):
    sign_in(client, student)
    open_security_info(client)
    page = client.get("/security-info/add/push/")
    assert page.status_code == 200
    assert "<svg" in page.content.decode() and 'src="/static/sspr/push-wait.js"' in page.content.decode()
    link, number = link_on(page), number_on(page)
    phone = Phone(push_service.subscribe())
    assert phone.pair(link).status_code == 200
    # Registered but not yet a method: nothing to offer at sign-in until it has approved once.
    assert not Method.objects.filter(kind="push").exists()
    assert client.get("/security-info/add/push/?progress").json() == {"progress": "waiting"}
    # The phone was told through its push service, with our VAPID key and an encrypted payload.
    [told] = push_service.delivered
    assert told.payload["application"] == "pair" and told.payload["title"] == "Are you adding this phone?"
    assert told.claims["sub"] == "mailto:it@district.example" and told.claims["aud"] == push_service.origin
    assert told.ttl == 60 and told.urgency == "high"
    waiting = phone.waiting().json()["requests"]
    assert [r["application"] for r in waiting] == ["pair"] and set(waiting[0]) == {"id", "application", "created",
                                                                                    "expires", "place"}
    assert phone.answer(number).json() == {"result": "approved"}
    assert client.get("/security-info/add/push/?progress").json() == {"progress": "answered"}
    done = client.post("/security-info/add/push/")
    assert done["Location"] == "/security-info/"
    method = Method.objects.get(kind="push")
    assert method.user == local_user(student) and method.name == "Pixel"
    assert method.data["public_key"] == phone.public_key() and method.data["subscription"]["endpoint"]
    assert AuditEvent.objects.filter(tag=Tag.METHOD_ADD, subject=student.user_id, detail__kind="push").exists()
    listing = text(client.get("/security-info/"))
    assert "Authenticator app: approve sign-ins" in listing and "Pixel" in listing


def test_the_pairing_link_works_once(client, student, push_service):
    sign_in(client, student)
    open_security_info(client)
    link = link_on(client.get("/security-info/add/push/"))
    assert Phone().pair(link).status_code == 200
    second = Phone()
    response = second.pair(link)
    assert response.status_code == 404 and response.json() == {"error": "unknown_pairing"}


def test_a_pairing_approved_with_the_wrong_number_makes_no_method(client, student, push_service):
    sign_in(client, student)
    open_security_info(client)
    page = client.get("/security-info/add/push/")
    phone = Phone()
    phone.pair(link_on(page))
    wrong = "10" if number_on(page) != "10" else "11"
    assert phone.answer(wrong).json() == {"result": "wrong_number"}
    assert not Method.objects.filter(kind="push").exists()
    again = client.post("/security-info/add/push/")
    assert again.status_code == 400 and "didn't approve with this number" in text(again)


def test_a_pairing_phone_sees_only_its_own_request(client, student, push_service):
    phone = Phone()
    add_phone(client, student, phone)
    start_signin(Client(), student, Method.objects.get(kind="push"))  # a sign-in on another computer
    open_security_info(client)
    newcomer = Phone()
    newcomer.pair(link_on(client.get("/security-info/add/push/")))
    assert [r["application"] for r in newcomer.waiting().json()["requests"]] == ["pair"]
    assert [r["application"] for r in phone.waiting().json()["requests"]] == ["signin"]


def test_several_phones_per_person_each_removable(client, student, push_service):
    first, second = Phone(), Phone()
    add_phone(client, student, first, "Pixel")
    add_phone(client, student, second, "iPhone")
    methods = list(Method.objects.filter(kind="push").order_by("pk"))
    assert [m.name for m in methods] == ["Pixel", "iPhone"]
    open_security_info(client)
    client.post(f"/security-info/remove/{methods[0].pk}/")
    assert first.waiting().status_code == 404  # the removed phone is told it is no longer added
    assert second.waiting().status_code == 200


# Signing in ----------------------------------------------------------------------------------


def test_a_sign_in_approved_with_the_number_shown(client, student, push_service):
    phone = Phone(push_service.subscribe())
    method = add_phone(client, student, phone)
    push_service.delivered.clear()
    page = start_signin(client, student, method)
    assert "I approved it, continue" in text(page) and 'src="/static/sspr/push-wait.js"' in page.content.decode()
    [told] = push_service.delivered
    assert told.payload["application"] == "signin" and told.payload["title"] == "Are you trying to sign in?"
    # Nothing the phone is told names the person, their password or their address.
    assert student.user_id not in str(told.payload) and student.password not in str(told.payload)
    listed = phone.waiting().content.decode()
    assert student.user_id not in listed and "csmith" not in listed and "127.0.0.1" not in listed
    assert client.get("/signin/verify/?progress").json() == {"progress": "waiting"}
    assert phone.answer(number_on(page)).json() == {"result": "approved"}
    assert client.get("/signin/verify/?progress").json() == {"progress": "answered"}
    assert continue_(client, page)["Location"] == "/account/"
    assert signed_in(client)
    assert AuditEvent.objects.filter(tag=Tag.PUSH_APPROVED, subject=student.user_id).exists()
    assert AuditEvent.objects.filter(tag=Tag.VERIFY_SUCCESS, detail__kind="push").exists()


def test_continuing_before_the_phone_answers_is_not_a_wrong_answer(client, student, push_service):
    method = add_phone(client, student, Phone())
    page = start_signin(client, student, method)
    early = continue_(client, page)
    assert early.status_code == 400 and "We haven't had your answer yet" in text(early)
    assert number_on(early) == number_on(page)  # the same request, still waiting
    assert not AuditEvent.objects.filter(tag=Tag.VERIFY_FAILURE).exists()
    assert not signed_in(client)


def test_a_wrong_number_is_refused_and_ends_the_request(client, student, push_service):
    phone = Phone()
    method = add_phone(client, student, phone)
    page = start_signin(client, student, method)
    request_id = phone.waiting().json()["requests"][0]["id"]
    wrong = "10" if number_on(page) != "10" else "11"
    assert phone.answer(wrong, request_id=request_id).json() == {"result": "wrong_number"}
    # The right number afterwards is too late: one answer per request.
    late = phone.answer(number_on(page), request_id=request_id)
    assert late.status_code == 409 and late.json() == {"error": "answered"}
    refused = continue_(client, page)
    assert refused.status_code == 400 and "didn't match" in text(refused)
    assert not signed_in(client)
    assert AuditEvent.objects.filter(tag=Tag.VERIFY_FAILURE, reason=Reason.WRONG_ANSWER, detail__kind="push").exists()


def test_no_its_not_me_denies_notifies_and_is_audited_as_an_attack(client, student, push_service, outbox):
    phone = Phone()
    method = add_phone(client, student, phone)
    OutboxMessage.objects.all().delete()
    page = start_signin(client, student, method)
    assert phone.answer("", decision="deny").json() == {"result": "denied"}
    refused = continue_(client, page)
    assert refused.status_code == 400 and "No, it's not me" in text(refused)
    assert not signed_in(client)
    denied = AuditEvent.objects.get(tag=Tag.PUSH_DENIED)
    assert denied.subject == student.user_id and denied.reason == Reason.SUSPECTED_ATTACK
    assert AuditEvent.objects.filter(tag=Tag.VERIFY_FAILURE, reason=Reason.SUSPECTED_ATTACK).exists()
    [notice] = OutboxMessage.objects.filter(channel="email", to=student.account.email)
    assert "Someone may be trying to sign in" in notice.subject and "Change your password now" in notice.body
    # The page does not send another request by itself: only the person choosing again does.
    assert "This request has ended" in text(refused)
    # The console's activity report counts it.
    from datetime import timedelta

    from django.utils import timezone

    from sspr.reports import activity
    today = timezone.localdate()
    counts = activity.over_time(today - timedelta(days=1), today, "day")
    assert sum(counts["suspected_attacks"].values()) == 1


def test_denials_bring_a_cool_down(client, student, push_service, outbox):
    phone = Phone()
    method = add_phone(client, student, phone)
    for _ in range(2):  # push.denials_before_cooldown
        start_signin(client, student, method)
        phone.answer("", decision="deny")
    client.logout()
    sign_in(client, student)
    refused = client.post("/signin/verify/", {"action": "choose", "option": f"{method.pk}:"})
    assert refused.status_code == 400 and "Too many attempts" in text(refused)
    assert PushRequest.objects.filter(answered_at__isnull=True).count() == 0  # nothing new sent to the phone


def test_a_replayed_signed_answer_is_refused(client, student, push_service):
    phone = Phone()
    method = add_phone(client, student, phone)
    page = start_signin(client, student, method)
    request_id = phone.waiting().json()["requests"][0]["id"]
    signed = phone.signed_answer(request_id, number_on(page))
    assert phone.call("answer", signed).json() == {"result": "approved"}
    replayed = phone.call("answer", signed)
    assert replayed.status_code == 409 and replayed.json() == {"error": "answered"}
    # Nor does it pass another request: the signature names the request it answers.
    page = start_signin(client, student, method)
    other = phone.waiting().json()["requests"][0]["id"]
    moved = phone.call("answer", {**signed, "request": other})
    assert moved.status_code == 403 and moved.json() == {"error": "bad_signature"}
    assert AuditEvent.objects.filter(tag=Tag.PUSH_REFUSED, reason=Reason.ALREADY_USED).exists()


def test_one_approval_passes_one_verification(client, student, push_service):
    phone = Phone()
    method = add_phone(client, student, phone)
    page = start_signin(client, student, method)
    phone.answer(number_on(page))
    assert continue_(client, page)["Location"] == "/account/"
    request = PushRequest.objects.get(public_id=request_on(page))
    assert request.spent_at is not None
    # The same approval offered to the verification step again (another tab of the same flow).
    context = ChallengeContext(actor=Actor.person(), purpose=request.purpose)
    with pytest.raises(VerificationFailed) as refused:
        kind("push").check(context, method, {"request": request.public_id, "user": method.user_id},
                           {"request": request.public_id})
    assert refused.value.reason == Reason.ALREADY_USED


def test_an_answer_after_sixty_seconds_is_refused(client, student, push_service, clock):
    phone = Phone()
    method = add_phone(client, student, phone)
    page = start_signin(client, student, method)
    request_id = phone.waiting().json()["requests"][0]["id"]
    clock.advance(seconds=61)
    late = phone.answer(number_on(page), request_id=request_id)
    assert late.status_code == 410 and late.json() == {"error": "expired"}
    assert phone.waiting().json() == {"requests": []}
    refused = continue_(client, page)
    assert refused.status_code == 400 and "ended before it was approved" in text(refused)
    assert not signed_in(client)


def test_a_key_from_another_phone_is_refused(client, student, staff, push_service):
    mine, theirs = Phone(), Phone()
    method = add_phone(client, student, mine)
    add_phone(Client(), staff, theirs)
    page = start_signin(client, student, method)
    request_id = mine.waiting().json()["requests"][0]["id"]
    # Signed with another phone's key under this phone's device id: the signature fails.
    forged = mine.call("answer", mine.signed_answer(request_id, number_on(page), key=theirs.key))
    assert forged.status_code == 403 and forged.json() == {"error": "bad_signature"}
    # Another person's phone, signing as itself: the request is not one it can see.
    stranger = theirs.call("answer", theirs.signed_answer(request_id, number_on(page)))
    assert stranger.status_code == 404 and stranger.json() == {"error": "unknown_request"}
    # A phone nobody paired.
    nobody = Phone()
    nobody.device = "made-up-device"
    assert nobody.call("answer", nobody.signed_answer(request_id, number_on(page))).status_code == 404
    assert PushRequest.objects.get(public_id=request_id).answered_at is None
    assert mine.answer(number_on(page), request_id=request_id).json() == {"result": "approved"}


def test_the_phones_question_is_signed_and_fresh(client, student, push_service):
    phone = Phone()
    add_phone(client, student, phone)
    import time
    assert phone.waiting(when=time.time() - 120).status_code == 403
    assert phone.waiting(key=Phone().key).json() == {"error": "bad_signature"}
    assert phone.waiting().status_code == 200


def test_only_a_few_requests_may_wait(client, student, push_service):
    method = add_phone(client, student, Phone())
    for _ in range(3):  # push.pending_per_person
        start_signin(Client(), student, method)
    fourth = Client()
    sign_in(fourth, student)
    refused = fourth.post("/signin/verify/", {"action": "choose", "option": f"{method.pk}:"})
    assert refused.status_code == 400 and "Too many requests are waiting" in text(refused)


def test_garbage_from_a_phone_is_refused_plainly(client, student, push_service):
    phone = Phone()
    for body in ("not json", "[]", '{"token": 5}'):
        response = phone.client.post("/app/api/pair", body, content_type="application/json")
        assert response.status_code == 404
    assert phone.call("pair", {"token": "x" * 40, "public_key": "AAAA"}).json() == {"error": "bad_key"}
    assert phone.client.get("/app/api/answer").status_code == 405


def test_a_subscription_the_push_service_forgot_is_dropped(client, student, push_service):
    subscription = push_service.subscribe()
    phone = Phone(subscription)
    method = add_phone(client, student, phone)
    push_service.forget(subscription)
    start_signin(client, student, method)
    method.refresh_from_db()
    assert "subscription" not in method.data
    assert phone.waiting().json()["requests"]  # the app still hears of it by asking


def test_without_a_vapid_key_nothing_is_pushed_and_the_app_still_works(client, student, push_service, configure):
    from sspr.methods import webpush

    configure(push={"vapid_private_key": ""})
    webpush._key.cache_clear()
    phone = Phone(push_service.subscribe())
    method = add_phone(client, student, phone)
    page = start_signin(client, student, method)
    assert push_service.delivered == []
    phone.answer(number_on(page))
    assert continue_(client, page)["Location"] == "/account/"


def test_the_app_is_served_with_its_manifest_and_worker(client):
    shell = client.get("/app/")
    assert shell.status_code == 200 and '<link rel="manifest" href="/app/manifest.webmanifest">' in text(shell)
    manifest = client.get("/app/manifest.webmanifest")
    assert manifest["Content-Type"] == "application/manifest+json"
    assert manifest.json()["scope"] == "/app/" and manifest.json()["display"] == "standalone"
    worker = client.get("/app/sw.js")
    assert worker["Content-Type"].startswith("text/javascript") and "addEventListener(\"push\"" in text(worker)
    from django.utils import translation

    try:
        spanish = text(client.get("/app/", HTTP_ACCEPT_LANGUAGE="es"))
    finally:
        translation.activate("en")  # the request left Spanish active in this thread
    assert 'lang="es"' in spanish and "<h1>Autenticador</h1>" in spanish and "No, no soy yo" in spanish


def test_pairing_records_are_not_left_to_pile_up(client, student, push_service):
    sign_in(client, student)
    open_security_info(client)
    for _ in range(3):
        client.get("/security-info/add/push/?new")
    assert PushPairing.objects.filter(user=local_user(student)).count() == 1


def check(capsys) -> tuple[int, list[str]]:
    """`sspr check`'s exit code and its lines about [push]."""
    code, lines = check_setup(capsys)
    return code, [line for line in lines if "push." in line]


def test_check_warns_when_push_is_allowed_without_a_vapid_key(db, configure, capsys):
    configure(push={"vapid_private_key": ""})
    assert check(capsys) == (0, ["warning: push.vapid_private_key: not set, so phones are told of sign-in requests "
                                 "only while the authenticator app is open; see docs/push-approval.md"])
    configure(methods={"allowed": ["passkey", "totp", "phone"]})
    assert check(capsys) == (0, [])


def test_check_refuses_a_vapid_key_it_cannot_use(db, configure, capsys):
    configure(push={"vapid_private_key": "not a key"})
    code, lines = check(capsys)
    assert code == 1 and lines == ["error: push.vapid_private_key: not a usable P-256 private key (ValueError)"]
    assert "not a key" not in "".join(lines)
    configure(push={"vapid_private_key": VAPID_PEM})
    assert check(capsys) == (0, [])


def test_the_demo_derives_its_vapid_key_and_check_does_not_warn(db, settings, configure, capsys):
    from sspr.methods import webpush

    configure(push={"vapid_private_key": ""})
    settings.DEMO = True
    webpush._key.cache_clear()
    try:
        key = webpush.application_server_key()
        assert len(webpush.unb64url(key)) == 65  # an uncompressed P-256 point, for pushManager.subscribe
        webpush._key.cache_clear()
        assert webpush.application_server_key() == key  # the same at every start of the demo
        assert check(capsys)[1] == []
        assert f'data-server-key="{key}"' in Client().get("/app/").content.decode()
    finally:
        webpush._key.cache_clear()


def test_subscriptions_must_be_https_host_names(db):
    from sspr.methods.webpush import valid_subscription

    keys = {"p256dh": b64(b"\x04" + b"\x01" * 64), "auth": b64(b"\x02" * 16)}
    assert valid_subscription({"endpoint": "https://fcm.googleapis.com/fcm/send/abc", "keys": keys})
    for endpoint in ("http://fcm.googleapis.com/x", "https://10.0.0.5/x", "https://[::1]/x", "file:///etc/passwd"):
        assert valid_subscription({"endpoint": endpoint, "keys": keys}) is None
    short = {"p256dh": "AA", "auth": "AA"}
    assert valid_subscription({"endpoint": "https://fcm.googleapis.com/x", "keys": short}) is None


def test_a_reset_approved_on_the_phone_tells_the_phone_what_it_is_for(client, student, push_service, captcha_off):
    from ..reset.conftest import begin

    phone = Phone()
    method = add_phone(client, student, phone)
    reset = Client()
    begin(reset, student.user_id)
    page = reset.post("/reset/verify/", {"action": "choose", "option": f"{method.pk}:"})
    assert page.status_code == 200 and "I approved it, continue" in text(page)
    assert reset.get("/reset/verify/?progress").json() == {"progress": "waiting"}
    assert [r["application"] for r in phone.waiting().json()["requests"]] == ["reset"]
    phone.answer(number_on(page))
    done = reset.post("/reset/verify/", {"action": "verify", "request": request_on(page)})
    assert done["Location"] == "/reset/new-password/"


def test_adding_another_phone_shows_a_new_qr_code(client, student, push_service):
    add_phone(client, student, Phone())
    open_security_info(client)
    page = client.get("/security-info/add/push/")
    second = Phone()
    assert second.pair(link_on(page), "iPad").status_code == 200
    assert second.answer(number_on(page)).json() == {"result": "approved"}
    assert sorted(Method.objects.filter(kind="push").values_list("name", flat=True)) == ["Pixel", "iPad"]


def test_a_page_shown_again_after_its_phone_was_added_offers_a_new_qr_code(client, student, push_service):
    sign_in(client, student)
    open_security_info(client)
    first = client.get("/security-info/add/push/")
    assert link_on(client.get("/security-info/add/push/")) == link_on(first)  # a reload keeps it
    phone = Phone()
    phone.pair(link_on(first))
    phone.answer(number_on(first))
    # The person went back to the page instead of continuing: the used link is not shown again.
    assert link_on(client.get("/security-info/add/push/")) != link_on(first)


def test_ended_requests_and_pairings_are_tidied_a_day_later(client, student, push_service, clock):
    from django.utils import timezone

    method = add_phone(client, student, Phone())
    start_signin(client, student, method)
    assert PushRequest.objects.count() == 2 and PushPairing.objects.count() == 1
    clock.advance(hours=23)
    assert kind("push").tidy(timezone.now()) == 0
    clock.advance(hours=2)
    assert kind("push").tidy(timezone.now()) == 3  # the pairing's request, the sign-in's and the pairing
    assert Method.objects.filter(pk=method.pk).exists()


# The approximate place -----------------------------------------------------------------------


@pytest.fixture
def places(tmp_path, configure):
    from sspr.methods import places

    configure(push={"geoip_database": write_places(tmp_path / "places.mmdb")})
    places._reader.cache_clear()
    yield
    places._reader.cache_clear()


def waiting_place(phone, language="en") -> str:
    phone.client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    [request] = phone.waiting().json()["requests"]
    return request["place"]


@pytest.mark.parametrize(("address", "english", "spanish"), [
    ("203.0.113.9", "Springfield, United States", "Springfield, Estados Unidos"),
    ("2001:db8:5::7", "Mexico", "México"),
    ("10.20.30.40", "", ""),  # a school's own network: the database knows nothing of it
])
def test_the_phone_is_told_the_approximate_place_in_its_language(student, push_service, places, address, english,
                                                                 spanish):
    phone = Phone()
    method = add_phone(Client(), student, phone)
    computer = Client(REMOTE_ADDR=address)
    start_signin(computer, student, method)
    assert waiting_place(phone) == english
    assert waiting_place(phone, "es") == spanish
    # Only the names are kept with the request, not the address.
    assert address not in str(PushRequest.objects.filter(pairing__isnull=True).values().get())


def test_without_a_database_no_place_is_shown(client, student, push_service):
    phone = Phone()
    start_signin(Client(REMOTE_ADDR="203.0.113.9"), student, add_phone(client, student, phone))
    assert waiting_place(phone) == ""


def test_check_refuses_a_places_database_it_cannot_read(db, configure, tmp_path, capsys):
    from sspr.methods import places

    (tmp_path / "broken.mmdb").write_bytes(b"not a database")
    for path in (tmp_path / "missing.mmdb", tmp_path / "broken.mmdb"):
        places._reader.cache_clear()
        configure(push={"geoip_database": str(path)})
        code, lines = check(capsys)
        assert code == 1 and any("push.geoip_database: cannot be read" in line for line in lines), lines
    places._reader.cache_clear()
