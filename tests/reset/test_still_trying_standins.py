"""While texts are being retried, "Still trying to send your code..." appears on a stand-in's code
page as on a real account's: an outage of the provider must not tell which user IDs are real."""

import re

from django.test import Client

from sspr.delivery.queue import run_once
from sspr.directory.embedded.models import Account

from ..delivery.servers import Reply
from ..methods.conftest import give_method
from .conftest import begin

STILL_TRYING = "Still trying to send your code..."


def code_page(client, option: str, number: str) -> str:
    client.post("/reset/verify/", {"action": "choose", "option": option})
    page = client.post("/reset/verify/", {"action": "number", "region": "US", "number": number}).content.decode()
    assert "We texted your phone" in page and "Check again" in page
    return page


def check_again(client) -> str:
    return client.post("/reset/verify/", {"action": "status"}).content.decode()


def test_a_stand_in_says_still_trying_exactly_when_real_codes_do(staff, student, screened_outbox, captcha_off, clock):
    screened_outbox._gateway.script = [Reply(503, "busy")] * 3
    real = give_method(staff, "phone", "+12025550144")
    give_method(student, "phone", "+12025550143")
    Account.objects.filter(user_id=student.user_id).update(enabled=False)  # helped by stand-ins only

    person, stand_in = Client(), Client()
    begin(person, staff.user_id)
    code_page(person, f"{real.pk}:sms", "(202) 555-0144")
    begin(stand_in, student.user_id)
    option = next(o for o in re.findall(r'value="(-?\d+:\w+)"', stand_in.get("/reset/verify/").content.decode())
                  if o.endswith(":sms"))
    code_page(stand_in, option, "(202) 555-0199")

    # Nothing tried yet: neither says anything.
    assert STILL_TRYING not in check_again(person) and STILL_TRYING not in check_again(stand_in)
    run_once()  # the provider answers 503
    assert STILL_TRYING in check_again(person) and STILL_TRYING in check_again(stand_in)
    clock.advance(seconds=2)
    run_once()  # 503 again
    clock.advance(seconds=5)
    run_once()  # 503 a third time
    clock.advance(seconds=15)
    run_once()  # through
    assert STILL_TRYING not in check_again(person) and STILL_TRYING not in check_again(stand_in)
