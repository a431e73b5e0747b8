"""A code that worked once is spent: entered again, in another attempt, it is refused, though no
newer code was sent in between to replace it. (Replacement by a newer code has its own tests.)

Each test starts the second attempt before the first, so that the second attempt is waiting
for a code when the first one succeeds: the code the first attempt used is then the newest
code there is, and only its being spent stops the replay."""

import pytest
from django.test import Client

from sspr.delivery.models import Delivery
from sspr.demo.models import OutboxMessage
from sspr.methods.models import Method

from ..conftest import sign_in
from ..reset.conftest import begin
from .conftest import give_method, open_security_info

PHONE = "+12025550143"
PERSONAL = "chris@personal.example"


def refused(response) -> bool:
    page = response.content.decode()
    return response.status_code == 400 and ("didn&#x27;t work" in page or "no longer valid" in page)


def sent() -> tuple[int, int]:
    return OutboxMessage.objects.count(), Delivery.objects.count()


def test_it_refuses_a_sign_in_code_entered_again_in_another_sign_in(student, outbox):
    phone = give_method(student, "phone", PHONE)
    other, owner = Client(), Client()  # someone else who has the password, and the owner
    sign_in(other, student)
    other.post("/signin/verify/", {"action": "choose", "option": f"{phone.pk}:sms"})
    sign_in(owner, student)
    owner.post("/signin/verify/", {"action": "choose", "option": f"{phone.pk}:sms"})
    code = outbox(PHONE)
    assert owner.post("/signin/verify/", {"action": "verify", "code": code})["Location"] == "/account/"
    before = sent()
    replay = other.post("/signin/verify/", {"action": "verify", "code": code})
    assert refused(replay)
    assert other.get("/account/").status_code == 302
    assert sent() == before  # nothing new was sent: the code itself was refused


def test_it_refuses_a_reset_code_entered_again_in_another_reset(student, outbox, captcha_off):
    email = give_method(student, "email", PERSONAL)
    other, owner = Client(), Client()
    begin(other, student.user_id)
    other.post("/reset/verify/", {"action": "choose", "option": f"{email.pk}:email"})
    begin(owner, student.user_id)
    owner.post("/reset/verify/", {"action": "choose", "option": f"{email.pk}:email"})
    code = outbox(PERSONAL)
    assert owner.post("/reset/verify/", {"action": "verify", "code": code})["Location"] == "/reset/new-password/"
    before = sent()
    replay = other.post("/reset/verify/", {"action": "verify", "code": code})
    assert refused(replay)
    assert other.get("/reset/new-password/")["Location"] == "/reset/"
    assert sent() == before


@pytest.mark.parametrize("kind, form, destination", [
    ("phone", {"region": "US", "number": "(202) 555-0143", "action": "text"}, PHONE),
    ("email", {"destination": PERSONAL, "action": "send"}, PERSONAL),
], ids=["phone", "email"])
def test_it_refuses_an_enrolment_code_entered_again_in_another_enrolment(student, outbox, kind, form, destination):
    other, owner = Client(), Client()
    for client in (other, owner):
        sign_in(client, student)
        open_security_info(client)
        assert client.post(f"/security-info/add/{kind}/", form).status_code == 302
    code = outbox(destination)
    assert owner.post(f"/security-info/add/{kind}/", {"code": code})["Location"] == "/security-info/"
    registered = Method.objects.get(kind=kind)
    before = sent()
    replay = other.post(f"/security-info/add/{kind}/", {"code": code})
    assert refused(replay)
    assert list(Method.objects.values_list("pk", flat=True)) == [registered.pk]  # not registered again
    assert sent() == before


def test_it_refuses_a_live_code_sent_for_another_sign_in_of_the_same_person(student, outbox):
    """A code is bound to the flow it was sent for: someone who has the password and starts a
    sign-in of their own cannot use the code sent to the owner's sign-in, even unspent."""
    phone = give_method(student, "phone", PHONE)
    other, owner = Client(), Client()
    sign_in(other, student)
    other.post("/signin/verify/", {"action": "choose", "option": f"{phone.pk}:sms"})
    sign_in(owner, student)
    owner.post("/signin/verify/", {"action": "choose", "option": f"{phone.pk}:sms"})
    owners_code = outbox(PHONE)
    assert refused(other.post("/signin/verify/", {"action": "verify", "code": owners_code}))
    assert other.get("/account/").status_code == 302
    assert owner.post("/signin/verify/", {"action": "verify", "code": owners_code})["Location"] == "/account/"
