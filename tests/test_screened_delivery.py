"""The flows with demo mode off, through delivery's real screening (number types, countries,
limits) to real back-ends at their network boundary: email to a local SMTP server, texts and calls
to the generic HTTP gateway on a local HTTP server (the `screened_outbox` fixture). Demo mode
sends everything to the outbox and skips the phone-number and toll-fraud checks; this does not."""

import pytest
from django.core.management import call_command
from django.test import Client

from sspr.delivery.models import Delivery
from sspr.methods.models import Method

from .conftest import sign_in
from .methods.conftest import give_method, open_security_info
from .reset.conftest import begin, by_email, by_text

NEW = "Purple lanterns drift over quiet harbors!"
PHONE = "+12025550143"
PERSONAL = "chris@personal.example"
CANNOT_TEXT = "We cannot send a text to this number; try another method."
CANNOT_CALL = "We cannot call this number; try another method."


@pytest.mark.parametrize("choice, path, told", [
    ("sms", "/sms", "We texted your phone +X XXXXXXXX43"),
    ("voice", "/call", "We're calling your phone +X XXXXXXXX43"),
], ids=["text", "call"])
def test_it_signs_in_with_a_code_the_gateway_was_asked_to_send(client, student, screened_outbox, choice, path, told):
    phone = give_method(student, "phone", PHONE)
    assert sign_in(client, student)["Location"] == "/signin/verify/"
    page = client.post("/signin/verify/", {"action": "choose", "option": f"{phone.pk}:{choice}"}).content.decode()
    assert told in page
    [request] = screened_outbox.gateway.requests
    assert (request.path, request.json["to"]) == (path, PHONE)
    response = client.post("/signin/verify/", {"action": "verify", "code": screened_outbox(PHONE)})
    assert response["Location"] == "/account/"
    assert client.get("/account/").status_code == 200
    delivery = Delivery.objects.get(to=PHONE)
    assert (delivery.backend, delivery.status, delivery.body) == ("http", "sent", "")  # the code is not kept


def test_it_resets_a_password_with_a_code_emailed_over_smtp_and_tells_the_person(client, student, screened_outbox,
                                                                                 captcha_off):
    email = give_method(student, "email", PERSONAL)
    begin(client, student.user_id)
    assert by_email(client, screened_outbox, email)["Location"] == "/reset/new-password/"
    [mail] = screened_outbox.mail_server.received
    assert mail.recipients == [PERSONAL] and mail.tls  # over STARTTLS, signed in
    response = client.post("/reset/new-password/", {"new_password": NEW, "confirm_password": NEW})
    assert "Your password has been reset" in response.content.decode()
    call_command("worker", "--once")  # the notice is queued, not sent while the person waits
    [notice] = [m for m in screened_outbox.emails(student.account.email) if "changed" in m["Subject"]]
    assert NEW not in notice.get_body(("plain",)).get_content()
    assert sign_in(Client(), student, NEW)["Location"] == "/signin/verify/"


def test_it_resets_a_password_with_a_code_texted_through_the_gateway(client, student, screened_outbox, captcha_off):
    phone = give_method(student, "phone", PHONE)
    begin(client, student.user_id)
    assert by_text(client, screened_outbox, phone)["Location"] == "/reset/new-password/"
    assert [r.json["to"] for r in screened_outbox.gateway.requests] == [PHONE]


@pytest.mark.parametrize("region, number, action, words", [
    ("US", "(900) 555-0123", "text", CANNOT_TEXT),   # premium rate: pays whoever owns it
    ("GB", "07400 123456", "text", CANNOT_TEXT),     # another country than the organisation's
    ("US", "(800) 555-0199", "text", CANNOT_TEXT),   # toll-free: no texts
    ("GB", "07400 123456", "call", CANNOT_CALL),
], ids=["premium rate", "another country", "toll-free", "another country by call"])
def test_it_tells_a_person_plainly_that_a_refused_number_cannot_be_used_and_sends_nothing(
        client, student, screened_outbox, region, number, action, words):
    sign_in(client, student)
    open_security_info(client)
    response = client.post("/security-info/add/phone/", {"region": region, "number": number, "action": action})
    page = response.content.decode()
    assert response.status_code == 400 and words.replace("'", "&#x27;") in page
    for reason in ("premium_rate", "toll_free", "not allowed", "not an assigned"):
        assert reason not in page  # the screening's reason is for the audit trail, not the page
    assert screened_outbox.nothing_sent() and not Delivery.objects.exists()
    assert not Method.objects.exists()
    assert "Enter it below" not in client.get("/security-info/add/phone/").content.decode()  # no code to wait for


def test_it_refuses_a_registered_number_the_screening_no_longer_allows_and_offers_the_other_methods(
        client, student, screened_outbox):
    abroad = give_method(student, "phone", "+447400123456")  # registered when other countries were allowed
    give_method(student, "email", PERSONAL)
    sign_in(client, student)
    response = client.post("/signin/verify/", {"action": "choose", "option": f"{abroad.pk}:sms"})
    page = response.content.decode()
    assert response.status_code == 400 and CANNOT_TEXT.replace("'", "&#x27;") in page
    assert "Email my alternate email (ch*****@personal.example)" in page
    assert screened_outbox.nothing_sent() and not Delivery.objects.exists()
    assert client.get("/account/").status_code == 302
