"""Get back into your account: the whole flow through the Django test client, and the attacks on
it that must fail. The CAPTCHA is off here (its own tests are in test_captcha.py)."""

import re
import statistics
import time

import pytest
from django.test import Client

from sspr.audit.models import AuditEvent
from sspr.demo.models import OutboxMessage
from sspr.directory import get_directory
from sspr.directory.base import BadCredentials
from sspr.directory.embedded.models import FOREVER, Account

from ..conftest import sign_in
from ..methods.conftest import give_method
from .conftest import begin, by_email, by_text

NEW = "Purple lanterns drift over quiet harbors!"
PHONE = "+12025550143"
PERSONAL = "chris@personal.example"


@pytest.fixture(autouse=True)
def no_captcha(captcha_off, outbox):
    pass


def test_a_student_resets_a_forgotten_password_with_one_method(client, student, outbox):
    email = give_method(student, "email", PERSONAL)
    begin(client, student.user_id)
    page = client.get("/reset/verify/").content.decode()
    assert "Email my alternate email (ch*****@personal.example)" in page
    assert by_email(client, outbox, email)["Location"] == "/reset/new-password/"
    page = client.get("/reset/new-password/").content.decode()
    assert "choose a new password" in page.lower()
    response = client.post("/reset/new-password/", {"new_password": NEW, "confirm_password": NEW})
    assert "Your password has been reset" in response.content.decode()
    assert get_directory().authenticate(student.user_id, NEW)
    with pytest.raises(BadCredentials):
        get_directory().authenticate(student.user_id, student.password)
    assert client.get("/account/").status_code == 302  # no automatic sign-in
    assert AuditEvent.objects.filter(tag="password:reset", subject=student.user_id).exists()
    assert OutboxMessage.objects.filter(channel="email", to=student.user_id, subject__contains="changed").exists()


def test_two_steps_with_email_and_text_for_a_group_that_requires_two(client, staff, outbox, settings):
    settings.CONFIG = settings.CONFIG.model_copy(update={"methods": settings.CONFIG.methods.model_copy(
        update={"reset_steps": 2})})
    email = give_method(staff, "email", PERSONAL)
    phone = give_method(staff, "phone", PHONE)
    begin(client, staff.user_id)
    assert by_email(client, outbox, email)["Location"] == "/reset/verify/"
    second = client.get("/reset/verify/").content.decode()
    assert "verification step 2" in second and "Email my alternate email" not in second  # a different method
    assert by_text(client, outbox, phone)["Location"] == "/reset/new-password/"


def test_the_reset_clears_a_lockout_and_must_change(client, student, outbox):
    email = give_method(student, "email", PERSONAL)
    Account.objects.filter(user_id=student.user_id).update(locked_until=FOREVER, must_change_password=True)
    begin(client, student.user_id)
    by_email(client, outbox, email)
    client.post("/reset/new-password/", {"new_password": NEW, "confirm_password": NEW})
    account = Account.objects.get(user_id=student.user_id)
    assert account.locked_until is None and not account.must_change_password


def test_unlock_keeps_the_password(client, student, outbox):
    email = give_method(student, "email", PERSONAL)
    Account.objects.filter(user_id=student.user_id).update(locked_until=FOREVER)
    begin(client, student.user_id, reason="unlock")
    response = by_email(client, outbox, email)
    assert "Your account has been unlocked" in response.content.decode()
    assert get_directory().authenticate(student.user_id, student.password)
    assert AuditEvent.objects.filter(tag="account:unlock", subject=student.user_id).exists()


def test_a_lockout_by_repeated_failures_does_not_stop_the_owner(client, student, outbox, settings):
    email = give_method(student, "email", PERSONAL)
    for _ in range(settings.CONFIG.directory.lockout_threshold):
        Client().post("/signin/", {"user_id": student.user_id, "password": "someone guessing here"})
    begin(client, student.user_id, reason="unlock")
    assert "Your account has been unlocked" in by_email(client, outbox, email).content.decode()


def test_skipping_to_the_new_password_by_url_fails(client, student):
    give_method(student, "email", PERSONAL)
    assert client.get("/reset/new-password/")["Location"] == "/reset/"
    begin(client, student.user_id)
    assert client.get("/reset/new-password/")["Location"] == "/reset/"
    response = client.post("/reset/new-password/", {"new_password": NEW, "confirm_password": NEW})
    assert response["Location"] == "/reset/"
    assert get_directory().authenticate(student.user_id, student.password)


def test_a_code_cannot_be_replayed(client, student, outbox):
    email = give_method(student, "email", PERSONAL)
    begin(client, student.user_id)
    by_email(client, outbox, email)
    code = outbox(PERSONAL)
    again = Client()
    begin(again, student.user_id)
    again.post("/reset/verify/", {"action": "choose", "option": f"{email.pk}:email"})
    OutboxMessage.objects.all().delete()
    assert again.post("/reset/verify/", {"action": "verify", "code": code}).status_code == 400
    assert again.get("/reset/new-password/")["Location"] == "/reset/"


def test_a_wrong_full_phone_number_sends_nothing_and_looks_the_same(client, student, outbox):
    phone = give_method(student, "phone", PHONE)

    def answer(number):
        OutboxMessage.objects.all().delete()
        flow = Client()
        begin(flow, student.user_id)
        flow.post("/reset/verify/", {"action": "choose", "option": f"{phone.pk}:sms"})
        response = flow.post("/reset/verify/", {"action": "number", "region": "US", "number": number})
        return response, OutboxMessage.objects.filter(to=PHONE).count()

    right, sent_right = answer("(202) 555-0143")
    wrong, sent_wrong = answer("(202) 555-0199")
    assert (sent_right, sent_wrong) == (1, 0)
    assert right.status_code == wrong.status_code == 200
    assert clean(right.content.decode()) == clean(wrong.content.decode())


def test_a_code_of_user_a_does_not_work_in_user_bs_flow(client, student, staff, outbox):
    mine = give_method(student, "email", PERSONAL)
    theirs = give_method(staff, "email", "ana@personal.example")
    begin(client, student.user_id)
    client.post("/reset/verify/", {"action": "choose", "option": f"{mine.pk}:email"})
    code = outbox(PERSONAL)
    other = Client()
    begin(other, staff.user_id)
    other.post("/reset/verify/", {"action": "choose", "option": f"{theirs.pk}:email"})
    assert other.post("/reset/verify/", {"action": "verify", "code": code}).status_code == 400
    # and user A's method cannot be chosen in B's flow either
    assert other.post("/reset/verify/", {"action": "choose", "option": f"{mine.pk}:email"}).status_code == 400


def test_step_two_cannot_reuse_the_method_of_step_one(client, staff, outbox, settings):
    settings.CONFIG = settings.CONFIG.model_copy(update={"methods": settings.CONFIG.methods.model_copy(
        update={"reset_steps": 2})})
    email = give_method(staff, "email", PERSONAL)
    give_method(staff, "phone", PHONE)
    begin(client, staff.user_id)
    by_email(client, outbox, email)
    response = client.post("/reset/verify/", {"action": "choose", "option": f"{email.pk}:email"})
    assert response.status_code == 400
    assert client.get("/reset/new-password/")["Location"] == "/reset/"


def test_administrators_always_need_two_steps_and_a_strong_method_is_not_bypassed(client, administrator, outbox):
    email = give_method(administrator, "email", PERSONAL)
    give_method(administrator, "totp", name="Authenticator", sealed_secret="", data={"last_step": 0})
    give_method(administrator, "phone", PHONE)
    begin(client, administrator.user_id)
    assert by_email(client, outbox, email)["Location"] == "/reset/verify/"
    second = client.get("/reset/verify/").content.decode()
    assert "authenticator" in second.lower() and "Text my mobile phone" not in second


def test_starting_resets_for_someone_never_blocks_their_own(client, student, settings, outbox):
    """Nothing is proved by typing a user ID: starts are counted per address, not per user ID."""
    email = give_method(student, "email", PERSONAL)
    for _ in range(settings.CONFIG.reset.resets_per_day + 5):
        begin(Client(REMOTE_ADDR="203.0.113.7"), student.user_id)
    begin(client, student.user_id)
    assert by_email(client, outbox, email)["Location"] == "/reset/new-password/"


def test_the_failed_verifications_of_a_day_stop_that_user_ids_resets(client, student, settings, outbox):
    email = give_method(student, "email", PERSONAL)
    for _ in range(settings.CONFIG.reset.resets_per_day):
        attacker = Client(REMOTE_ADDR="203.0.113.7")
        begin(attacker, student.user_id)
        attacker.post("/reset/verify/", {"action": "choose", "option": f"{email.pk}:email"})
        assert attacker.post("/reset/verify/", {"action": "verify", "code": "000000"}).status_code == 400
    begin(client, student.user_id)
    refused = client.post("/reset/verify/", {"action": "choose", "option": f"{email.pk}:email"})
    assert refused.status_code == 400 and "Please try again in 24 hours" in refused.content.decode()
    # The owner's sign-in is another budget: untouched.
    owner = Client()
    assert sign_in(owner, student)["Location"] == "/signin/verify/"
    assert owner.post("/signin/verify/", {"action": "choose", "option": f"{email.pk}:email"}).status_code == 200


def test_the_flow_expires(client, student, settings):
    give_method(student, "email", PERSONAL)
    begin(client, student.user_id)
    session = client.session
    session["flow:reset"]["expires"] -= settings.CONFIG.reset.flow_minutes * 60 + 1
    session.save()
    assert client.get("/reset/verify/")["Location"] == "/reset/"
    assert "flow:reset" not in client.session


def test_a_tampered_method_id_fails(client, student, outbox):
    give_method(student, "email", PERSONAL)
    begin(client, student.user_id)
    for value in ["-1:email", "999999:email", "x:email", ""]:
        assert client.post("/reset/verify/", {"action": "choose", "option": value}).status_code == 400


def clean(body: str) -> str:
    body = re.sub(r'value="[A-Za-z0-9]{64}"', "", body)
    body = re.sub(r'nonce="[^"]+"', "", body)
    body = re.sub(r'value="-?\d+:', 'value="N:', body)  # method ids differ between people
    return body


def test_no_enumeration_up_to_the_point_where_a_code_would_be_sent(student, staff, outbox, two_step_reset):
    """Existing (with methods), unknown, disabled and method-less user IDs look the same."""
    give_method(student, "email", PERSONAL)
    Account.objects.filter(user_id=staff.user_id).update(enabled=False)
    give_method(staff, "email", "ana@personal.example")
    Account.objects.create(user_id="nomethods@district.example", password="!")

    def journey(user_id):
        client = Client()
        first = client.post("/reset/", {"user_id": user_id})
        second = client.post("/reset/reason/", {"reason": "forgot"})
        third = client.get("/reset/verify/")
        return [(r.status_code, r.get("Location"), sorted(r.cookies.keys()),
                 sorted(k for k in r.headers if k not in ("Content-Length", "Content-Security-Policy")))
                for r in (first, second, third)], third.content.decode()

    shapes = {user_id: journey(user_id) for user_id in
              [student.user_id, "nobody@district.example", staff.user_id, "nomethods@district.example"]}
    first_shape = next(iter(shapes.values()))[0]
    for shape, page in shapes.values():
        assert shape == first_shape
        assert "Email my alternate email (" in page  # stand-ins look like a real person's methods
        assert "call the help desk." in page.lower()  # the help desk, once, in the footer


def test_no_enumeration_in_timing(student, settings):
    give_method(student, "email", PERSONAL)
    settings.CONFIG = settings.CONFIG.model_copy(update={"reset": settings.CONFIG.reset.model_copy(
        update={"resets_per_day": 1000, "resets_per_ip_per_hour": 1000})})

    samples = {"known": [], "unknown": []}
    Client().post("/reset/", {"user_id": "warmup@district.example"})
    for _ in range(12):  # alternating, so a busy machine slows both alike
        for label, user_id in (("known", student.user_id), ("unknown", "nobody@district.example")):
            start = time.perf_counter()
            Client().post("/reset/", {"user_id": user_id})
            samples[label].append(time.perf_counter() - start)
    known, unknown = statistics.median(samples["known"]), statistics.median(samples["unknown"])
    assert 0.5 < known / unknown < 2.0, (known, unknown)


def test_the_first_step_needs_the_captcha_and_a_captcha_works_once(client, student, settings):
    from sspr.reset import captcha

    give_method(student, "email", PERSONAL)
    settings.CONFIG = settings.CONFIG.model_copy(update={
        "reset": settings.CONFIG.reset.model_copy(update={"captcha": "image"})})
    page = client.get("/reset/").content.decode()
    assert "Who are you?" in page and "/reset/captcha/reset-start/" in page
    solved = captcha.answers(client.session[captcha.SESSION_KEY]["reset-start"])[0]
    form = {"user_id": student.user_id, captcha.ANSWER_FIELD: solved}
    assert client.post("/reset/", {**form, captcha.ANSWER_FIELD: "WRONG"}).status_code == 400
    client.get("/reset/")
    solved = captcha.answers(client.session[captcha.SESSION_KEY]["reset-start"])[0]
    form[captcha.ANSWER_FIELD] = solved
    assert client.post("/reset/", form)["Location"] == "/reset/reason/"
    replay = client.post("/reset/", form)
    assert replay.status_code == 400 and "didn&#x27;t match" in replay.content.decode()
