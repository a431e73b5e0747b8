"""What an attacker tried against "Get back into your account", and how it now ends: each attack
fails, and the owner's own journey works right after it."""

import pytest
from django.test import Client

from ..conftest import sign_in
from ..methods.conftest import give_method
from .conftest import begin

PHONE = "+12025550143"
PERSONAL = "chris@personal.example"


def wrong_number_then_codes(client, phone_option, codes: int):
    client.post("/reset/verify/", {"action": "choose", "option": phone_option})
    client.post("/reset/verify/", {"action": "number", "region": "US", "number": "(202) 555-0199"})
    return [client.post("/reset/verify/", {"action": "verify", "code": "000000"}) for _ in range(codes)]


def test_wrong_codes_in_an_attackers_reset_never_freeze_the_owners_sign_in(student, captcha_off, outbox):
    phone = give_method(student, "phone", PHONE)
    attacker = Client(REMOTE_ADDR="203.0.113.7")
    begin(attacker, student.user_id)
    wrong_number_then_codes(attacker, f"{phone.pk}:sms", 10)
    owner = Client()
    sign_in(owner, student)
    assert owner.post("/signin/verify/", {"action": "choose", "option": f"{phone.pk}:sms"}).status_code == 200
    done = owner.post("/signin/verify/", {"action": "verify", "code": outbox(PHONE)})
    assert done["Location"] == "/account/"


def refusals(client, option, tries):
    """The pages of `tries` wrong full numbers in a row, each in a new attempt of the same flow."""
    pages = []
    for _ in range(tries):
        client.post("/reset/verify/", {"action": "choose", "option": option})
        page = client.post("/reset/verify/", {"action": "number", "region": "US", "number": "(202) 555-0199"})
        pages.append((page.status_code, "Too many attempts" in page.content.decode()))
    return pages


def phone_option(client) -> str:
    import re

    page = client.get("/reset/verify/").content.decode()
    return next(v for v in re.findall(r'name="option" value="(-?\d+:\w+)"', page) if v.endswith(":sms"))


def test_wrong_full_numbers_are_limited_the_same_for_a_real_account_and_a_stand_in(student, captcha_off,
                                                                                   settings, outbox,
                                                                                   two_step_reset):
    give_method(student, "phone", PHONE)
    give_method(student, "email", PERSONAL)
    limit = settings.CONFIG.reset.resets_per_day
    real, stand_in = Client(REMOTE_ADDR="203.0.113.7"), Client(REMOTE_ADDR="203.0.113.8")
    begin(real, student.user_id)
    begin(stand_in, "nobody@student.district.example")
    seen = {name: refusals(client, phone_option(client), limit + 1)
            for name, client in (("real", real), ("stand-in", stand_in))}
    assert seen["real"] == seen["stand-in"]
    assert seen["real"][-1] == (400, True) and seen["real"][0] == (200, False)


@pytest.mark.parametrize("user_id", ["real", "nobody@student.district.example"], ids=["real", "stand-in"])
def test_the_wrong_codes_say_the_same_for_a_real_account_and_a_stand_in(user_id, student, captcha_off, settings,
                                                                         outbox, two_step_reset):
    email = give_method(student, "email", PERSONAL)
    give_method(student, "phone", PHONE)
    settings.CONFIG = settings.CONFIG.model_copy(update={"reset": settings.CONFIG.reset.model_copy(
        update={"resets_per_day": 20})})
    client = Client()
    begin(client, student.user_id if user_id == "real" else user_id)
    import re

    page = client.get("/reset/verify/").content.decode()
    option = next(v for v in re.findall(r'name="option" value="(-?\d+:\w+)"', page) if v.endswith(":email"))
    client.post("/reset/verify/", {"action": "choose", "option": option})
    said = []
    for _ in range(settings.CONFIG.methods.code_attempts):
        text = client.post("/reset/verify/", {"action": "verify", "code": "000000"}).content.decode()
        said.append("no longer valid" in text)
    assert said == [False] * (settings.CONFIG.methods.code_attempts - 1) + [True]
    if user_id == "real":  # and the owner, with a new code, still gets through
        client.get("/reset/verify/")
        client.post("/reset/verify/", {"action": "choose", "option": f"{email.pk}:email"})
        assert client.post("/reset/verify/", {"action": "verify", "code": outbox(PERSONAL)})["Location"] == \
            "/reset/verify/"


def offered_labels(user_id) -> str:
    client = Client()
    begin(client, user_id)
    return client.get("/reset/verify/").content.decode()


def test_stand_ins_look_like_real_people_and_offer_only_what_the_configuration_allows(db, captcha_off, settings,
                                                                                       two_step_reset):
    """Real people have an authenticator app or questions too, so some stand-ins do; and none
    offers a kind the district has switched off."""
    settings.CONFIG = settings.CONFIG.model_copy(update={"reset": settings.CONFIG.reset.model_copy(
        update={"resets_per_ip_per_hour": 100})})
    pages = [offered_labels(f"nobody{n}@student.district.example") for n in range(30)]
    assert any("authenticator app" in page for page in pages)
    assert any("Answer my security questions" in page for page in pages)
    assert all("Email my alternate email" in page for page in pages)
    settings.CONFIG = settings.CONFIG.model_copy(update={"methods": settings.CONFIG.methods.model_copy(
        update={"allowed": ["email", "phone"]})})
    pages = [offered_labels(f"nobody{n}@student.district.example") for n in range(30)]
    assert not any("authenticator app" in page or "Answer my security questions" in page for page in pages)


def test_an_operator_may_choose_to_tell_an_unregistered_person_why(client, student, staff, captcha_off, settings):
    for explain in (False, True):
        settings.CONFIG = settings.CONFIG.model_copy(update={"reset": settings.CONFIG.reset.model_copy(
            update={"explain_unregistered": explain})})
        answer = Client().post("/reset/", {"user_id": student.user_id})
        if not explain:  # the default: stand-ins, the same as for anyone
            assert answer["Location"] == "/reset/reason/"
        else:
            assert answer.status_code == 400
            assert "You haven&#x27;t registered security info; contact the help desk." in answer.content.decode()
    give_method(staff, "email", PERSONAL)  # and one who has registered goes on as ever
    give_method(staff, "phone", PHONE)
    assert Client().post("/reset/", {"user_id": staff.user_id})["Location"] == "/reset/reason/"


def median_times(journeys, rounds=12) -> dict:
    """Each journey's median time, the samples alternating so a busy machine slows all alike."""
    import statistics
    import time

    samples: dict = {name: [] for name in journeys}
    for _ in range(rounds):
        for name, journey in journeys.items():
            step = journey()
            start = time.perf_counter()
            step()
            samples[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in samples.items()}


def test_sending_takes_as_long_for_a_real_account_as_for_a_stand_in(student, captcha_off, settings,
                                                                     screened_outbox, two_step_reset):
    """The code is queued, never sent while the page waits: choosing the email and typing the
    whole phone number take as long whether a message goes out or not."""
    settings.CONFIG = settings.CONFIG.model_copy(update={
        "reset": settings.CONFIG.reset.model_copy(update={"resets_per_day": 1000, "resets_per_ip_per_hour": 1000}),
        "methods": settings.CONFIG.methods.model_copy(update={"sends_per_account": 1000, "sends_per_ip": 1000})})
    give_method(student, "email", PERSONAL)
    give_method(student, "phone", PHONE)
    generous = {"limit_per_destination": 1000, "limit_per_account": 1000, "limit_per_ip": 1000}
    settings.CONFIG = settings.CONFIG.model_copy(update={
        "email": settings.CONFIG.email.model_copy(update=generous),
        "sms": settings.CONFIG.sms.model_copy(update={**generous, "limit_per_prefix": 1000})})

    def choosing(user_id, option_of):
        def prepare():
            client = Client()
            begin(client, user_id)
            option = option_of(client)
            return lambda: client.post("/reset/verify/", {"action": "choose", "option": option})
        return prepare

    def numbering(user_id, number):
        def prepare():
            client = Client()
            begin(client, user_id)
            client.post("/reset/verify/", {"action": "choose", "option": phone_option(client)})
            return lambda: client.post("/reset/verify/", {"action": "number", "region": "US", "number": number})
        return prepare

    def email_option(client):
        import re

        page = client.get("/reset/verify/").content.decode()
        return next(v for v in re.findall(r'name="option" value="(-?\d+:\w+)"', page) if v.endswith(":email"))

    stranger = "nobody@student.district.example"
    times = median_times({"real": choosing(student.user_id, email_option),
                          "stand-in": choosing(stranger, email_option)})
    assert 0.5 < times["real"] / times["stand-in"] < 2.0, times
    times = median_times({"right": numbering(student.user_id, "(202) 555-0143"),
                          "wrong": numbering(student.user_id, "(202) 555-0199")})
    assert 0.5 < times["right"] / times["wrong"] < 2.0, times
