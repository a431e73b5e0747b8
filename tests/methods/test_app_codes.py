"""The portal's own app showing the codes of an authenticator-app method, server side: the
registration page offers its waiting key through a one-time link (besides the QR code every app
reads), the app takes it once, within ten minutes, and nothing else can. What the phone then
computes is checked in Chromium (tests/browser/test_push.py)."""

import base64
import re
import time

from django.test import Client
from django.utils import timezone

from sspr.audit.models import AuditEvent, Outcome, Tag
from sspr.methods.kinds import kind
from sspr.methods.kinds.totp import code_at
from sspr.methods.models import AppKeyOffer, Method

from ..conftest import sign_in
from .conftest import open_security_info


def registration_page(client, persona):
    sign_in(client, persona)
    open_security_info(client)
    page = client.get("/security-info/add/totp/")
    assert page.status_code == 200
    return page.content.decode()


def app_token(page: str) -> str:
    return re.search(r'href="https?://[^"]+/app/#code=([A-Za-z0-9_-]+)"', page)[1]


def shown_secret(page: str) -> str:
    return re.search(r'class="setup-key__secret">([A-Z2-7 ]+)<', page)[1].replace(" ", "")


def take(token: str, client=None):
    # The app calls without cookies: the token is its whole authority.
    return (client or Client()).post("/app/api/code", {"token": token}, content_type="application/json")


def test_the_app_takes_the_waiting_key_once(client, student):
    page = registration_page(client, student)
    token, secret = app_token(page), shown_secret(page)
    taken = take(token)
    assert taken.status_code == 200 and "no-store" in taken["Cache-Control"]
    key = taken.json()
    assert base64.urlsafe_b64decode(key["key"] + "=" * (-len(key["key"]) % 4)) == base64.b32decode(secret)
    assert {k: key[k] for k in ("issuer", "account", "digits", "period", "algorithm")} == {
        "issuer": "Test Unified School District", "account": student.user_id, "digits": 6, "period": 30,
        "algorithm": "SHA-1"}
    assert AuditEvent.objects.filter(tag=Tag.APP_KEY_TAKEN, subject=student.user_id).count() == 1
    # Someone who saw the link (a shoulder, the phone's history) gets nothing from it afterwards.
    again = take(token)
    assert again.status_code == 404 and again.json() == {"error": "unknown_offer"}
    assert AuditEvent.objects.filter(tag=Tag.PUSH_REFUSED, outcome=Outcome.REFUSED).count() == 1
    # The registration goes on as with any app: the code it computes finishes it.
    code = code_at(secret, int(time.time() // 30))
    done = client.post("/security-info/add/totp/", {"code": code})
    assert done.status_code == 302 and Method.objects.filter(kind="totp").count() == 1


def test_the_page_offers_a_new_link_once_its_link_was_taken(client, student):
    page = registration_page(client, student)
    assert app_token(client.get("/security-info/add/totp/").content.decode()) == app_token(page)
    take(app_token(page))
    again = client.get("/security-info/add/totp/").content.decode()
    assert app_token(again) != app_token(page)
    assert shown_secret(again) == shown_secret(page)  # the same waiting key
    assert take(app_token(again)).status_code == 200


def test_a_link_expires_after_ten_minutes(client, student, clock):
    token = app_token(registration_page(client, student))
    clock.advance(minutes=10, seconds=1)
    assert take(token).status_code == 404


def test_a_confirmed_key_is_no_longer_offered(client, student):
    page = registration_page(client, student)
    token, secret = app_token(page), shown_secret(page)
    client.post("/security-info/add/totp/", {"code": code_at(secret, int(time.time() // 30))})
    assert Method.objects.filter(kind="totp").exists()
    # The page's link, left open or saved, no longer hands out a key that now signs in.
    assert take(token).status_code == 404


def test_made_up_and_malformed_tokens_are_refused_plainly(client, student):
    registration_page(client, student)
    for body in ({"token": "x" * 43}, {"token": "x" * 500}, {"token": ["a"]}, {}, "not json"):
        response = Client().post("/app/api/code", body, content_type="application/json")
        assert response.status_code == 404 and response.json() == {"error": "unknown_offer"}
    assert Client().get("/app/api/code").status_code == 405


def test_offers_are_tidied_a_day_after_they_end(client, student, clock):
    registration_page(client, student)
    assert AppKeyOffer.objects.count() == 1
    clock.advance(days=1)
    assert kind("totp").tidy(timezone.now()) == 0  # ended, but kept for a day
    clock.advance(minutes=11)
    assert kind("totp").tidy(timezone.now()) == 1
    assert AppKeyOffer.objects.count() == 0
