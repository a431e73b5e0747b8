"""A disabled account is not helped by the reset flow, however real its registered methods: it
is shown stand-ins, as an unknown user ID is, and nothing ever goes to its real phone or email."""

import re

import pytest
from django.test import Client

from sspr.delivery.models import Delivery
from sspr.demo.models import OutboxMessage
from sspr.directory.embedded.models import Account

from ..conftest import Screened, sign_in
from ..methods.conftest import give_method
from .conftest import begin

PHONE = "+12025550143"
PERSONAL = "chris@personal.example"


@pytest.fixture(params=["outbox", "screened_outbox"], ids=["demo outbox", "real back-ends"])
def codes(request):
    return request.getfixturevalue(request.param)


@pytest.fixture(autouse=True)
def every_method_offered(two_step_reset):
    """Stand-ins are compared with real methods at the first of two steps, where all are offered."""


@pytest.fixture
def disabled(student, captcha_off):
    """The student, with an email and a phone registered, then disabled in the directory."""
    student.email_method = give_method(student, "email", PERSONAL)
    student.phone_method = give_method(student, "phone", PHONE)
    Account.objects.filter(user_id=student.user_id).update(enabled=False)
    return student


def real_destinations(persona) -> list[str]:
    return [PERSONAL, PHONE, persona.account.email, persona.account.mobile]


def nothing_sent_to(destinations) -> bool:
    return (not OutboxMessage.objects.filter(to__in=destinations).exists()
            and not Delivery.objects.filter(to__in=destinations).exists())


def stand_ins(page: str) -> list[str]:
    return re.findall(r'value="(-?\d+:\w+)"', page)


def test_it_shows_a_disabled_account_stand_ins_never_its_real_methods(client, disabled, outbox):
    begin(client, disabled.user_id)
    page = client.get("/reset/verify/").content.decode()
    assert "Email my alternate email (" in page and "Text my mobile phone (+X" in page  # looks like anyone's methods
    assert "ch*****@personal.example" not in page and "XXXXXXXX43" not in page
    for option in (f"{disabled.email_method.pk}:email", f"{disabled.phone_method.pk}:sms"):
        assert f'value="{option}"' not in page


def test_it_sends_nothing_to_a_disabled_accounts_real_phone_or_email(client, disabled, codes):
    begin(client, disabled.user_id)
    options = stand_ins(client.get("/reset/verify/").content.decode())
    assert options
    for option in options:
        chosen = client.post("/reset/verify/", {"action": "choose", "option": option})
        assert chosen.status_code == 200
        if option.endswith((":sms", ":voice")):  # the real full number, typed in
            page = client.post("/reset/verify/", {"action": "number", "region": "US",
                                                  "number": "(202) 555-0143"}).content.decode()
            assert "XXXXXXXX43" not in page
        client.get("/reset/verify/?another")
    assert nothing_sent_to(real_destinations(disabled))
    assert not OutboxMessage.objects.exists() and not Delivery.objects.exists()  # stand-ins send nothing
    if isinstance(codes, Screened):
        assert codes.nothing_sent()


def test_it_refuses_a_disabled_accounts_real_methods_chosen_by_id(client, disabled, outbox):
    begin(client, disabled.user_id)
    email, phone = disabled.email_method.pk, disabled.phone_method.pk
    for option in [f"{email}:email", f"{phone}:sms", f"{phone}:voice"]:
        assert client.post("/reset/verify/", {"action": "choose", "option": option}).status_code == 400
    assert nothing_sent_to(real_destinations(disabled))


def test_it_refuses_a_code_sent_before_the_account_was_disabled(student, outbox, captcha_off):
    email = give_method(student, "email", PERSONAL)
    give_method(student, "phone", PHONE)  # two methods: enough for the two-step reset
    earlier = Client()
    begin(earlier, student.user_id)
    earlier.post("/reset/verify/", {"action": "choose", "option": f"{email.pk}:email"})
    code = outbox(PERSONAL)  # still live
    Account.objects.filter(user_id=student.user_id).update(enabled=False)
    client = Client()
    begin(client, student.user_id)
    stand_in = next(o for o in stand_ins(client.get("/reset/verify/").content.decode()) if o.endswith(":email"))
    client.post("/reset/verify/", {"action": "choose", "option": stand_in})
    response = client.post("/reset/verify/", {"action": "verify", "code": code})
    assert response.status_code == 400 and "didn&#x27;t work" in response.content.decode()
    assert client.get("/reset/new-password/")["Location"] == "/reset/"
    assert sign_in(Client(), student).status_code == 400  # and the account stays disabled for sign-in
