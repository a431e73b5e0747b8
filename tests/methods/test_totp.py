"""Authenticator apps (TOTP): the RFC 6238 algorithm through our own verifier, one step of drift,
no replay, enrolment through the security-info pages, and the sign-in second step."""

import base64
import hashlib
import html
import re
import time
from types import SimpleNamespace
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from playwright.sync_api import expect

from sspr.audit.models import AuditEvent
from sspr.limits.models import Counter
from sspr.methods.base import VerificationFailed
from sspr.methods.crypto import seal, unseal
from sspr.methods.kinds import totp
from sspr.methods.kinds.totp import AuthenticatorApp, code_at, matching_step, new_secret, provisioning_uri
from sspr.methods.models import Method
from sspr.methods.rules import failures_per_account
from sspr.web.methods.totp import PENDING

from ..browser.conftest import CHROMIUM
from ..browser.helpers import PHONE, assert_accessible
from ..browser.helpers import sign_in as browser_sign_in
from ..conftest import sign_in
from .conftest import give_method, local_user, open_security_info, verify_with

# RFC 6238 Appendix B: the seeds are the ASCII digits repeated to the hash's block-key length.
SEEDS = {
    hashlib.sha1: b"12345678901234567890",
    hashlib.sha256: b"12345678901234567890123456789012",
    hashlib.sha512: b"1234567890123456789012345678901234567890123456789012345678901234",
}
RFC_6238_VECTORS = [
    (59, hashlib.sha1, "94287082"), (59, hashlib.sha256, "46119246"), (59, hashlib.sha512, "90693936"),
    (1111111109, hashlib.sha1, "07081804"), (1111111109, hashlib.sha256, "68084774"),
    (1111111109, hashlib.sha512, "25091201"),
    (1111111111, hashlib.sha1, "14050471"), (1111111111, hashlib.sha256, "67062674"),
    (1111111111, hashlib.sha512, "99943326"),
    (1234567890, hashlib.sha1, "89005924"), (1234567890, hashlib.sha256, "91819424"),
    (1234567890, hashlib.sha512, "93441116"),
    (2000000000, hashlib.sha1, "69279037"), (2000000000, hashlib.sha256, "90698825"),
    (2000000000, hashlib.sha512, "38618901"),
    (20000000000, hashlib.sha1, "65353130"), (20000000000, hashlib.sha256, "77737706"),
    (20000000000, hashlib.sha512, "47863826"),
]
NOW = 1_790_000_015.0  # a fixed clock, mid-step, so "one step away" never straddles a boundary
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.mark.parametrize("at, digest, expected", RFC_6238_VECTORS,
                         ids=[f"{t}-{d().name}" for t, d, _ in RFC_6238_VECTORS])
def test_rfc_6238_vectors_pass_our_verifier(at, digest, expected):
    secret = base64.b32encode(SEEDS[digest]).decode()
    assert matching_step(secret, expected, at=at, digits=8, digest=digest, drift=0) == at // 30
    assert code_at(secret, at // 30, digits=8, digest=digest) == expected
    wrong = f"{(int(expected) + 1) % 10**8:08d}"
    assert matching_step(secret, wrong, at=at, digits=8, digest=digest) is None


def test_one_step_of_drift_either_way_and_no_more():
    step = int(NOW // 30)
    for offset in (-1, 0, 1):
        assert matching_step(SECRET, code_at(SECRET, step + offset), at=NOW) == step + offset
    for offset in (-3, -2, 2, 3):
        assert matching_step(SECRET, code_at(SECRET, step + offset), at=NOW) is None


def test_malformed_codes_match_nothing():
    good = code_at(SECRET, int(NOW // 30))
    assert matching_step(SECRET, f" {good[:3]} {good[3:]} ", at=NOW) == int(NOW // 30)  # spaces are fine
    for entered in ["", good[:5], good + "0", "١٢٣٤٥٦", "12345a"]:
        assert matching_step(SECRET, entered, at=NOW) is None


def test_a_new_key_is_160_random_bits():
    keys = {new_secret() for _ in range(20)}
    assert len(keys) == 20
    assert all(len(key) == 32 and len(base64.b32decode(key)) == 20 for key in keys)


def test_the_otpauth_uri_names_the_issuer_and_the_account(settings):
    uri = urlsplit(provisioning_uri(SECRET, "csmith1234@student.district.example"))
    assert (uri.scheme, uri.netloc) == ("otpauth", "totp")
    assert unquote(uri.path) == "/Test Unified School District:csmith1234@student.district.example"
    query = parse_qs(uri.query)
    assert query["issuer"] == ["Test Unified School District"] and query["secret"] == [SECRET]
    # SHA-1, 6 digits and 30 seconds are the defaults every app assumes, so they are left out.
    assert set(query) == {"issuer", "secret"}
    # The label's separator cannot be smuggled in by the organisation's name.
    settings.CONFIG.branding.org_name, original = "District: North", settings.CONFIG.branding.org_name
    try:
        label = unquote(urlsplit(provisioning_uri(SECRET, "x@district.example")).path)
        assert label == "/District North:x@district.example"
    finally:
        settings.CONFIG.branding.org_name = original


@pytest.fixture
def clock(monkeypatch):
    """Freeze the clock TOTP reads; move it with clock.now = ..."""
    fake = SimpleNamespace(now=NOW)
    monkeypatch.setattr(totp, "time", SimpleNamespace(time=lambda: fake.now))
    return fake


def text(response) -> str:
    return html.unescape(response.content.decode())


def pending_secret(client) -> str:
    return unseal(client.session[PENDING])


def test_enrolment_shows_a_qr_code_and_the_key_and_activates_on_the_first_code(client, student, clock):
    sign_in(client, student)
    open_security_info(client)
    page = client.get("/security-info/add/totp/")
    assert page.status_code == 200
    html = page.content.decode()
    secret = pending_secret(client)
    assert re.search(r'<svg [^>]*role="img"', html) and "QR code for setting up your authenticator app" in html
    assert " ".join(re.findall("....", secret)) in html  # "can't scan?": the key, grouped by four
    assert 'href="otpauth://totp/Test%20Unified%20School%20District:csmith1234%40student.district.example?' in html
    assert 'autocomplete="one-time-code"' in html and 'inputmode="numeric"' in html
    assert not Method.objects.exists()  # nothing is active before a code proves the app has the key

    assert client.get("/security-info/add/totp/").status_code == 200
    assert pending_secret(client) == secret  # a reload after scanning keeps the key scanned

    wrong = client.post("/security-info/add/totp/", {"code": code_at(secret, int(NOW // 30) + 2)})
    assert wrong.status_code == 400 and "That code didn't work" in text(wrong)
    assert not Method.objects.exists() and pending_secret(client) == secret

    right = client.post("/security-info/add/totp/", {"code": code_at(secret, int(NOW // 30))})
    assert right.status_code == 302 and right["Location"] == "/security-info/"
    method = Method.objects.get()
    assert (method.kind, method.user.user_id) == ("totp", student.user_id)
    assert secret not in method.sealed_secret and unseal(method.sealed_secret) == secret
    assert method.data == {"last_step": int(NOW // 30)}
    assert PENDING not in client.session
    assert AuditEvent.objects.filter(tag="method:add", subject=student.user_id, detail__kind="totp").exists()


def test_setting_up_a_new_app_replaces_the_old_key(client, student, clock):
    sign_in(client, student)
    old = give_method(student, "totp", sealed_secret=seal(SECRET), data={"last_step": 0})
    open_security_info(client)
    client.get("/security-info/add/totp/")
    client.post("/security-info/add/totp/", {"code": code_at(pending_secret(client), int(NOW // 30))})
    method = Method.objects.get(kind="totp")
    assert method.pk != old.pk and unseal(method.sealed_secret) != SECRET


def test_a_setup_that_outlived_its_session_starts_again_with_a_new_key(client, student, clock):
    sign_in(client, student)
    open_security_info(client)
    response = client.post("/security-info/add/totp/", {"code": "123456"})
    assert response.status_code == 400 and "Your setup timed out" in text(response)
    assert len(pending_secret(client)) == 32 and not Method.objects.exists()


def failures(persona) -> int:
    counter = Counter.objects.filter(name=failures_per_account().name, key=f"signin:{local_user(persona).pk}").first()
    return counter.count if counter else 0


def answer(method, code):
    """One answer through the verification step every flow uses."""
    return verify_with(method, {"code": code})


def test_a_code_whose_step_was_used_is_refused(student, clock):
    method = give_method(student, "totp", sealed_secret=seal(SECRET))
    step = int(NOW // 30)
    answer(method, code_at(SECRET, step))
    assert Method.objects.get().data["last_step"] == step
    with pytest.raises(VerificationFailed, match="already used"):
        answer(method, code_at(SECRET, step))
    # Nor an earlier step that drift would otherwise allow.
    with pytest.raises(VerificationFailed, match="already used"):
        answer(method, code_at(SECRET, step - 1))
    clock.now += 30
    answer(method, code_at(SECRET, step + 1))
    # The stored step is read from the database, not from a stale copy of the row.
    stale = Method.objects.get()
    stale.data["last_step"] = 0
    with pytest.raises(VerificationFailed, match="already used"):
        answer(stale, code_at(SECRET, step + 1))


def test_a_code_two_steps_away_is_refused(student, clock):
    method = give_method(student, "totp", sealed_secret=seal(SECRET))
    step = int(NOW // 30)
    for offset in (-2, 2):
        with pytest.raises(VerificationFailed, match="didn't work"):
            answer(method, code_at(SECRET, step + offset))
    answer(method, code_at(SECRET, step + 1))


def test_every_wrong_code_counts_against_the_account_and_the_cool_down_refuses_even_a_right_one(
        student, clock, settings):
    method = give_method(student, "totp", sealed_secret=seal(SECRET))
    step = int(NOW // 30)
    for _attempt in range(settings.CONFIG.methods.failures_per_account):
        with pytest.raises(VerificationFailed):
            answer(method, "000000" if code_at(SECRET, step) != "000000" else "111111")
    assert failures_per_account().peek(f"signin:{method.user.pk}")
    with pytest.raises(VerificationFailed, match="Too many attempts"):
        answer(method, code_at(SECRET, step))
    assert "last_step" not in Method.objects.get().data


def test_a_replay_counts_as_a_failure_but_a_blank_answer_does_not(student, clock):
    method = give_method(student, "totp", sealed_secret=seal(SECRET))
    code = code_at(SECRET, int(NOW // 30))
    answer(method, code)
    with pytest.raises(VerificationFailed):
        answer(method, code)
    with pytest.raises(VerificationFailed, match="Enter the code"):
        answer(method, "  ")
    assert failures(student) == 1


def test_a_key_sealed_under_another_secret_key_is_reported_not_counted(student, clock, caplog):
    from cryptography.fernet import Fernet

    method = give_method(student, "totp", sealed_secret=Fernet(Fernet.generate_key()).encrypt(SECRET.encode()).decode())
    with pytest.raises(VerificationFailed, match="can't be checked right now"):
        answer(method, code_at(SECRET, int(NOW // 30)))
    assert failures(student) == 0 and "cannot be unsealed" in caplog.text


def test_describe_and_strength():
    kind = AuthenticatorApp()
    assert kind.describe(Method(kind="totp")) == "Use a verification code from my authenticator app"
    assert (kind.strength, kind.one_per_person, kind.usable_for_signin) == (4, True, True)


def test_sign_in_with_the_app_and_the_same_code_never_twice(client, student, clock):
    method = give_method(student, "totp", sealed_secret=seal(SECRET))
    assert sign_in(client, student)["Location"] == "/signin/verify/"
    page = client.post("/signin/verify/", {"action": "choose", "option": f"{method.pk}:"}).content.decode()
    assert "Open your authenticator app" in page and 'name="code"' in page
    code = code_at(SECRET, int(NOW // 30))
    response = client.post("/signin/verify/", {"action": "verify", "code": code})
    assert response.status_code == 302 and response["Location"] != "/signin/verify/"
    assert client.session["_auth_user_id"] == str(local_user(student).pk)

    client.post("/signout/")
    sign_in(client, student)
    client.post("/signin/verify/", {"action": "choose", "option": f"{method.pk}:"})
    replay = client.post("/signin/verify/", {"action": "verify", "code": code})
    assert replay.status_code == 400 and "already used" in text(replay)
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(tag="verify:failure", subject=student.user_id).exists()


# In a real browser, on a phone --------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": ["--disable-gpu", "--disable-quic"]}


@pytest.mark.browser
def test_setting_up_the_app_on_a_phone(new_context, live_server, student):
    site, page = live_server.url, new_context(**PHONE).new_page()
    browser_sign_in(page, site, student.user_id, student.password)
    page.goto(f"{site}/security-info/confirm-password/")
    page.locator("#id_password").fill(student.password)
    page.locator("main form button[type=submit]:not(.button--secondary)").click()
    page.goto(f"{site}/security-info/add/totp/")
    expect(page.get_by_role("img", name="QR code for setting up your authenticator app")).to_be_visible()
    page.get_by_text("Can't scan the QR code?").click()
    key = page.locator(".setup-key__secret")
    expect(key).to_be_visible()
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # nothing wider than the phone
    secret = key.inner_text().replace(" ", "")
    page.get_by_label("Code").fill(code_at(secret, int(time.time() // 30)))
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(f"{site}/security-info/")
    assert unseal(Method.objects.get(kind="totp").sealed_secret) == secret
