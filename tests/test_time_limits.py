"""Every time limit, on a frozen clock that each test moves by hand (the `clock` fixture): a sent
code, a half-finished sign-in, the security-info window after re-entering the password, a
"don't ask again" device, and the reset flow. Each limit is tested on both sides: just before, it
still works; just after, the person is refused or sent back to the start."""

import pytest
from django.test import Client

from sspr.methods.models import Method

from .conftest import sign_in
from .methods.conftest import give_method, second_step
from .reset.conftest import begin, by_email

NEW = "Purple lanterns drift over quiet harbors!"
PHONE = "+12025550143"
PERSONAL = "chris@personal.example"


def refused_code(response) -> bool:
    page = response.content.decode()
    return response.status_code == 400 and ("didn&#x27;t work" in page or "no longer valid" in page)


# -- a sent code ------------------------------------------------------------------------------


class ResetByEmail:
    done = "/reset/new-password/"

    def __init__(self, client, persona, outbox, settings):
        give_method(persona, "email", PERSONAL)
        self.client, self.outbox = client, outbox
        begin(client, persona.user_id)
        method = Method.objects.get()
        client.post("/reset/verify/", {"action": "choose", "option": f"{method.pk}:email"})
        self.code = outbox(PERSONAL)

    def enter(self, code):
        return self.client.post("/reset/verify/", {"action": "verify", "code": code})


class EnrolPhone:
    done = "/security-info/"

    def __init__(self, client, persona, outbox, settings):
        self.client = client
        sign_in(client, persona)
        assert client.post("/security-info/confirm-password/", {"password": persona.password})[
            "Location"] == "/security-info/"
        client.post("/security-info/add/phone/", {"region": "US", "number": "(202) 555-0143", "action": "text"})
        self.code = outbox(PHONE)

    def enter(self, code):
        return self.client.post("/security-info/add/phone/", {"code": code})


class SignInByText:
    """Codes last 5 minutes here: with the default 10 the half-finished sign-in would expire with
    the code, and this would test that instead."""
    done = "/account/"

    def __init__(self, client, persona, outbox, settings):
        settings.CONFIG = settings.CONFIG.model_copy(update={"methods": settings.CONFIG.methods.model_copy(
            update={"code_minutes": 5})})
        phone = give_method(persona, "phone", PHONE)
        self.client = client
        sign_in(client, persona)
        client.post("/signin/verify/", {"action": "choose", "option": f"{phone.pk}:sms"})
        self.code = outbox(PHONE)

    def enter(self, code):
        return self.client.post("/signin/verify/", {"action": "verify", "code": code})


JOURNEYS = pytest.mark.parametrize("journey", [ResetByEmail, EnrolPhone, SignInByText],
                                   ids=["reset", "enrolment", "sign-in"])


@JOURNEYS
def test_it_refuses_a_code_entered_after_it_expired(journey, client, student, outbox, clock, settings, captcha_off):
    flow = journey(client, student, outbox, settings)
    clock.advance(minutes=settings.CONFIG.methods.code_minutes, seconds=1)
    assert refused_code(flow.enter(flow.code))


@JOURNEYS
def test_it_accepts_a_code_entered_one_second_before_it_expires(journey, client, student, outbox, clock, settings,
                                                                captcha_off):
    flow = journey(client, student, outbox, settings)
    clock.advance(minutes=settings.CONFIG.methods.code_minutes, seconds=-1)
    assert flow.enter(flow.code)["Location"] == flow.done


# -- a half-finished sign-in ------------------------------------------------------------------


def test_it_sends_a_half_finished_sign_in_back_to_the_start_after_10_minutes(client, student, outbox, clock):
    phone = give_method(student, "phone", PHONE)
    assert sign_in(client, student)["Location"] == "/signin/verify/"
    clock.advance(minutes=9)
    client.post("/signin/verify/", {"action": "choose", "option": f"{phone.pk}:sms"})
    code = outbox(PHONE)  # sent a minute ago: still a valid code
    clock.advance(minutes=1, seconds=1)
    assert client.post("/signin/verify/", {"action": "verify", "code": code})["Location"] == "/signin/"
    assert client.get("/account/").status_code == 302
    assert client.get("/signin/verify/")["Location"] == "/signin/"


def test_it_finishes_a_sign_in_whose_second_step_comes_within_10_minutes(client, student, outbox, clock):
    phone = give_method(student, "phone", PHONE)
    sign_in(client, student)
    clock.advance(minutes=9)
    client.post("/signin/verify/", {"action": "choose", "option": f"{phone.pk}:sms"})
    clock.advance(seconds=59)
    assert client.post("/signin/verify/", {"action": "verify", "code": outbox(PHONE)})["Location"] == "/account/"


# -- the security-info window -----------------------------------------------------------------


def open_with_the_password(client, persona, outbox):
    """Sign in and re-enter the password (and pass the second step, for someone with a method)."""
    method = Method.objects.filter(user__user_id=persona.user_id).first()
    sign_in(client, persona)
    if method is not None:
        second_step(client, method, outbox)
    response = client.post("/security-info/confirm-password/", {"password": persona.password})
    if method is not None:
        assert response["Location"] == "/signin/verify/"
        response = second_step(client, method, outbox)
    assert response["Location"] == "/security-info/"


@pytest.mark.parametrize("registered", [False, True], ids=["no method", "after the second step"])
def test_it_asks_for_the_password_again_15_minutes_after_it_was_re_entered(registered, client, student, outbox,
                                                                             clock):
    if registered:
        give_method(student, "email", PERSONAL)
    open_with_the_password(client, student, outbox)
    clock.advance(minutes=15, seconds=-1)
    assert client.get("/security-info/").status_code == 200
    clock.advance(seconds=2)
    for url in ["/security-info/", "/security-info/add/phone/", "/security-info/add/email/"]:
        assert client.get(url)["Location"] == "/security-info/confirm-password/", url
    assert client.post("/security-info/add/email/", {"destination": "new@personal.example", "action": "send"})[
        "Location"] == "/security-info/confirm-password/"
    assert client.get("/account/").status_code == 200  # still signed in: only security info closed


# -- a remembered device ----------------------------------------------------------------------


def test_it_asks_for_the_second_step_again_once_a_remembered_device_expires(client, student, outbox, clock,
                                                                               settings):
    days = settings.CONFIG.methods.remember_device_days
    phone = give_method(student, "phone", PHONE)
    sign_in(client, student)
    chosen = client.post("/signin/verify/", {"action": "choose", "option": f"{phone.pk}:sms"}).content.decode()
    assert f"ask again for {days} days" in chosen
    assert client.post("/signin/verify/", {"action": "verify", "code": outbox(PHONE), "remember": "on"})[
        "Location"] == "/account/"
    client.post("/signout/")
    clock.advance(days=days, minutes=-1)
    assert sign_in(client, student)["Location"] == "/account/"  # still remembered
    client.post("/signout/")
    clock.advance(minutes=2)
    assert sign_in(client, student)["Location"] == "/signin/verify/"


# -- the reset flow ---------------------------------------------------------------------------


def test_it_starts_a_reset_over_when_a_code_comes_after_15_minutes(client, student, outbox, clock, captcha_off):
    email = give_method(student, "email", PERSONAL)
    begin(client, student.user_id)
    clock.advance(minutes=14)
    client.post("/reset/verify/", {"action": "choose", "option": f"{email.pk}:email"})
    code = outbox(PERSONAL)  # sent a minute ago: still a valid code
    clock.advance(minutes=1, seconds=1)
    assert client.post("/reset/verify/", {"action": "verify", "code": code})["Location"] == "/reset/"
    assert client.get("/reset/new-password/")["Location"] == "/reset/"
    assert client.get("/reset/verify/")["Location"] == "/reset/"


def test_it_refuses_the_new_password_once_the_reset_is_15_minutes_old(client, student, outbox, clock, captcha_off):
    email = give_method(student, "email", PERSONAL)
    begin(client, student.user_id)
    clock.advance(minutes=14)
    assert by_email(client, outbox, email)["Location"] == "/reset/new-password/"
    clock.advance(minutes=1, seconds=1)
    response = client.post("/reset/new-password/", {"new_password": NEW, "confirm_password": NEW})
    assert response["Location"] == "/reset/"
    assert sign_in(Client(), student, NEW).status_code == 400  # the new password was not set
    assert sign_in(Client(), student)["Location"] == "/signin/verify/"  # the old one still works


def test_it_sets_the_new_password_one_second_before_the_reset_expires(client, student, outbox, clock, captcha_off):
    email = give_method(student, "email", PERSONAL)
    begin(client, student.user_id)
    clock.advance(minutes=14)
    by_email(client, outbox, email)
    clock.advance(seconds=59)
    response = client.post("/reset/new-password/", {"new_password": NEW, "confirm_password": NEW})
    assert "Your password has been reset" in response.content.decode()
    assert sign_in(Client(), student, NEW)["Location"] == "/signin/verify/"
