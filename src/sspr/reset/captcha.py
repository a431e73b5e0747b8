"""The CAPTCHA of "Who are you?" (`[reset] captcha`): "image" (a picture with an audio
alternative), "pow" (a proof of work the browser solves, nothing to read), or "off".

    context = issue(session, "reset-start", refresh_url)  # rendering the form; {% include "reset/captcha.html" %}
    solved = verify(session, "reset-start", post)         # on POST: spends the challenge, right or wrong

(The picture and the sound are served by sspr.web.captcha.)

A challenge belongs to one session and one form (form_id), lasts `captcha_minutes` and is
answered once: verify() takes it out of the session whatever the answer, and also marks it spent
in the database (sspr.limits' counter table), so two requests racing with the same session copy
cannot both use it. A new issue() for the same form replaces the previous challenge.

"image": the answer is 6 characters from an alphabet without look-alikes (no 0/O, 1/I/L, 2/Z,
5/S, 8/B, G, Q, D, U, V), case-insensitive, spaces ignored. The audio alternative has an answer of
its own, 6 digits (spoken letters are too easily misheard), and either answer is accepted.
Both answers are derived from a random nonce with an HMAC under the server's secret key, so the
session holds no answer: only the nonce, the keyed hashes of the two answers, the form and the
expiry. The picture and sound are drawn by captcha_media from the nonce each time they are asked
for; their URLs carry a random reference of the challenge, and only its own session gets them.

"pow": the browser (static/sspr/captcha.js) finds a number n such that
SHA-256("<challenge>:<n>") starts with `pow_difficulty` zero bits; the server checks one hash.

"off": nothing is shown and verify() is always True; `sspr check` and start-up warn.
"""

import hashlib
import hmac
import logging
import re
import secrets
import time
from datetime import timedelta
from typing import Any

from django.conf import settings

from sspr.limits import claim_once

log = logging.getLogger("sspr.reset")

SESSION_KEY = "sspr.captcha"
SPENT = "captcha:spent"  # name of the sspr.limits counters that mark a challenge spent
FORM_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
# Upper case and digits that cannot be taken for one another, even warped.
IMAGE_ALPHABET = "ACEFHJKMNPRTWXY34679"
IMAGE_LENGTH = 6
AUDIO_LENGTH = 6
MAX_ANSWER = 40
POW_NONCE = re.compile(r"^[0-9]{1,20}$")
ANSWER_FIELD = "captcha"
POW_FIELD = "captcha_pow"


def _now() -> float:
    return time.time()


def _mode() -> str:
    return settings.CONFIG.reset.captcha


def _check_form_id(form_id: str) -> None:
    if not FORM_ID.match(form_id):
        raise ValueError(f"form_id must be lower-case letters, digits and hyphens: {form_id!r}")


def _derive(nonce: str, purpose: str, alphabet: str, length: int) -> str:
    """`length` symbols of `alphabet` from HMAC(secret key, nonce): as random as the nonce to
    anyone without the key, and the same every time for us."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"sspr.captcha.{purpose}|{nonce}".encode(),
                      hashlib.sha512).digest()
    number = int.from_bytes(digest, "big")  # 512 bits: the modulo bias is nil
    symbols = []
    for _ in range(length):
        number, index = divmod(number, len(alphabet))
        symbols.append(alphabet[index])
    return "".join(symbols)


def answers(record: dict) -> tuple[str, str]:
    """(picture answer, audio answer) of an image challenge."""
    return (_derive(record["nonce"], "image", IMAGE_ALPHABET, IMAGE_LENGTH),
            _derive(record["nonce"], "audio", "0123456789", AUDIO_LENGTH))


def _keyed_hash(record: dict, answer: str) -> str:
    message = f"sspr.captcha.answer|{record['form']}|{record['nonce']}|{answer}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def normalise(entered: str) -> str:
    """What a person typed, as we compare it: no spaces or dashes, upper case."""
    return re.sub(r"[\s\-.,]", "", entered or "")[:MAX_ANSWER].upper()


def leading_zero_bits(digest: bytes) -> int:
    bits = 0
    for byte in digest:
        if byte:
            return bits + 8 - byte.bit_length()
        bits += 8
    return bits


def pow_digest(challenge: str, nonce: str) -> bytes:
    return hashlib.sha256(f"{challenge}:{nonce}".encode()).digest()


# --- issue and verify ------------------------------------------------------------------------

def _store(session, form_id: str, record: dict) -> None:
    challenges = {key: value for key, value in session.get(SESSION_KEY, {}).items()
                  if value.get("expires", 0) > _now()}  # forget the stale ones of other forms
    challenges[form_id] = record
    session[SESSION_KEY] = challenges


def issue(session, form_id: str, refresh_url: str = "", error: str = "", *, mode: str = "") -> dict:
    """A new challenge for this session and form, replacing any earlier one for the form.
    Returns the context of reset/captcha.html ({"captcha": {...}}); `error`, when given, is shown
    at the answer field (and marks it invalid). `mode` overrides [reset] captcha (the sign-in
    page asks unfamiliar browsers on a busy address for a proof of work)."""
    _check_form_id(form_id)
    mode = mode or _mode()
    context: dict[str, Any] = {"mode": mode, "form_id": form_id, "error": error, "answer_field": ANSWER_FIELD,
               "pow_field": POW_FIELD}
    if mode == "off":
        return {"captcha": context}
    config = settings.CONFIG.reset
    record: dict[str, Any] = {"form": form_id, "mode": mode, "expires": int(_now()) + 60 * config.captcha_minutes,
              "nonce": secrets.token_hex(16)}
    if mode == "image":
        record["ref"] = secrets.token_urlsafe(12)
        record["hashes"] = [_keyed_hash(record, answer) for answer in answers(record)]
        context.update(ref=record["ref"], audio_length=AUDIO_LENGTH, refresh_url=refresh_url)
    else:
        record["difficulty"] = config.pow_difficulty
        context.update(challenge=record["nonce"], difficulty=record["difficulty"])
    _store(session, form_id, record)
    return {"captcha": context}


def _mark_spent(nonce: str) -> bool:
    """True the first time a challenge is spent, in any process; False ever after."""
    # No challenge lives longer than an hour (captcha_minutes <= 60): a longer mark is useless.
    return claim_once(SPENT, nonce, timedelta(minutes=61))


def verify(session, form_id: str, post, *, mode: str = "") -> bool:
    """Whether post answers this session's challenge for form_id. Always spends it:
    right, wrong, expired or replayed, the next attempt needs a new issue()."""
    _check_form_id(form_id)
    mode = mode or _mode()
    if mode == "off":
        return True
    challenges = dict(session.get(SESSION_KEY, {}))
    record = challenges.pop(form_id, None)
    if record is None:
        return False
    session[SESSION_KEY] = challenges
    if not _mark_spent(record["nonce"]):
        return False
    if record.get("form") != form_id or record.get("mode") != mode or record.get("expires", 0) <= _now():
        return False
    if mode == "image":
        entered = _keyed_hash(record, normalise(post.get(ANSWER_FIELD, "")))
        matches = [hmac.compare_digest(entered, expected) for expected in record["hashes"]]
        return any(matches)
    nonce = post.get(POW_FIELD, "")
    if not POW_NONCE.match(nonce):
        return False
    return leading_zero_bits(pow_digest(record["nonce"], nonce)) >= record["difficulty"]


# --- the picture and the sound ---------------------------------------------------------------

def live_image_challenge(session, form_id: str, ref: str) -> dict | None:
    """The session's live image challenge whose reference is ref; None otherwise. Reads the
    session and never writes it: a write here could bring back a challenge that a concurrent
    verify() has just spent."""
    record = session.get(SESSION_KEY, {}).get(form_id)
    if (_mode() != "image" or not record or record.get("mode") != "image" or record.get("expires", 0) <= _now()
            or not hmac.compare_digest(record.get("ref", ""), ref)):
        return None
    return record


# --- warnings for the operator ---------------------------------------------------------------

def captcha_warnings(config) -> list[str]:
    """Plain lines for `sspr check` and the start-up log."""
    mode = config.reset.captcha
    if mode == "off":
        return ['reset.captcha = "off": "Get back into your account" has no CAPTCHA; use this only behind '
                "other bot protection or in automated tests"]
    if mode == "image":
        from .captcha_media import espeak  # on first use: it loads numpy, which only "image" needs

        if espeak() is None:
            return ["reset.captcha: espeak-ng is not installed (Debian: apt-get install espeak-ng), so the audio "
                    "CAPTCHA speaks English digits on Spanish pages too"]
    return []


def log_captcha_warnings(config=None) -> None:
    for warning in captcha_warnings(config or settings.CONFIG):
        log.warning(warning)
