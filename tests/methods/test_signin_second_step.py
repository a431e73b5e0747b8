import re

from django.test import Client

from sspr.demo.models import OutboxMessage
from sspr.methods.models import RememberedDevice
from sspr.web.second_step import DEVICE_COOKIE as COOKIE

from ..conftest import sign_in
from .conftest import give_method, second_step

PHONE = "+12025550143"


def test_a_person_with_a_phone_is_asked_for_the_second_step(client, student, outbox):
    method = give_method(student, "phone", PHONE)
    assert sign_in(client, student)["Location"] == "/signin/verify/"
    assert client.get("/account/").status_code == 302  # not signed in yet
    page = client.get("/signin/verify/").content.decode()
    assert "Text my mobile phone (+X XXXXXXXX43)" in page and "Call my mobile phone (+X XXXXXXXX43)" in page
    assert PHONE not in page
    chosen = client.post("/signin/verify/", {"action": "choose", "option": f"{method.pk}:sms"}).content.decode()
    assert "We texted your phone +X XXXXXXXX43" in chosen and "Don't ask again for 5 days" in chosen
    key_before = client.session.session_key
    response = client.post("/signin/verify/", {"action": "verify", "code": outbox(PHONE)})
    assert response["Location"] == "/account/"
    assert client.get("/account/").status_code == 200
    assert client.session.session_key != key_before


def test_the_strongest_method_is_offered_first(client, student):
    give_method(student, "email", "chris@personal.example")
    give_method(student, "questions", data={"answers": []})
    give_method(student, "totp", name="Authenticator")
    sign_in(client, student)
    page = client.get("/signin/verify/").content.decode()
    assert page.index("authenticator") < page.index("Email my alternate email (ch*****@personal.example)")
    assert "security questions" not in page  # questions never serve as a second step


def test_a_wrong_code_does_not_sign_in(client, student, outbox):
    method = give_method(student, "phone", PHONE)
    sign_in(client, student)
    client.post("/signin/verify/", {"action": "choose", "option": f"{method.pk}:sms"})
    code = outbox(PHONE)
    wrong = "000000" if code != "000000" else "111111"
    response = client.post("/signin/verify/", {"action": "verify", "code": wrong})
    assert response.status_code == 400 and "didn&#x27;t work" in response.content.decode()
    assert client.get("/account/").status_code == 302


def test_failures_count_against_the_account_across_sessions(student, outbox, settings):
    method = give_method(student, "phone", PHONE)
    limit = settings.CONFIG.methods.failures_per_account
    # Every attacker gets a code to answer (an answer without a challenge sent is not judged).
    config = settings.CONFIG
    settings.CONFIG = config.model_copy(update={
        "methods": config.methods.model_copy(update={"sends_per_account": limit + 1}),
        "sms": config.sms.model_copy(update={"limit_per_destination": limit + 1, "limit_per_account": limit + 1})})
    for _ in range(limit):
        attacker = Client(REMOTE_ADDR="203.0.113.9")
        sign_in(attacker, student)
        attacker.post("/signin/verify/", {"action": "choose", "option": f"{method.pk}:sms"})
        attacker.post("/signin/verify/", {"action": "verify", "code": "999999"})
    owner = Client()
    sign_in(owner, student)
    refused = owner.post("/signin/verify/", {"action": "choose", "option": f"{method.pk}:sms"})
    assert refused.status_code == 400 and "Please try again in 30 minutes" in refused.content.decode()


def test_the_second_step_cannot_be_reached_without_the_password(client, student):
    give_method(student, "phone", PHONE)
    assert client.get("/signin/verify/")["Location"] == "/signin/"
    assert client.post("/signin/verify/", {"action": "verify", "code": "123456"})["Location"] == "/signin/"


def test_a_method_of_someone_else_cannot_be_chosen(client, student, staff, outbox):
    give_method(student, "phone", PHONE)
    theirs = give_method(staff, "phone", "+12025550199")
    sign_in(client, student)
    response = client.post("/signin/verify/", {"action": "choose", "option": f"{theirs.pk}:sms"})
    assert response.status_code == 400
    assert not OutboxMessage.objects.filter(to="+12025550199").exists()


def test_dont_ask_again_skips_the_second_step_on_this_device(client, student, outbox):
    method = give_method(student, "phone", PHONE)
    sign_in(client, student)
    second_step(client, method, outbox, remember=True)
    device = RememberedDevice.objects.get()
    assert client.cookies[COOKIE].value not in device.token_hash  # stored only hashed
    client.post("/signout/")
    assert sign_in(client, student)["Location"] == "/account/"
    page = client.get("/security-info/confirm-password/")
    assert page.status_code == 200


def test_a_remembered_device_does_nothing_for_someone_else(client, student, staff, outbox):
    mine = give_method(student, "phone", PHONE)
    give_method(staff, "phone", "+12025550199")
    sign_in(client, student)
    second_step(client, mine, outbox, remember=True)
    stolen = client.cookies[COOKIE].value
    other = Client()
    other.cookies[COOKIE] = stolen
    assert sign_in(other, staff)["Location"] == "/signin/verify/"


def test_a_password_change_forgets_every_device(client, student, outbox):
    method = give_method(student, "phone", PHONE)
    sign_in(client, student)
    second_step(client, method, outbox, remember=True)
    new = "Purple lanterns drift over quiet harbors!"
    client.post("/account/password/", {"old_password": student.password, "new_password": new,
                                       "confirm_password": new})
    assert not RememberedDevice.objects.exists()
    client.post("/signout/")
    assert client.post("/signin/", {"user_id": student.user_id, "password": new})["Location"] == "/signin/verify/"


def test_shared_computers_are_never_remembered(student, outbox, settings):
    settings.CONFIG = settings.CONFIG.model_copy(update={"methods": settings.CONFIG.methods.model_copy(
        update={"shared_device_networks": ["198.51.100.0/24"]})})
    method = give_method(student, "phone", PHONE)
    lab = Client(REMOTE_ADDR="198.51.100.20")
    sign_in(lab, student)
    chosen = lab.post("/signin/verify/", {"action": "choose", "option": f"{method.pk}:sms"}).content.decode()
    assert "ask again" not in chosen
    lab.post("/signin/verify/", {"action": "verify", "code": outbox(PHONE), "remember": "on"})
    assert not RememberedDevice.objects.exists() and COOKIE not in lab.cookies


def test_group_rules_can_switch_remembering_off(student, outbox, settings):
    from sspr.config.schema import MethodOverride

    settings.CONFIG = settings.CONFIG.model_copy(update={"methods": settings.CONFIG.methods.model_copy(
        update={"groups": {"Students": MethodOverride(remember_device_days=0)}})})
    method = give_method(student, "phone", PHONE)
    client = Client()
    sign_in(client, student)
    chosen = client.post("/signin/verify/", {"action": "choose", "option": f"{method.pk}:sms"}).content.decode()
    assert "ask again" not in chosen


def test_a_wrong_code_is_shown_at_the_code_field(client, student, outbox):
    method = give_method(student, "phone", PHONE)
    sign_in(client, student)
    client.post("/signin/verify/", {"action": "choose", "option": f"{method.pk}:sms"})
    page = client.post("/signin/verify/", {"action": "verify", "code": "000000" if outbox(PHONE) != "000000"
                                           else "111111"}).content.decode()
    assert 'aria-invalid="true"' in page and 'id="id_code_error"' in page


def test_cancel_on_the_second_step_forgets_the_half_made_sign_in(client, student, outbox):
    give_method(student, "phone", "+15550200")
    sign_in(client, student)
    assert client.get("/signin/verify/").status_code == 200
    page = client.get("/signin/?cancel")
    assert page.status_code == 200
    assert client.get("/signin/verify/")["Location"] == "/signin/"


def test_a_second_step_just_passed_opens_security_info_without_asking_again(client, student, outbox):
    phone = give_method(student, "phone", "+15550200")
    sign_in(client, student)
    client.post("/signin/verify/", {"action": "choose", "option": f"{phone.pk}:sms"})
    client.post("/signin/verify/", {"action": "verify", "code": outbox("+15550200")})
    assert client.get("/security-info/").status_code == 200


def test_a_wrong_code_by_call_still_says_we_are_calling_like_a_stand_in_would(client, student, outbox):
    phone = give_method(student, "phone", "+15550200")
    sign_in(client, student)
    client.post("/signin/verify/", {"action": "choose", "option": f"{phone.pk}:voice"})
    right = outbox("+15550200")
    response = client.post("/signin/verify/", {"action": "verify", "code": f"{(int(right) + 1) % 1000000:06d}"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "calling your phone" in page and "We texted" not in page


def test_a_send_limit_names_the_methods_that_still_work(client, student, outbox, settings):
    phone = give_method(student, "phone", PHONE)
    give_method(student, "totp", name="Authenticator")
    sign_in(client, student)
    for _ in range(settings.CONFIG.methods.sends_per_account):
        client.post("/signin/verify/", {"action": "choose", "option": f"{phone.pk}:sms"})
        client.post("/signin/verify/", {"action": "another"})
    refused = client.post("/signin/verify/", {"action": "choose", "option": f"{phone.pk}:sms"})
    page = refused.content.decode()
    assert refused.status_code == 400 and "Too many attempts" in page
    assert "You can still use: Authenticator app." in page
    assert re.search(rf'value="{phone.pk}:sms" id="option-\d+" checked', page)  # the choice stays chosen


def test_a_send_limit_with_nothing_else_to_use_says_only_when_to_try_again(client, student, outbox, settings):
    phone = give_method(student, "phone", PHONE)
    sign_in(client, student)
    for _ in range(settings.CONFIG.methods.sends_per_account):
        client.post("/signin/verify/", {"action": "choose", "option": f"{phone.pk}:sms"})
        client.post("/signin/verify/", {"action": "another"})
    page = client.post("/signin/verify/", {"action": "choose", "option": f"{phone.pk}:sms"}).content.decode()
    assert "Too many attempts" in page and "You can still use" not in page
