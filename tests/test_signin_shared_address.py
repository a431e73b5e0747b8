"""A school is one address. When someone there guesses passwords past the address's budget, the
students behind it keep signing in: a browser that signed in before is let through at once, an
unfamiliar one first solves a proof of work, and the district's own networks have a larger budget."""

import hashlib

import pytest
from django.test import Client

from sspr.reset import captcha

from .conftest import sign_in

SCHOOL = "203.0.113.50"


@pytest.fixture
def busy_school(settings, student):
    """The address has used its budget of failed sign-ins."""
    settings.CONFIG = settings.CONFIG.model_copy(update={
        "limits": settings.CONFIG.limits.model_copy(update={"signin_failures_per_ip": 3})})
    guesser = Client(REMOTE_ADDR=SCHOOL)
    for n in range(3):
        guesser.post("/signin/", {"user_id": f"nobody{n}@district.example", "password": "guess guess guess"})
    return guesser


def solve(client) -> str:
    """What the browser's captcha.js does: find a nonce whose hash has enough leading zero bits."""
    record = client.session[captcha.SESSION_KEY]["signin"]
    nonce = 0
    while captcha.leading_zero_bits(captcha.pow_digest(record["nonce"], str(nonce))) < record["difficulty"]:
        nonce += 1
    return str(nonce)


def test_a_browser_that_signed_in_before_signs_in_at_once(student, settings):
    student_browser = Client(REMOTE_ADDR=SCHOOL)
    assert sign_in(student_browser, student)["Location"] == "/account/"
    student_browser.post("/signout/")
    guesser = Client(REMOTE_ADDR=SCHOOL)
    settings.CONFIG = settings.CONFIG.model_copy(update={
        "limits": settings.CONFIG.limits.model_copy(update={"signin_failures_per_ip": 3})})
    for n in range(3):
        guesser.post("/signin/", {"user_id": f"nobody{n}@district.example", "password": "guess guess guess"})
    assert guesser.post("/signin/", {"user_id": student.user_id, "password": student.password}).status_code == 429
    assert sign_in(student_browser, student)["Location"] == "/account/"


def test_an_unfamiliar_browser_proves_some_work_first(busy_school, student, settings):
    settings.CONFIG = settings.CONFIG.model_copy(update={"reset": settings.CONFIG.reset.model_copy(
        update={"pow_difficulty": 8})})
    newcomer = Client(REMOTE_ADDR=SCHOOL)
    page = newcomer.get("/signin/").content.decode()
    assert "data-captcha-pow" in page  # the page already carries the check
    refused = newcomer.post("/signin/", {"user_id": student.user_id, "password": student.password,
                                         "captcha_pow": "0"})
    assert refused.status_code == 429 and "short check" in refused.content.decode()
    done = newcomer.post("/signin/", {"user_id": student.user_id, "password": student.password,
                                      "captcha_pow": solve(newcomer)})
    assert done["Location"] == "/account/"


def test_the_guesser_pays_for_every_guess_and_a_proof_is_spent_once(busy_school, student, settings):
    settings.CONFIG = settings.CONFIG.model_copy(update={"reset": settings.CONFIG.reset.model_copy(
        update={"pow_difficulty": 8})})
    busy_school.get("/signin/")
    proof = solve(busy_school)
    first = busy_school.post("/signin/", {"user_id": student.user_id, "password": "wrong wrong wrong",
                                          "captcha_pow": proof})
    assert first.status_code == 400  # checked, and wrong
    again = busy_school.post("/signin/", {"user_id": student.user_id, "password": student.password,
                                          "captcha_pow": proof})
    assert again.status_code == 429  # the same proof twice: refused, the password untested


def test_the_districts_own_networks_have_a_larger_budget(student, settings):
    settings.CONFIG = settings.CONFIG.model_copy(update={"limits": settings.CONFIG.limits.model_copy(
        update={"signin_failures_per_ip": 3, "trusted_networks": ["203.0.113.0/24"],
                "trusted_signin_failures_per_ip": 50})})
    guesser = Client(REMOTE_ADDR=SCHOOL)
    for n in range(10):
        guesser.post("/signin/", {"user_id": f"nobody{n}@district.example", "password": "guess guess guess"})
    assert sign_in(Client(REMOTE_ADDR=SCHOOL), student)["Location"] == "/account/"
    outside = Client(REMOTE_ADDR="198.51.100.20")
    for n in range(3):
        outside.post("/signin/", {"user_id": f"nobody{n}@district.example", "password": "guess guess guess"})
    assert sign_in(outside, student).status_code == 429


def test_a_forged_familiar_cookie_vouches_for_nothing(busy_school, student):
    forger = Client(REMOTE_ADDR=SCHOOL)
    forger.cookies["__Host-sspr_familiar"] = hashlib.sha256(b"anything").hexdigest()
    assert sign_in(forger, student).status_code == 429


def test_the_page_may_learn_of_a_busy_address_a_moment_late_but_the_password_step_does_not(student, settings,
                                                                                          clock):
    """The sign-in page's GET reuses what this process learnt of the address in the last two
    seconds (the first morning's busiest page, without a query); the POST always looks again."""
    from sspr.services.signin import LATELY_SECONDS, failures_per_ip

    settings.CONFIG = settings.CONFIG.model_copy(update={
        "limits": settings.CONFIG.limits.model_copy(update={"signin_failures_per_ip": 3})})
    newcomer = Client(REMOTE_ADDR=SCHOOL)
    assert "data-captcha-pow" not in newcomer.get("/signin/").content.decode()
    # Another instance counts the school's failures: this one hears nothing of them.
    for _ in range(3):
        failures_per_ip(SCHOOL).acquire(SCHOOL)
    assert "data-captcha-pow" not in newcomer.get("/signin/").content.decode()  # told a moment late
    # The password step is not: without the proof of work, it refuses before any password is tried.
    refused = newcomer.post("/signin/", {"user_id": student.user_id, "password": student.password})
    assert refused.status_code == 429 and "data-captcha-pow" in refused.content.decode()
    assert "_auth_user_id" not in newcomer.session
    # And a moment later the page knows too, whoever asks.
    clock.advance(seconds=LATELY_SECONDS)
    assert "data-captcha-pow" in Client(REMOTE_ADDR=SCHOOL).get("/signin/").content.decode()


def test_this_processes_own_failures_show_on_the_page_at_once(busy_school):
    assert "data-captcha-pow" in Client(REMOTE_ADDR=SCHOOL).get("/signin/").content.decode()
