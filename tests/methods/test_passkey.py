"""Passkeys (WebAuthn) driven by a software authenticator: registration and sign-in through the
real pages, and the attacks the ceremony must stop (another origin, a replayed or relayed answer,
somebody else's credential, a signature counter that goes backwards)."""

import base64
import hashlib
import html
import json
import os
import re
from types import SimpleNamespace

import cbor2
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from django.test import Client
from playwright.sync_api import expect

from sspr.actors import Actor
from sspr.audit.models import AuditEvent
from sspr.methods.attempts import Budget, guarded
from sspr.methods.base import ChallengeContext, VerificationFailed
from sspr.methods.kinds import passkey
from sspr.methods.kinds.passkey import Passkey, user_handle
from sspr.methods.models import Method
from sspr.methods.rules import failures_per_account

from ..browser.conftest import CHROMIUM
from ..browser.helpers import assert_accessible
from ..browser.helpers import sign_in as browser_sign_in
from ..conftest import sign_in
from .conftest import local_user, open_security_info, verify_with

ORIGIN = "https://sspr.test"  # tests/sspr-test.toml's base_url
CHROMEBOOK = ("Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 "
              "Safari/537.36")


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SoftwareAuthenticator:
    """A passkey authenticator in software, doing what a browser and its authenticator do: one
    EC P-256 key, "none" attestation, user present and verified, a signature counter. Like an
    attacker's client, it signs whatever it is asked to; the server has to do the refusing."""

    UP, UV, AT = 0x01, 0x04, 0x40

    def __init__(self, counts=True):
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(32)
        self.sign_count = 0
        self.counts = counts  # synced passkeys (Apple, Google) always report 0

    def cose_public_key(self) -> bytes:
        numbers = self.key.public_key().public_numbers()
        return cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})

    def authenticator_data(self, rp_id: str, flags: int, attested: bytes = b"") -> bytes:
        return hashlib.sha256(rp_id.encode()).digest() + bytes([flags]) + self.sign_count.to_bytes(4, "big") + attested

    @staticmethod
    def client_data(kind: str, challenge: str, origin: str) -> bytes:
        return json.dumps({"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": False}).encode()

    def create(self, options: dict, origin: str = ORIGIN) -> dict:
        """navigator.credentials.create() and passkey.js's JSON."""
        client_data = self.client_data("webauthn.create", options["challenge"], origin)
        attested = (bytes(16) + len(self.credential_id).to_bytes(2, "big") + self.credential_id
                    + self.cose_public_key())
        auth_data = self.authenticator_data(options["rp"]["id"], self.UP | self.UV | self.AT, attested)
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return {"id": b64(self.credential_id), "rawId": b64(self.credential_id), "type": "public-key",
                "authenticatorAttachment": "platform", "clientExtensionResults": {},
                "response": {"clientDataJSON": b64(client_data), "attestationObject": b64(attestation),
                             "transports": ["internal", "hybrid"]}}

    def get(self, options: dict, origin: str = ORIGIN, rp_id: str | None = None, handle: bytes | None = None) -> dict:
        """navigator.credentials.get() and passkey.js's JSON."""
        if self.counts:
            self.sign_count += 1
        client_data = self.client_data("webauthn.get", options["challenge"], origin)
        auth_data = self.authenticator_data(rp_id or options["rpId"], self.UP | self.UV)
        signature = self.key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        return {"id": b64(self.credential_id), "rawId": b64(self.credential_id), "type": "public-key",
                "authenticatorAttachment": "platform", "clientExtensionResults": {},
                "response": {"clientDataJSON": b64(client_data), "authenticatorData": b64(auth_data),
                             "signature": b64(signature), "userHandle": b64(handle) if handle else None}}


def page_options(response) -> dict:
    """The options passkey.js reads from the page (Django's json_script)."""
    found = re.search(r'<script id="passkey-options" type="application/json">(.*?)</script>',
                      response.content.decode(), re.S)
    assert found, "no passkey options on the page"
    return json.loads(found.group(1))


def text(response) -> str:
    return html.unescape(response.content.decode())


def give_passkey(persona, authenticator, name="Chromebook") -> Method:
    """A passkey as registration stores it, without going through the pages."""
    return Method.objects.create(user=local_user(persona), kind="passkey", name=name, data={
        "credential_id": b64(authenticator.credential_id), "user_handle": b64(user_handle(local_user(persona))),
        "public_key": b64(authenticator.cose_public_key()), "sign_count": authenticator.sign_count,
        "transports": ["internal"]})


def register(client, authenticator, name="Chromebook", **headers):
    options = page_options(client.get("/security-info/add/passkey/", **headers))
    return client.post("/security-info/add/passkey/",
                       {"name": name, "credential": json.dumps(authenticator.create(options))}, **headers)


def start_verification(client, persona, method) -> dict:
    """Sign in with the password and choose the passkey; the options the verify page offers."""
    assert sign_in(client, persona)["Location"] == "/signin/verify/"
    response = client.post("/signin/verify/", {"action": "choose", "option": f"{method.pk}:"})
    assert response.status_code == 200
    return page_options(response)


def answer(client, credential):
    return client.post("/signin/verify/", {"action": "verify", "credential": json.dumps(credential)})


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def failures(persona) -> int:
    from sspr.limits.models import Counter

    counter = Counter.objects.filter(name=failures_per_account().name, key=f"signin:{local_user(persona).pk}").first()
    return counter.count if counter else 0


# Registration ------------------------------------------------------------------------------------

def test_a_student_registers_a_passkey(client, student):
    sign_in(client, student)
    open_security_info(client)
    page = client.get("/security-info/add/passkey/", HTTP_USER_AGENT=CHROMEBOOK)
    assert page.status_code == 200
    assert 'value="Chromebook"' in page.content.decode()  # a name guessed from the browser, to change
    assert '<script src="/static/sspr/passkey.js" defer></script>' in page.content.decode()
    options = page_options(page)
    assert options["rp"] == {"id": "sspr.test", "name": "Test Unified School District"}
    assert options["user"]["name"] == student.user_id and options["user"]["displayName"] == "Chris Smith"
    assert unb64(options["user"]["id"]) == user_handle(local_user(student))
    assert options["authenticatorSelection"]["userVerification"] == "preferred"
    assert options["attestation"] == "none" and options["excludeCredentials"] == []

    authenticator = SoftwareAuthenticator()
    response = client.post("/security-info/add/passkey/", {
        "name": "My Chromebook", "credential": json.dumps(authenticator.create(options))})
    assert response.status_code == 302 and response["Location"] == "/security-info/"
    method = Method.objects.get()
    assert (method.kind, method.name, method.user.user_id) == ("passkey", "My Chromebook", student.user_id)
    assert method.data["credential_id"] == b64(authenticator.credential_id)
    assert method.data["user_handle"] == options["user"]["id"]
    assert unb64(method.data["public_key"]) == authenticator.cose_public_key()
    assert method.data["sign_count"] == 0 and method.data["transports"] == ["internal", "hybrid"]
    assert AuditEvent.objects.filter(tag="method:add", subject=student.user_id, detail__kind="passkey").exists()
    assert Passkey().describe(method) == "Use my passkey (My Chromebook)"


def test_a_person_may_have_a_passkey_on_each_device(client, student):
    sign_in(client, student)
    open_security_info(client)
    chromebook, phone = SoftwareAuthenticator(), SoftwareAuthenticator()
    assert register(client, chromebook)["Location"] == "/security-info/"
    options = page_options(client.get("/security-info/add/passkey/"))
    # The browser is told which credentials exist, so the same device is not registered twice.
    assert [c["id"] for c in options["excludeCredentials"]] == [b64(chromebook.credential_id)]
    assert options["excludeCredentials"][0]["transports"] == ["internal", "hybrid"]
    assert register(client, phone, name="Phone")["Location"] == "/security-info/"
    assert sorted(Method.objects.values_list("name", flat=True)) == ["Chromebook", "Phone"]
    assert Passkey().one_per_person is False and Passkey().strength == 5


def test_one_credential_cannot_be_registered_twice_nor_by_someone_else(client, student, staff):
    authenticator = SoftwareAuthenticator()
    sign_in(client, student)
    open_security_info(client)
    assert register(client, authenticator)["Location"] == "/security-info/"
    again = register(client, authenticator)
    assert again.status_code == 400 and "That passkey is already registered." in text(again)
    other = Client()
    sign_in(other, staff)
    open_security_info(other)
    response = register(other, authenticator)
    assert response.status_code == 400 and "That passkey is already registered." in text(response)
    assert Method.objects.count() == 1


def test_registration_from_another_origin_is_refused(client, student, reasons):
    sign_in(client, student)
    open_security_info(client)
    options = page_options(client.get("/security-info/add/passkey/"))
    credential = SoftwareAuthenticator().create(options, origin="https://sspr.test.evil.example")
    response = client.post("/security-info/add/passkey/", {"name": "Laptop", "credential": json.dumps(credential)})
    assert response.status_code == 400 and "We couldn't register that passkey." in text(response)
    assert not Method.objects.exists() and reasons() == [
        'Unexpected client data origin "https://sspr.test.evil.example", expected "https://sspr.test"']


def test_a_registration_answer_works_once_and_only_in_its_own_session(client, student):
    sign_in(client, student)
    open_security_info(client)
    options = page_options(client.get("/security-info/add/passkey/"))
    credential = json.dumps(SoftwareAuthenticator().create(options))
    # Another session of the same person, holding its own challenge, cannot use this answer.
    other = Client()
    sign_in(other, student)
    open_security_info(other)
    other.get("/security-info/add/passkey/")
    assert other.post("/security-info/add/passkey/", {"name": "X", "credential": credential}).status_code == 400
    assert not Method.objects.exists()
    # A wrong answer spends the challenge, so the right one cannot follow it.
    wrong = json.loads(credential)
    wrong["response"]["clientDataJSON"] = b64(SoftwareAuthenticator.client_data(
        "webauthn.create", options["challenge"], "https://evil.example"))
    client.post("/security-info/add/passkey/", {"name": "X", "credential": json.dumps(wrong)})
    assert client.post("/security-info/add/passkey/", {"name": "X", "credential": credential}).status_code == 400
    assert not Method.objects.exists()


def test_without_an_answer_or_a_name_nothing_is_registered(client, student):
    sign_in(client, student)
    open_security_info(client)
    client.get("/security-info/add/passkey/")
    response = client.post("/security-info/add/passkey/", {"name": "Laptop", "credential": ""})
    assert response.status_code == 400 and "Your browser didn't create a passkey." in text(response)
    options = page_options(response)  # a fresh challenge to try again with
    response = client.post("/security-info/add/passkey/", {
        "name": "", "credential": json.dumps(SoftwareAuthenticator().create(options))})
    assert response.status_code == 400 and "This field is required." in text(response)
    assert not Method.objects.exists()


# Sign-in -----------------------------------------------------------------------------------------

def test_sign_in_with_a_passkey(client, student):
    authenticator = SoftwareAuthenticator()
    method = give_passkey(student, authenticator)
    options = start_verification(client, student, method)
    assert options["rpId"] == "sspr.test" and options["userVerification"] == "preferred"
    assert [c["id"] for c in options["allowCredentials"]] == [b64(authenticator.credential_id)]
    response = answer(client, authenticator.get(options))
    assert response.status_code == 302 and response["Location"] != "/signin/verify/"
    assert signed_in(client)
    method.refresh_from_db()
    assert method.data["sign_count"] == 1 and method.last_used_at is not None
    assert failures(student) == 0


def test_a_passkey_registered_through_the_pages_signs_in(client, student):
    authenticator = SoftwareAuthenticator()
    sign_in(client, student)
    open_security_info(client)
    register(client, authenticator)
    client.post("/signout/")
    options = start_verification(client, student, Method.objects.get())
    assert answer(client, authenticator.get(options)).status_code == 302 and signed_in(client)


def test_any_of_the_persons_passkeys_will_do(client, student):
    chromebook, phone = SoftwareAuthenticator(), SoftwareAuthenticator()
    first = give_passkey(student, chromebook)
    second = give_passkey(student, phone, name="Phone")
    options = start_verification(client, student, first)
    assert {c["id"] for c in options["allowCredentials"]} == {b64(chromebook.credential_id), b64(phone.credential_id)}
    assert answer(client, phone.get(options)).status_code == 302 and signed_in(client)
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.data["sign_count"] == 1 and first.data["sign_count"] == 0


def test_passkeys_that_never_count_keep_working(client, student):
    synced = SoftwareAuthenticator(counts=False)
    method = give_passkey(student, synced)
    for _round in range(2):
        options = start_verification(client, student, method)
        assert answer(client, synced.get(options)).status_code == 302 and signed_in(client)
        client.post("/signout/")


# Attacks -----------------------------------------------------------------------------------------

def refused(response):
    return response.status_code == 400 and "We couldn't verify your passkey." in text(response)


@pytest.fixture
def reasons(caplog):
    """Why each answer was refused, as logged: each attack must fail for its own reason."""
    caplog.set_level("INFO", logger="sspr.methods")
    return lambda: [r.getMessage().partition(": ")[2] for r in caplog.records if "refused" in r.getMessage()]


def test_an_answer_made_for_another_origin_fails(client, student, reasons):
    authenticator = SoftwareAuthenticator()
    method = give_passkey(student, authenticator)
    options = start_verification(client, student, method)
    # A phishing site relaying our options: the browser writes its own origin into clientDataJSON.
    assert refused(answer(client, authenticator.get(options, origin="https://sspr-test.example")))
    assert not signed_in(client) and failures(student) == 1
    # Nor can it claim our origin while the authenticator signed for its own relying party.
    options = start_verification(client, student, method)
    assert refused(answer(client, authenticator.get(options, rp_id="sspr-test.example")))
    assert not signed_in(client) and failures(student) == 2
    assert reasons() == ['Unexpected client data origin "https://sspr-test.example", expected "https://sspr.test"',
                         "Unexpected RP ID hash"]


def test_a_replayed_answer_fails(client, student, reasons):
    authenticator = SoftwareAuthenticator(counts=False)  # so only the challenge can stop it
    method = give_passkey(student, authenticator)
    options = start_verification(client, student, method)
    used = authenticator.get(options)
    assert answer(client, used).status_code == 302 and signed_in(client)
    client.post("/signout/")
    start_verification(client, student, method)
    assert refused(answer(client, used)) and not signed_in(client)
    assert reasons() == ["Client data challenge was not expected challenge"]


def test_a_wrong_answer_spends_the_challenge(client, student, reasons):
    authenticator = SoftwareAuthenticator()
    method = give_passkey(student, authenticator)
    options = start_verification(client, student, method)
    right = authenticator.get(options)
    wrong = dict(right, response=dict(right["response"], signature=b64(b"\x30\x06\x02\x01\x01\x02\x01\x01")))
    assert refused(answer(client, wrong))
    late = answer(client, right)
    assert refused(late) and not signed_in(client)
    assert reasons() == ["Could not verify authentication signature",
                         "Client data challenge was not expected challenge"]
    # The page offers a fresh challenge, which does work.
    fresh = page_options(late)
    assert fresh["challenge"] != options["challenge"]
    assert answer(client, authenticator.get(fresh)).status_code == 302 and signed_in(client)


def test_an_answer_to_a_challenge_from_another_session_fails(client, student, reasons):
    authenticator = SoftwareAuthenticator()
    method = give_passkey(student, authenticator)
    victim, attacker = client, Client()
    victim_options = start_verification(victim, student, method)
    start_verification(attacker, student, method)  # the attacker knows the password
    # The victim's answer, captured and sent in the attacker's session, does not match its challenge.
    assert refused(answer(attacker, authenticator.get(victim_options))) and not signed_in(attacker)
    assert reasons() == ["Client data challenge was not expected challenge"]


def test_a_credential_of_another_person_fails(client, student, staff, reasons):
    mine, theirs = SoftwareAuthenticator(), SoftwareAuthenticator()
    method = give_passkey(student, mine)
    give_passkey(staff, theirs)
    options = start_verification(client, student, method)
    # A valid signature over this very challenge, from a passkey registered to someone else.
    assert refused(answer(client, theirs.get(options))) and not signed_in(client)
    assert failures(student) == 1 and reasons() == ["not a passkey of this person"]


def test_a_user_handle_naming_someone_else_fails(client, student, staff, reasons):
    authenticator = SoftwareAuthenticator()
    method = give_passkey(student, authenticator)
    options = start_verification(client, student, method)
    assert refused(answer(client, authenticator.get(options, handle=user_handle(local_user(staff)))))
    assert reasons() == ["the user handle is not this person's"]
    options = start_verification(client, student, method)
    assert answer(client, authenticator.get(options, handle=user_handle(local_user(student)))).status_code == 302


def test_a_sign_count_that_goes_backwards_fails(client, student, reasons):
    authenticator = SoftwareAuthenticator()
    method = give_passkey(student, authenticator)
    method.data["sign_count"] = 5
    method.save()
    authenticator.sign_count = 3  # a clone of the key, behind the original
    options = start_verification(client, student, method)
    assert refused(answer(client, authenticator.get(options)))  # signs with 4
    options = page_options(client.post("/signin/verify/", {"action": "choose", "option": f"{method.pk}:"}))
    assert refused(answer(client, authenticator.get(options)))  # 5: not forward either
    method.refresh_from_db()
    assert method.data["sign_count"] == 5 and not signed_in(client)
    assert reasons() == ["Response sign count of 4 was not greater than current count of 5",
                         "Response sign count of 5 was not greater than current count of 5"]
    options = page_options(client.post("/signin/verify/", {"action": "choose", "option": f"{method.pk}:"}))
    assert answer(client, authenticator.get(options)).status_code == 302  # 6
    method.refresh_from_db()
    assert method.data["sign_count"] == 6


def test_garbage_is_refused_and_counted(client, student):
    method = give_passkey(student, SoftwareAuthenticator())
    for junk in ["not json", "[]", json.dumps({"id": "x", "rawId": "!!", "type": "public-key", "response": {}})]:
        start_verification(client, student, method)
        response = client.post("/signin/verify/", {"action": "verify", "credential": junk})
        assert refused(response)
    assert failures(student) == 3 and not signed_in(client)


def test_no_answer_at_all_is_not_a_wrong_answer(client, student):
    method = give_passkey(student, SoftwareAuthenticator())
    start_verification(client, student, method)
    response = client.post("/signin/verify/", {"action": "verify", "credential": ""})
    assert response.status_code == 400 and "Your browser didn't use a passkey." in text(response)
    assert failures(student) == 0


# The verifier on its own --------------------------------------------------------------------------

@pytest.fixture
def clock(monkeypatch):
    fake = SimpleNamespace(now=1_790_000_000.0)
    monkeypatch.setattr(passkey, "time", SimpleNamespace(time=lambda: fake.now))
    return fake


def context(purpose):
    return ChallengeContext(Actor.person(), purpose)


def answer_to(authenticator, challenge):
    return {"credential": json.dumps(authenticator.get(challenge.display["passkey_options"]))}


def test_a_challenge_is_for_one_purpose_and_ten_minutes(student, clock):
    authenticator = SoftwareAuthenticator()
    method = give_passkey(student, authenticator)
    challenge = Passkey().start(context("signin"), method)
    with pytest.raises(VerificationFailed):
        Passkey().check(context("reset"), method, challenge.state, answer_to(authenticator, challenge))

    challenge = Passkey().start(context("signin"), method)
    clock.now += 10 * 60 + 1
    with pytest.raises(VerificationFailed):
        Passkey().check(context("signin"), method, challenge.state, answer_to(authenticator, challenge))

    challenge = Passkey().start(context("signin"), method)
    clock.now += 9 * 60
    Passkey().check(context("signin"), method, challenge.state, answer_to(authenticator, challenge))


def test_the_cool_down_refuses_even_a_right_answer(student, settings):
    authenticator = SoftwareAuthenticator()
    method = give_passkey(student, authenticator)
    budget = Budget.of("signin", method.user.pk)
    for _attempt in range(settings.CONFIG.methods.failures_per_account):
        budget.limit.acquire(budget.key)
    with pytest.raises(VerificationFailed, match="Too many attempts"):
        verify_with(method, {})
    challenge = Passkey().start(context("signin"), method)
    with pytest.raises(VerificationFailed, match="Too many attempts"):
        guarded(budget, lambda: Passkey().check(context("signin"), method, challenge.state,
                                             answer_to(authenticator, challenge)))
    method.refresh_from_db()
    assert method.data["sign_count"] == 0


@pytest.mark.parametrize("base_url, expected", [
    ("https://sspr.test", ("sspr.test", "https://sspr.test")),
    ("https://Reset.District.Example:443/sspr", ("reset.district.example", "https://reset.district.example")),
    ("https://sspr.test:8443", ("sspr.test", "https://sspr.test:8443")),
    ("http://localhost:8000", ("localhost", "http://localhost:8000")),
])
def test_the_relying_party_is_the_host_people_see(settings, base_url, expected):
    settings.BASE_URL = base_url
    assert passkey.relying_party() == expected


def test_the_user_handle_is_stable_per_person_and_reveals_nothing(student, staff):
    mine, theirs = local_user(student), local_user(staff)
    assert user_handle(mine) == user_handle(mine) and user_handle(mine) != user_handle(theirs)
    assert len(user_handle(mine)) == 32 and student.user_id.encode() not in user_handle(mine)


# In a real browser ----------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": ["--disable-gpu", "--disable-quic"]}


@pytest.mark.browser
def test_passkey_js_with_chromiums_virtual_authenticator(page, live_server, settings, student):
    """passkey.js end to end: Chromium's own WebAuthn stack, with a virtual authenticator in place of
    a fingerprint reader, creates the passkey on the security-info page and uses it to sign in."""
    site = live_server.url
    # A passkey is bound to the page's origin: here http://localhost:port, which browsers count
    # as a secure context.
    settings.BASE_URL = site
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    authenticator = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True, "hasUserVerification": True,
        "isUserVerified": True, "automaticPresenceSimulation": True}})["authenticatorId"]

    browser_sign_in(page, site, student.user_id, student.password)
    page.goto(f"{site}/security-info/confirm-password/")
    page.locator("#id_password").fill(student.password)
    page.locator("main form button[type=submit]:not(.button--secondary)").click()
    expect(page).to_have_url(f"{site}/security-info/")
    page.goto(f"{site}/security-info/add/passkey/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Create a passkey")
    assert_accessible(page)
    page.get_by_label("Name this passkey").fill("Test laptop")
    page.get_by_role("button", name="Create passkey").click()
    expect(page).to_have_url(f"{site}/security-info/")
    method = Method.objects.get(kind="passkey")
    stored = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
    assert [b64(base64.b64decode(c["credentialId"])) for c in stored] == [method.data["credential_id"]]
    assert method.name == "Test laptop" and method.data["transports"] == ["internal"]

    page.get_by_role("button", name="Sign out").click()
    page.goto(f"{site}/signin/")
    page.locator("#id_user_id").fill(student.user_id)
    page.locator("#id_password").fill(student.password)
    page.locator("main form button[type=submit]:not(.button--secondary)").click()
    expect(page).to_have_url(f"{site}/signin/verify/")
    expect(page.get_by_label("Use my passkey (Test laptop)")).to_be_checked()
    page.get_by_role("button", name="Next").click()
    assert_accessible(page)
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(lambda url: "/signin/" not in url)
    method.refresh_from_db()
    assert method.data["sign_count"] >= 1 and method.last_used_at is not None

    # A passkey the device no longer has: the browser says no, the page says so, nothing is sent.
    cdp.send("WebAuthn.clearCredentials", {"authenticatorId": authenticator})
    page.get_by_role("button", name="Sign out").click()
    page.goto(f"{site}/signin/")
    page.locator("#id_user_id").fill(student.user_id)
    page.locator("#id_password").fill(student.password)
    page.locator("main form button[type=submit]:not(.button--secondary)").click()
    page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("alert")).to_contain_text("Your passkey wasn't used", timeout=15_000)
    expect(page).to_have_url(f"{site}/signin/verify/")
    assert failures(student) == 0


def test_the_confirmation_names_the_passkey_escaped_once(client, student):
    sign_in(client, student)
    open_security_info(client)
    response = register(client, SoftwareAuthenticator(), name="Tom & Jerry's <laptop>")
    page = client.get(response["Location"]).content.decode()
    status = re.search(r'<div class="messages" role="status">(.*?)</div>', page, re.S)[1]
    assert "Passkey added: Tom &amp; Jerry&#x27;s &lt;laptop&gt;." in status
    assert "&amp;amp;" not in page and "<laptop>" not in page
