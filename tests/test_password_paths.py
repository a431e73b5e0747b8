"""Whichever way a password is set (the person's own change, the reset flow, or an operator's
`sspr users set-password`), what the old password opened closes: every other session ends and
every "don't ask again" device asks for the second step again."""

import io

import pytest
from django.core.management import call_command
from django.test import Client

from sspr.methods.models import RememberedDevice

from .conftest import sign_in
from .methods.conftest import give_method, second_step
from .reset.conftest import begin, by_text

NEW = "Purple lanterns drift over quiet harbors!"
PHONE = "+12025550143"


def signed_in_and_remembered(persona, method, outbox) -> Client:
    """A device where the person signed in and ticked "Don't ask again"."""
    device = Client()
    sign_in(device, persona)
    assert second_step(device, method, outbox, remember=True)["Location"] == "/account/"
    assert device.get("/account/").status_code == 200
    return device


def signed_out(client) -> bool:
    response = client.get("/account/")
    return response.status_code == 302 and response["Location"].startswith("/signin/")


def asks_for_the_second_step(device, persona, password) -> bool:
    device.post("/signout/")
    return sign_in(device, persona, password)["Location"] == "/signin/verify/"


def change_own_password(persona, phone, outbox, monkeypatch):
    me = Client()
    sign_in(me, persona)
    second_step(me, phone, outbox)
    response = me.post("/account/password/", {"old_password": persona.password, "new_password": NEW,
                                              "confirm_password": NEW})
    assert response["Location"] == "/account/"


def reset_password(persona, phone, outbox, monkeypatch):
    me = Client()
    begin(me, persona.user_id)
    assert by_text(me, outbox, phone)["Location"] == "/reset/new-password/"
    response = me.post("/reset/new-password/", {"new_password": NEW, "confirm_password": NEW})
    assert "Your password has been reset" in response.content.decode()


def set_password_by_command(persona, phone, outbox, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(NEW + "\n"))  # not a terminal: the password is read from stdin
    call_command("users", "set-password", persona.user_id, stdout=io.StringIO())


def test_it_signs_out_every_other_session_and_forgets_every_device_after_a_reset(student, outbox, captcha_off):
    phone = give_method(student, "phone", PHONE)
    laptop = signed_in_and_remembered(student, phone, outbox)
    tablet = signed_in_and_remembered(student, phone, outbox)
    tablet.post("/signout/")  # remembered, though not signed in now
    plain = Client()
    sign_in(plain, student)
    second_step(plain, phone, outbox)  # signed in, not remembered
    assert RememberedDevice.objects.count() == 2
    reset_password(student, phone, outbox, None)
    assert signed_out(laptop) and signed_out(plain)
    assert not RememberedDevice.objects.exists()
    assert asks_for_the_second_step(laptop, student, NEW)
    assert asks_for_the_second_step(tablet, student, NEW)


@pytest.mark.parametrize("set_password", [
    change_own_password,
    reset_password,
    set_password_by_command,
], ids=["own change", "reset", "sspr users set-password"])
def test_it_ends_other_sessions_and_asks_for_the_second_step_again_whichever_way_the_password_is_set(
        set_password, student, outbox, captcha_off, monkeypatch):
    phone = give_method(student, "phone", PHONE)
    device = signed_in_and_remembered(student, phone, outbox)
    set_password(student, phone, outbox, monkeypatch)
    assert signed_out(device)
    assert asks_for_the_second_step(device, student, NEW)
