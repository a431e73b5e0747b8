"""The CAPTCHA of "Who are you?" (sspr.reset.captcha), through real requests: a page that issues a
challenge into a form, and a POST that verifies it, with the real session, database, picture
and sound. The answers are read the way the server derives them (captcha.answers), never from
a stand-in."""

import contextlib
import hashlib
import io
import re
import wave
from itertools import count

import pytest
from django.core.management import call_command
from django.http import HttpResponse
from django.template import engines
from django.urls import include, path
from PIL import Image

from sspr.reset import captcha, captcha_media

FORM = "reset-start"
PAGE = """{% extends "base.html" %}{% block title %}CAPTCHA{% endblock %}{% block content %}
<h1>CAPTCHA</h1><form method="post" class="stack">{% csrf_token %}{% include "reset/captcha.html" %}
<button type="submit" class="button">Next</button></form>{% endblock %}"""


def captcha_page(request, form_id):
    """A form with the CAPTCHA in it; a POST answers "solved" or "refused"."""
    if request.method == "POST":
        return HttpResponse("solved" if captcha.verify(request.session, form_id, request.POST) else "refused")
    context = captcha.issue(request.session, form_id, request.get_full_path())
    return HttpResponse(engines["django"].from_string(PAGE).render(context, request))


urlpatterns = [
    path("test-captcha/<slug:form_id>/", captcha_page),
    path("", include("sspr.urls")),
]
pytestmark = pytest.mark.urls(__name__)


@pytest.fixture
def mode(settings):
    def set_mode(name: str, **reset):
        settings.CONFIG = settings.CONFIG.model_copy(
            update={"reset": settings.CONFIG.reset.model_copy(update={"captcha": name, **reset})})
    return set_mode


def show(client, form_id=FORM):
    response = client.get(f"/test-captcha/{form_id}/")
    assert response.status_code == 200
    return response


def record_of(client, form_id=FORM) -> dict:
    return client.session[captcha.SESSION_KEY][form_id]


def answer(client, form_id=FORM, data=None) -> str:
    response = client.post(f"/test-captcha/{form_id}/", data or {})
    return response.content.decode()


def picture_answer(client, form_id=FORM) -> str:
    return captcha.answers(record_of(client, form_id))[0]


# --- image ---------------------------------------------------------------------------------

def test_the_right_answer_passes_once_and_the_same_answer_replayed_fails(client, db):
    show(client)
    right = picture_answer(client)
    assert len(right) == 6 and set(right) <= set(captcha.IMAGE_ALPHABET)
    typed = " ".join(right.lower())  # as a person may type it: lower case, spaced out
    assert answer(client, data={"captcha": typed}) == "solved"
    assert answer(client, data={"captcha": typed}) == "refused"
    assert captcha.SESSION_KEY in client.session and FORM not in client.session[captcha.SESSION_KEY]


def test_the_digits_of_the_audio_challenge_are_accepted_too(client, db):
    show(client)
    digits = captcha.answers(record_of(client))[1]
    assert re.fullmatch(r"[0-9]{6}", digits)
    assert answer(client, data={"captcha": digits}) == "solved"


def test_a_wrong_answer_spends_the_challenge(client, db):
    show(client)
    right = picture_answer(client)
    wrong = "".join("A" if symbol != "A" else "C" for symbol in right)
    assert answer(client, data={"captcha": wrong}) == "refused"
    assert answer(client, data={"captcha": right}) == "refused"
    assert answer(client, data={}) == "refused"


def test_an_empty_or_missing_answer_fails(client, db):
    show(client)
    assert answer(client, data={"captcha": ""}) == "refused"
    show(client)
    assert answer(client) == "refused"


def test_a_new_challenge_replaces_the_previous_one(client, db):
    show(client)
    old = picture_answer(client)
    show(client)
    new = picture_answer(client)
    assert old != new  # (one chance in 64 million that they are equal)
    assert answer(client, data={"captcha": old}) == "refused"


def test_an_expired_challenge_fails(client, db, settings, monkeypatch):
    show(client)
    right, record = picture_answer(client), record_of(client)
    minutes = settings.CONFIG.reset.captcha_minutes
    issued = record["expires"] - 60 * minutes
    monkeypatch.setattr(captcha, "_now", lambda: issued + 60 * minutes + 1)
    assert client.get(f"/reset/captcha/{FORM}/{record['ref']}.png").status_code == 404
    assert answer(client, data={"captcha": right}) == "refused"


def test_a_challenge_still_valid_just_before_it_expires(client, db, settings, monkeypatch):
    show(client)
    right, record = picture_answer(client), record_of(client)
    monkeypatch.setattr(captcha, "_now", lambda: record["expires"] - 1)
    assert answer(client, data={"captcha": right}) == "solved"


def test_a_challenge_issued_for_another_form_fails(client, db):
    show(client, "reset-start")
    right = picture_answer(client, "reset-start")
    assert answer(client, "other-form", {"captcha": right}) == "refused"
    # Moved by hand into the other form's place in the session, it still does not count there:
    # the keyed hash names its form.
    session = client.session
    session[captcha.SESSION_KEY]["other-form"] = dict(session[captcha.SESSION_KEY]["reset-start"], form="other-form")
    session.save()
    assert answer(client, "other-form", {"captcha": right}) == "refused"


def test_challenges_of_two_forms_live_side_by_side(client, db):
    show(client, "reset-start")
    show(client, "unlock-start")
    first, second = picture_answer(client, "reset-start"), picture_answer(client, "unlock-start")
    assert answer(client, "unlock-start", {"captcha": second}) == "solved"
    assert answer(client, "reset-start", {"captcha": first}) == "solved"


def test_a_challenge_from_another_session_fails(client, db):
    from django.test import Client

    show(client)
    right, ref = picture_answer(client), record_of(client)["ref"]
    other = Client()
    assert answer(other, data={"captcha": right}) == "refused"  # no challenge of its own
    show(other)
    assert answer(other, data={"captcha": right}) == "refused"  # its own challenge, someone else's answer
    assert other.get(f"/reset/captcha/{FORM}/{ref}.png").status_code == 404
    assert other.get(f"/reset/captcha/{FORM}/{ref}.wav").status_code == 404
    assert answer(client, data={"captcha": right}) == "solved"  # untouched in its own session


def test_a_challenge_cannot_be_spent_twice_by_racing_requests(client, db):
    """Two requests that read the same session before either writes it back both see the
    challenge; the mark in the database lets only the first one count."""
    show(client)
    right = picture_answer(client)
    before = client.session[captcha.SESSION_KEY]
    assert answer(client, data={"captcha": right}) == "solved"
    session = client.session
    session[captcha.SESSION_KEY] = before  # what the slower request would write back
    session.save()
    assert answer(client, data={"captcha": right}) == "refused"


def test_the_session_holds_no_answer(client, db):
    from django.contrib.sessions.models import Session

    show(client)
    picture, digits = captcha.answers(record_of(client))
    stored = Session.objects.get().session_data
    decoded = str(client.session[captcha.SESSION_KEY])
    for secret in (picture, digits, picture.lower()):
        assert secret not in stored and secret not in decoded
    assert set(record_of(client)) == {"form", "mode", "expires", "nonce", "ref", "hashes"}


def test_the_page_shows_picture_sound_new_challenge_and_a_labelled_field(client, db):
    html = show(client).content.decode()
    record = record_of(client)
    assert f'src="/reset/captcha/{FORM}/{record["ref"]}.png"' in html
    assert re.search(r'<img class="captcha__image"[^>]*alt="CAPTCHA image[^"]+"', html)
    assert f'<audio controls preload="none" src="/reset/captcha/{FORM}/{record["ref"]}.wav">' in html
    assert ('<div class="captcha__audio" role="group" aria-labelledby="id_captcha_audio">\n'
            '    <p id="id_captcha_audio">Audio challenge: 6 digits, spoken twice</p>') in html
    assert f'<a href="/test-captcha/{FORM}/">New challenge</a>' in html
    assert '<label for="id_captcha">' in html and 'name="captcha" id="id_captcha"' in html
    assert "<script" not in html.split("<main", 1)[1].split("</main>", 1)[0]  # no JavaScript needed


def test_an_error_is_shown_at_the_field(rf, db):
    from django.contrib.sessions.backends.db import SessionStore
    from django.template.loader import render_to_string

    request = rf.get("/reset/")
    request.session = SessionStore()
    context = captcha.issue(request.session, FORM, request.get_full_path(), error="Try the new characters.")
    html = render_to_string("reset/captcha.html", context)
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_captcha_helptext id_captcha_error"' in html
    assert '<div class="field__error" id="id_captcha_error"><p>Try the new characters.</p></div>' in html


def test_the_picture_is_a_png_never_stored_by_a_cache(client, db):
    show(client)
    response = client.get(f"/reset/captcha/{FORM}/{record_of(client)['ref']}.png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "no-store" in response["Cache-Control"]
    assert response.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert Image.open(io.BytesIO(response.content)).size == (captcha_media.WIDTH, captcha_media.HEIGHT)


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_sound_is_a_wav_never_stored_by_a_cache(client, db, language):
    show(client)
    response = client.get(f"/reset/captcha/{FORM}/{record_of(client)['ref']}.wav", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert response["Content-Type"] == "audio/wav"
    assert "no-store" in response["Cache-Control"]
    assert response.content[:4] == b"RIFF" and response.content[8:12] == b"WAVE"
    with wave.open(io.BytesIO(response.content)) as clip:
        seconds = clip.getnframes() / clip.getframerate()
        assert (clip.getframerate(), clip.getnchannels(), clip.getsampwidth()) == (8000, 1, 2)
    assert 6 < seconds < 30  # six digits, twice, with pauses


def test_picture_and_sound_follow_the_live_challenge_only(client, db):
    show(client)
    old = record_of(client)["ref"]
    show(client)
    new = record_of(client)["ref"]
    assert client.get(f"/reset/captcha/{FORM}/{old}.png").status_code == 404
    assert client.get(f"/reset/captcha/{FORM}/{new}.png").status_code == 200
    assert client.get(f"/reset/captcha/other-form/{new}.png").status_code == 404
    answer(client, data={"captcha": "WRONG1"})
    assert client.get(f"/reset/captcha/{FORM}/{new}.png").status_code == 404
    assert client.get(f"/reset/captcha/{FORM}/{new}.wav").status_code == 404


def test_spanish_digits_are_spoken_in_spanish_when_espeak_is_installed():
    spanish, english = captcha_media.digit_voices("es"), captcha_media.digit_voices("en")
    assert sorted(spanish) == sorted(english) == list("0123456789")
    if captcha_media.espeak():
        assert spanish is not english
        assert captcha.captcha_warnings(_config("image")) == []
    else:  # the recordings stand in, and the operator is told
        assert spanish is english
        assert "espeak-ng" in captcha.captcha_warnings(_config("image"))[0]


# --- proof of work ----------------------------------------------------------------------------

def solve(challenge: str, bits: int, exactly: bool = False) -> str:
    """The first nonce with at least `bits` leading zero bits (exactly `bits`, if asked)."""
    for nonce in count():
        found = captcha.leading_zero_bits(hashlib.sha256(f"{challenge}:{nonce}".encode()).digest())
        if found == bits or (found > bits and not exactly):
            return str(nonce)


def test_leading_zero_bits():
    assert captcha.leading_zero_bits(bytes([0, 0, 0x80] + [0xFF] * 29)) == 16
    assert captcha.leading_zero_bits(bytes([0, 0x01] + [0] * 30)) == 15
    assert captcha.leading_zero_bits(bytes([0xFF] * 32)) == 0
    assert captcha.leading_zero_bits(bytes(32)) == 256


def test_pow_a_correct_nonce_passes_once(client, db, mode):
    mode("pow", pow_difficulty=12)
    html = show(client).content.decode()
    record = record_of(client)
    assert f'data-challenge="{record["nonce"]}" data-difficulty="12"' in html
    assert '<input type="hidden" name="captcha_pow" value="">' in html
    assert "<noscript>" in html and "/static/sspr/captcha.js" in html
    nonce = solve(record["nonce"], 12)
    assert answer(client, data={"captcha_pow": nonce}) == "solved"
    assert answer(client, data={"captcha_pow": nonce}) == "refused"


def test_pow_a_wrong_nonce_fails_and_spends_the_challenge(client, db, mode):
    mode("pow", pow_difficulty=12)
    show(client)
    challenge = record_of(client)["nonce"]
    right = solve(challenge, 12)
    wrong = next(str(n) for n in count() if captcha.leading_zero_bits(
        hashlib.sha256(f"{challenge}:{n}".encode()).digest()) == 0)
    assert answer(client, data={"captcha_pow": wrong}) == "refused"
    assert answer(client, data={"captcha_pow": right}) == "refused"
    for junk in ("", "-1", "12a", "1" * 21, right + " "):
        show(client)
        assert answer(client, data={"captcha_pow": junk}) == "refused"


def test_pow_difficulty_is_respected(client, db, mode):
    mode("pow", pow_difficulty=13)
    show(client)
    assert answer(client, data={"captcha_pow": solve(record_of(client)["nonce"], 12, exactly=True)}) == "refused"
    show(client)
    assert answer(client, data={"captcha_pow": solve(record_of(client)["nonce"], 13, exactly=True)}) == "solved"


def test_pow_a_nonce_for_another_challenge_fails(client, db, mode):
    mode("pow", pow_difficulty=12)
    show(client)
    mine = solve(record_of(client)["nonce"], 12)
    show(client)  # a new challenge
    challenge = record_of(client)["nonce"]
    if captcha.leading_zero_bits(hashlib.sha256(f"{challenge}:{mine}".encode()).digest()) < 12:  # 4095 in 4096
        assert answer(client, data={"captcha_pow": mine}) == "refused"


def test_a_challenge_of_another_mode_fails(client, db, mode):
    show(client)  # an image challenge
    right = picture_answer(client)
    mode("pow", pow_difficulty=8)
    ref = record_of(client)["ref"]
    assert client.get(f"/reset/captcha/{FORM}/{ref}.png").status_code == 404
    assert answer(client, data={"captcha": right, "captcha_pow": "0"}) == "refused"


# --- off --------------------------------------------------------------------------------------

def _config(name: str):
    from django.conf import settings

    return settings.CONFIG.model_copy(update={"reset": settings.CONFIG.reset.model_copy(update={"captcha": name})})


def test_off_shows_nothing_and_lets_every_request_through(client, db, mode):
    mode("off")
    html = show(client).content.decode()
    assert "captcha" not in html.split("<main", 1)[1].split("</main>", 1)[0]
    assert answer(client) == "solved"
    assert answer(client) == "solved"


def test_off_is_warned_about_by_sspr_check(db, mode, capsys):
    mode("off")
    assert captcha.captcha_warnings(_config("off")) == [
        'reset.captcha = "off": "Get back into your account" has no CAPTCHA; use this only behind other bot '
        "protection or in automated tests"]
    with contextlib.suppress(SystemExit):
        call_command("check_setup")
    assert 'warning: reset.captcha = "off"' in capsys.readouterr().err


def test_off_is_logged_at_start(caplog):
    captcha.log_captcha_warnings(_config("off"))
    assert [record.levelname for record in caplog.records if "reset.captcha" in record.getMessage()] == ["WARNING"]


def test_pow_has_no_warning():
    assert captcha.captcha_warnings(_config("pow")) == []


def test_form_ids_are_checked():
    with pytest.raises(ValueError):
        captcha.issue({}, "Reset Start")
    with pytest.raises(ValueError):
        captcha.verify({}, "../x", {})


# --- in a browser: the proof of work solved by captcha.js, the sound decoded, axe ---------------

@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Debian's Chromium, as in tests/browser (whose conftest does not reach this folder).
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium",
            "args": ["--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-sync"]}


@pytest.fixture
def site(live_server, settings):
    settings.ROOT_URLCONF = __name__
    return live_server.url.rstrip("/")


@pytest.mark.browser
def test_browser_solves_the_proof_of_work_even_when_sent_at_once(site, mode, page):
    from tests.browser.helpers import assert_accessible

    mode("pow", pow_difficulty=16)
    page.goto(f"{site}/test-captcha/{FORM}/")
    page.get_by_role("button", name="Next").click()  # before the work is done: the form waits for it
    page.wait_for_url(f"{site}/test-captcha/{FORM}/")
    page.wait_for_function("document.body && document.body.innerText.trim() === 'solved'")
    page.goto(f"{site}/test-captcha/{FORM}/")
    page.wait_for_selector("[data-captcha-pow][data-solved]")
    assert page.locator("[data-captcha-status]").inner_text() == "Check complete."
    assert_accessible(page)


@pytest.mark.browser
@pytest.mark.parametrize("language", ["en", "es"])
def test_browser_shows_the_picture_plays_the_sound_and_reaches_both_by_keyboard(site, new_context, language):
    from tests.browser.helpers import LOCALES, assert_accessible

    page = new_context(locale=LOCALES[language]).new_page()
    page.goto(f"{site}/test-captcha/{FORM}/")
    assert page.locator("img.captcha__image").evaluate("image => image.complete && image.naturalWidth") == 300
    duration = page.locator("audio").evaluate("""audio => new Promise((resolve, reject) => {
        audio.addEventListener("loadedmetadata", () => resolve(audio.duration));
        audio.addEventListener("error", () => reject(new Error("audio: " + audio.error.code)));
        audio.load();
    })""")
    assert 6 < duration < 30
    reached = []
    for _ in range(12):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.tagName + ':' + (document.activeElement.name || "
                                     "document.activeElement.textContent.trim())"))
    # In page order: "New challenge", the audio player, the download link, then the answer field.
    links = {"en": ("A:New challenge", "A:Download the audio challenge"),
             "es": ("A:Nuevo desafío", "A:Descargar el desafío de audio")}[language]
    order = [next(i for i, item in enumerate(reached) if item.startswith(start))
             for start in (links[0], "AUDIO", links[1], "INPUT:captcha")]
    assert order == sorted(order)
    assert_accessible(page)
