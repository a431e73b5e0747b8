"""While a code's text is being retried (the provider answered 503), the code page says "Still
trying to send your code..." when the person checks again, and stops saying it once the code
has gone; the code then works. The worker runs on a clock the test moves, every two seconds."""

from sspr.delivery.queue import run_once

from ..conftest import sign_in
from ..delivery.servers import Reply
from .conftest import give_method

PHONE = "+12025550143"
STILL_TRYING = "Still trying to send your code..."


def test_the_code_page_says_when_the_code_is_still_being_retried(client, student, screened_outbox, clock):
    gateway = screened_outbox._gateway
    gateway.script = [Reply(503, "busy"), Reply(503, "busy")]
    method = give_method(student, "phone", PHONE)
    assert sign_in(client, student)["Location"] == "/signin/verify/"
    page = client.post("/signin/verify/", {"action": "choose", "option": f"{method.pk}:sms"}).content.decode()
    assert "We texted your phone" in page and STILL_TRYING not in page and "Check again" in page

    run_once()  # the first try: 503
    page = client.post("/signin/verify/", {"action": "status"})
    assert page.status_code == 200 and STILL_TRYING in page.content.decode()
    clock.advance(seconds=2)
    run_once()  # the second try: 503 again
    assert STILL_TRYING in client.post("/signin/verify/", {"action": "status"}).content.decode()

    clock.advance(seconds=6)
    code = screened_outbox(PHONE)  # the worker's third try gets through
    assert [request.json["to"] for request in gateway.requests] == [PHONE] * 3
    assert STILL_TRYING not in client.post("/signin/verify/", {"action": "status"}).content.decode()
    # Checking again sent nothing more and counted nothing: the code still works.
    assert len(gateway.requests) == 3
    assert client.post("/signin/verify/", {"action": "verify", "code": code})["Location"] == "/account/"
