"""A reset never bypasses a method the person enrolled: whoever has an authenticator app or
passkey uses it in every reset, security questions are never the only step, and an emailed code
alone never resets the password of someone who registered something stronger. In each test the
attacker's shortcut is refused and the owner's own journey still ends at "choose a new password"."""

import re
import time

import pytest

from sspr.config.schema import Config
from sspr.methods.crypto import seal
from sspr.methods.kinds import kind
from sspr.methods.kinds.totp import code_at

from ..methods.conftest import give_method
from .conftest import begin, by_text

PHONE = "+12025550143"
PERSONAL = "chris@personal.example"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
ANSWERS = [("first_pet", "Biscuit"), ("birth_city", "Fresno"), ("first_school", "Lincoln")]


def offered(client) -> set[str]:
    """The method ids the current verification step offers."""
    return {value.partition(":")[0] for value in re.findall(r'name="option" value="(-?\d+:\w*)"',
                                                              client.get("/reset/verify/").content.decode())}


def questions(persona):
    return give_method(persona, "questions", data=kind("questions").stored_answers(ANSWERS))


def app(persona):
    return give_method(persona, "totp", sealed_secret=seal(SECRET))


def choose_refused(client, method, choice="") -> bool:
    return client.post("/reset/verify/", {"action": "choose", "option": f"{method.pk}:{choice}"}).status_code == 400


def pass_with_app(client, method):
    client.post("/reset/verify/", {"action": "choose", "option": f"{method.pk}:"})
    return client.post("/reset/verify/", {"action": "verify", "code": code_at(SECRET, int(time.time() // 30))})


def test_the_default_reset_takes_two_steps():
    assert Config().methods.reset_steps == 2


def test_one_step_offers_only_the_authenticator_app_of_someone_who_has_one(client, student, captcha_off):
    answers, email, totp = questions(student), give_method(student, "email", PERSONAL), app(student)
    begin(client, student.user_id)
    assert offered(client) == {str(totp.pk)}
    assert choose_refused(client, answers) and choose_refused(client, email, "email")
    assert pass_with_app(client, totp)["Location"] == "/reset/new-password/"


def test_one_step_never_offers_security_questions(client, student, captcha_off, outbox):
    answers, phone = questions(student), give_method(student, "phone", PHONE)
    begin(client, student.user_id)
    assert offered(client) == {str(phone.pk)}
    assert choose_refused(client, answers)
    assert by_text(client, outbox, phone)["Location"] == "/reset/new-password/"


def test_one_step_never_takes_an_emailed_code_from_someone_with_a_phone(client, student, captcha_off, outbox):
    email, phone = give_method(student, "email", PERSONAL), give_method(student, "phone", PHONE)
    begin(client, student.user_id)
    assert offered(client) == {str(phone.pk)}
    assert choose_refused(client, email, "email")
    assert by_text(client, outbox, phone)["Location"] == "/reset/new-password/"


def test_two_steps_end_with_the_app_after_questions_and_never_with_the_email(client, student, captcha_off,
                                                                             two_step_reset):
    answers, email, totp = questions(student), give_method(student, "email", PERSONAL), app(student)
    begin(client, student.user_id)
    assert offered(client) == {str(answers.pk), str(email.pk), str(totp.pk)}
    client.post("/reset/verify/", {"action": "choose", "option": f"{answers.pk}:"})
    page = client.post("/reset/verify/", {"action": "verify", **dict(ANSWERS)})
    assert page["Location"] == "/reset/verify/"
    assert offered(client) == {str(totp.pk)}  # not the email, not the questions again
    assert choose_refused(client, email, "email") and choose_refused(client, answers)
    assert pass_with_app(client, totp)["Location"] == "/reset/new-password/"


@pytest.mark.parametrize("steps", [1, 2])
def test_someone_with_only_security_questions_is_shown_stand_ins(client, student, captcha_off, settings, steps):
    """They cannot pass a reset (questions never prove enough alone), so they are helped no more
    than an unknown user ID, and their questions are never asked."""
    settings.CONFIG = settings.CONFIG.model_copy(update={"methods": settings.CONFIG.methods.model_copy(
        update={"reset_steps": steps})})
    answers = questions(student)
    begin(client, student.user_id)
    ids = offered(client)
    assert str(answers.pk) not in ids and all(value.startswith("-") for value in ids)
