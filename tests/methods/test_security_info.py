import re

import pytest
from django.contrib.auth import get_user_model

from sspr.audit.models import AuditEvent
from sspr.demo.models import OutboxMessage
from sspr.methods.models import Method, OneTimeCode

from ..conftest import sign_in
from .conftest import give_method, local_user, open_security_info

PHONE = "+12025550143"


def add_phone(client, outbox, number="(202) 555-0143", action="text"):
    response = client.post("/security-info/add/phone/", {"region": "US", "number": number, "action": action})
    assert response.status_code == 302, response.content.decode()[:2000]
    return outbox(PHONE)


def test_security_info_needs_the_password_re_entered(client, student):
    sign_in(client, student)
    for url in ["/security-info/", "/security-info/add/phone/"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == "/security-info/confirm-password/"
    page = client.get("/security-info/confirm-password/").content.decode()
    assert "re-enter your current password" in page
    wrong = client.post("/security-info/confirm-password/", {"password": "not it at all"})
    assert wrong.status_code == 400 and "Your password is incorrect." in wrong.content.decode()
    right = client.post("/security-info/confirm-password/", {"password": student.password})
    assert right["Location"] == "/security-info/"
    page = client.get("/security-info/").content.decode()
    assert "Authentication phone: not set up yet." in page and "Set it up now" in page


def test_with_a_method_security_info_also_needs_the_second_step(client, student, outbox, clock):
    method = give_method(student, "email", "chris@personal.example")
    assert sign_in(client, student)["Location"] == "/signin/verify/"
    client.post("/signin/verify/", {"action": "choose", "option": f"{method.pk}:email"})
    assert client.post("/signin/verify/", {"action": "verify", "code": outbox("chris@personal.example")})[
        "Location"] == "/account/"
    clock.advance(minutes=16)  # the sign-in's own second step no longer counts as fresh
    client.get("/account/")
    response = client.post("/security-info/confirm-password/", {"password": student.password})
    assert response["Location"] == "/signin/verify/"
    assert client.get("/security-info/").status_code == 302  # not yet
    client.post("/signin/verify/", {"action": "choose", "option": f"{method.pk}:email"})
    assert client.post("/signin/verify/", {"action": "verify", "code": outbox("chris@personal.example")})[
        "Location"] == "/security-info/"
    assert client.get("/security-info/").status_code == 200


def test_a_student_registers_a_phone_by_text(client, student, outbox):
    sign_in(client, student)
    open_security_info(client)
    code = add_phone(client, outbox)
    page = client.get("/security-info/add/phone/").content.decode()
    assert "We texted a code to +X XXXXXXXX43. Enter it below." in page
    assert client.post("/security-info/add/phone/", {"code": code})["Location"] == "/security-info/"
    method = Method.objects.get()
    assert (method.kind, method.destination) == ("phone", PHONE)
    assert AuditEvent.objects.filter(tag="method:add", subject=student.user_id).exists()
    notice = OutboxMessage.objects.get(channel="email")
    assert notice.to == student.user_id and "security info" in notice.subject
    assert code not in notice.body


def test_a_call_reads_the_code_too(client, student, outbox):
    sign_in(client, student)
    open_security_info(client)
    add_phone(client, outbox, action="call")
    assert OutboxMessage.objects.get(to=PHONE).channel == "voice"
    page = client.get("/security-info/add/phone/").content.decode()
    assert "calling +X XXXXXXXX43. Answer and type the code you hear." in page and "texted" not in page


def test_an_invalid_number_is_refused_and_nothing_is_sent(client, student, outbox):
    sign_in(client, student)
    open_security_info(client)
    response = client.post("/security-info/add/phone/", {"region": "US", "number": "12", "action": "text"})
    assert response.status_code == 400 and "Enter a valid phone number" in response.content.decode()
    assert not OutboxMessage.objects.exists()


def test_a_code_works_once(client, student, outbox):
    sign_in(client, student)
    open_security_info(client)
    code = add_phone(client, outbox)
    client.post("/security-info/add/phone/", {"code": code})
    open_security_info(client)
    add_phone(client, outbox)  # start again: the old code must not finish this one
    Method.objects.all().delete()
    response = client.post("/security-info/add/phone/", {"code": code})
    assert response.status_code == 400 and not Method.objects.exists()


def test_a_code_stops_working_when_a_newer_one_is_sent(client, student, outbox):
    sign_in(client, student)
    open_security_info(client)
    first = add_phone(client, outbox)
    second = add_phone(client, outbox)
    if first == second:  # one chance in a million: the test would prove nothing
        return
    assert client.post("/security-info/add/phone/", {"code": first}).status_code == 400
    assert client.post("/security-info/add/phone/", {"code": second}).status_code == 302


def test_the_sixth_wrong_code_is_refused_even_when_right(client, student, outbox):
    sign_in(client, student)
    open_security_info(client)
    code = add_phone(client, outbox)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        assert client.post("/security-info/add/phone/", {"code": wrong}).status_code == 400
    response = client.post("/security-info/add/phone/", {"code": code})
    assert response.status_code == 400 and "didn&#x27;t work" in response.content.decode()
    assert not Method.objects.exists()


def test_a_code_sent_to_one_person_does_not_work_for_another(client, student, staff, outbox):
    sign_in(client, student)
    open_security_info(client)
    code = add_phone(client, outbox)
    other = client.__class__()
    sign_in(other, staff)
    open_security_info(other)
    other.post("/security-info/add/phone/", {"region": "US", "number": "(202) 555-0199", "action": "text"})
    assert other.post("/security-info/add/phone/", {"code": code}).status_code == 400
    assert not Method.objects.exists()


def test_codes_are_stored_only_as_keyed_hashes(client, student, outbox):
    sign_in(client, student)
    open_security_info(client)
    code = add_phone(client, outbox)
    stored = OneTimeCode.objects.get()
    assert code not in stored.code_hash and len(stored.code_hash) == 64


def test_sending_is_limited_per_account(client, student, outbox, settings):
    sign_in(client, student)
    open_security_info(client)
    for _ in range(settings.CONFIG.methods.sends_per_account):
        add_phone(client, outbox)
    sent = OutboxMessage.objects.count()
    response = client.post("/security-info/add/phone/", {"region": "US", "number": "2025550143", "action": "text"})
    assert response.status_code == 400 and "Please try again in" in response.content.decode()
    assert OutboxMessage.objects.count() == sent


def test_an_organisation_email_is_refused_as_the_personal_one(client, student, outbox):
    sign_in(client, student)
    open_security_info(client)
    for address in ["chris@district.example", "chris@student.district.example", "c@mail.district.example"]:
        response = client.post("/security-info/add/email/", {"destination": address, "action": "send"})
        assert response.status_code == 400 and "non-organization email" in response.content.decode()
    assert not OutboxMessage.objects.exists()


def test_an_email_is_registered_with_its_code(client, student, outbox):
    sign_in(client, student)
    open_security_info(client)
    client.post("/security-info/add/email/", {"destination": "Chris@Personal.example", "action": "send"})
    client.post("/security-info/add/email/", {"code": outbox("chris@personal.example")})
    assert Method.objects.get().destination == "chris@personal.example"


def test_security_questions_are_normalised_and_stored_as_slow_hashes(client, student):
    sign_in(client, student)
    open_security_info(client)
    form = {"question_1": "first_pet", "answer_1": "Señor  Whiskers",
            "question_2": "birth_city", "answer_2": "São Paulo",
            "question_3": "first_pet", "answer_3": "sao paulo!"}
    page = client.post("/security-info/add/questions/", form).content.decode()
    assert "Choose a different question for each answer." in page
    assert "Give a different answer to each question." in page
    form.update(question_3="dream_job", answer_3="csmith1234 the astronaut")
    assert "may not contain your user ID" in client.post("/security-info/add/questions/", form).content.decode()
    form.update(answer_3="Astronaut")
    assert client.post("/security-info/add/questions/", form).status_code == 302
    stored = Method.objects.get().data["answers"]
    assert all(answer["hash"].startswith("argon2$argon2id$") for answer in stored)
    assert "whiskers" not in str(stored).lower()


def test_finish_needs_the_required_number_of_methods(client, student):
    sign_in(client, student)
    open_security_info(client)
    give_method(student, "email", "chris@personal.example")
    client.post("/security-info/finish/")
    assert "Set up at least 2 methods" in client.get("/security-info/").content.decode()
    give_method(student, "phone", PHONE)
    response = client.post("/security-info/finish/", follow=True)
    assert "You have successfully completed registration." in response.content.decode()


def test_removing_a_method_is_audited_and_told(client, student, outbox):
    sign_in(client, student)
    method = give_method(student, "email", "chris@personal.example")
    open_security_info(client)
    client.post(f"/security-info/remove/{method.pk}/")
    assert not Method.objects.exists()
    assert AuditEvent.objects.filter(tag="method:remove").exists()
    assert OutboxMessage.objects.filter(channel="email", to=student.user_id).exists()


def test_nobody_removes_another_persons_method(client, student, staff):
    method = give_method(staff, "email", "ana@personal.example")
    sign_in(client, student)
    open_security_info(client)
    assert client.post(f"/security-info/remove/{method.pk}/").status_code == 404
    assert Method.objects.filter(pk=method.pk).exists()


def test_sign_in_interrupts_to_register_until_skips_run_out(client, student, settings):
    settings.CONFIG = settings.CONFIG.model_copy(update={"methods": settings.CONFIG.methods.model_copy(
        update={"require_registration": True, "registration_skips": 1})})
    assert sign_in(client, student)["Location"] == "/security-info/register/"
    assert "Skip for now (1 time left)" in client.get("/security-info/register/").content.decode()
    assert client.post("/security-info/register/")["Location"] == "/account/"
    client.post("/signout/")
    assert sign_in(client, student)["Location"] == "/security-info/register/"
    assert client.post("/security-info/register/").status_code == 200  # no skips left: stays
    assert get_user_model().objects.get(user_id=student.user_id).registration_skips == 1


def test_old_security_info_is_reconfirmed(client, student, settings):
    from datetime import timedelta

    from django.utils import timezone

    give_method(student, "email", "chris@personal.example")
    give_method(student, "questions", data={"answers": []})
    get_user_model().objects.filter(user_id=student.user_id).update(
        security_info_confirmed_at=timezone.now() - timedelta(days=400))
    Method.objects.filter(kind="email").delete()  # only questions left: no second step at sign-in
    assert sign_in(client, student)["Location"] == "/security-info/current/"
    assert "Are your verification methods current?" in client.get("/security-info/current/").content.decode()
    assert client.post("/security-info/current/")["Location"] == "/account/"
    assert local_user(student).security_info_confirmed_at > timezone.now() - timedelta(minutes=1)


@pytest.mark.parametrize("language, first, other", [("en", "United States (+1)", "Germany (+49)"),
                                                    ("es", "Estados Unidos (+1)", "Alemania (+49)")])
def test_the_region_list_names_countries_in_the_pages_language_with_ours_first(client, student, language, first,
                                                                               other):
    sign_in(client, student)
    open_security_info(client)
    page = client.get("/security-info/add/phone/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    options = re.findall(r'<option value="([A-Z]{2})"[^>]*>([^<]+)</option>', page)
    assert options[0] == ("US", first)
    assert ("DE", other) in options


# What the person is told: a number as people write it, and a confirmation of each method added --

def status_text(page: str) -> str:
    """The text of the page's status region (role=status), where Django's messages are shown."""
    found = re.search(r'<div class="messages" role="status">(.*?)</div>', page, re.S)
    assert found, "no status region on the page"
    return re.sub(r"<[^>]+>", "", found[1]).strip()


@pytest.mark.parametrize("language, said", [
    ("en", "Authentication phone added: +1 202-555-0143."),
    ("es", "Método agregado: Teléfono de autenticación, +1 202-555-0143."),
])
def test_adding_a_phone_ends_with_a_confirmation_naming_it(client, student, outbox, language, said):
    sign_in(client, student)
    open_security_info(client)
    code = add_phone(client, outbox)
    response = client.post("/security-info/add/phone/", {"code": code}, HTTP_ACCEPT_LANGUAGE=language, follow=True)
    assert response.redirect_chain[-1][0] == "/security-info/"
    page = response.content.decode()
    assert status_text(page) == said
    # The list shows the whole number to its owner in the same international format.
    assert re.search(r'class="method__detail">\+1 202-555-0143\s*</span>', page)
    # The confirmation is said once: the next page has no stale message.
    assert 'role="status"' not in client.get("/security-info/", HTTP_ACCEPT_LANGUAGE=language).content.decode()


def test_each_kind_of_method_added_is_confirmed_by_name(client, student, outbox):
    sign_in(client, student)
    open_security_info(client)
    client.post("/security-info/add/email/", {"destination": "chris@personal.example", "action": "send"})
    response = client.post("/security-info/add/email/", {"code": outbox("chris@personal.example")}, follow=True)
    assert status_text(response.content.decode()) == "Authentication email added: chris@personal.example."
    form = {"question_1": "first_pet", "answer_1": "Whiskers", "question_2": "birth_city", "answer_2": "Lima",
            "question_3": "dream_job", "answer_3": "Astronaut"}
    response = client.post("/security-info/add/questions/", form, follow=True)
    assert status_text(response.content.decode()) == "Security questions added."


def test_reconfirming_shows_the_number_formatted(client, student, settings):
    from datetime import timedelta

    from django.utils import timezone

    give_method(student, "phone", PHONE)
    give_method(student, "questions", data={"answers": []})
    get_user_model().objects.filter(user_id=student.user_id).update(
        security_info_confirmed_at=timezone.now() - timedelta(days=400))
    client.force_login(local_user(student))
    page = client.get("/security-info/current/").content.decode()
    assert "Authentication phone: +1 202-555-0143" in page

