"""Sessions turn over: a new key after every step that raises what the session may do, and an
end after server.session_idle_minutes without a request or server.session_hours in all."""

import time

from django.test import Client

from sspr.methods.crypto import seal
from sspr.methods.kinds.totp import code_at

from .conftest import sign_in
from .methods.conftest import give_method
from .reset.conftest import begin, by_email

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def test_re_authentication_for_security_info_gives_the_session_a_new_key(client, student):
    sign_in(client, student)  # no method yet: signed in at once
    totp = give_method(student, "totp", sealed_secret=seal(SECRET))
    client.post("/security-info/confirm-password/", {"password": student.password})
    before = client.session.session_key
    client.post("/signin/verify/", {"action": "choose", "option": f"{totp.pk}:"})
    done = client.post("/signin/verify/", {"action": "verify", "code": code_at(SECRET, int(time.time() // 30))})
    assert done["Location"] == "/security-info/"
    assert client.session.session_key != before
    assert client.get("/security-info/").status_code == 200


def test_every_passed_reset_step_gives_the_session_a_new_key(client, student, captcha_off, outbox):
    email = give_method(student, "email", "chris@personal.example")
    begin(client, student.user_id)
    before = client.session.session_key
    assert by_email(client, outbox, email)["Location"] == "/reset/new-password/"
    assert client.session.session_key != before
    # The old key opens nothing: someone who copied it is not at "choose a new password".
    stolen = Client()
    stolen.cookies["__Host-sspr_session"] = before
    assert stolen.get("/reset/new-password/")["Location"] == "/reset/"


def test_a_signed_in_session_ends_after_30_idle_minutes(client, student, clock):
    sign_in(client, student)
    clock.advance(minutes=29)
    assert client.get("/account/").status_code == 200  # a request: the idle time starts again
    clock.advance(minutes=29)
    assert client.get("/account/").status_code == 200
    clock.advance(minutes=31)
    assert client.get("/account/")["Location"].startswith("/signin/")


def test_a_busy_session_still_ends_after_8_hours(client, student, clock):
    sign_in(client, student)
    for _ in range(16):  # a request every 29 minutes, never idle, up to 7 h 44 min
        clock.advance(minutes=29)
        assert client.get("/account/").status_code == 200
    clock.advance(minutes=29)  # 8 h 13 min since sign-in, 29 idle minutes
    assert client.get("/account/")["Location"].startswith("/signin/")
