"""Authenticator apps (TOTP, RFC 6238): Microsoft Authenticator, Google Authenticator and the like.

The key is 160 random bits (RFC 4226's recommended length), shown once as a QR code and as text,
and kept sealed at rest (sspr.methods.crypto) because every check has to compute codes from it.
A code is accepted for its 30-second step and one step either side, for phones whose clocks have
drifted, and only once: the newest step used is stored, and a code for that step or an earlier
one is refused, so a code read over someone's shoulder cannot be replayed while it is still shown.
"""

import base64
import hashlib
import hmac
import logging
import secrets
import time
from datetime import timedelta

import pyotp
import segno
from cryptography.fernet import InvalidToken
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from webauthn.helpers import bytes_to_base64url

from sspr.audit.models import Reason

from ..base import Challenge, MethodKind, VerificationFailed
from ..crypto import seal, unseal
from ..models import AppKeyOffer, Method, keyed_hash

log = logging.getLogger("sspr.methods")

STEP_SECONDS = 30
DIGITS = 6
DRIFT_STEPS = 1
OFFER_MINUTES = 10  # a link to hand the key to the portal's own app lasts as long as a pairing link


def new_secret() -> str:
    """160 random bits in base32: 32 characters, no padding, which every app accepts."""
    return base64.b32encode(secrets.token_bytes(20)).decode()


def code_at(secret: str, step: int, *, digits: int = DIGITS, digest=hashlib.sha1) -> str:
    return pyotp.TOTP(secret, digits=digits, digest=digest).generate_otp(step)


def matching_step(secret: str, code: str, *, at: float, digits: int = DIGITS, digest=hashlib.sha1,
                  interval: int = STEP_SECONDS, drift: int = DRIFT_STEPS) -> int | None:
    """The time step whose code `code` is, looking at the step of `at` and `drift` steps either
    side (the newest that matches wins); None when it is none of them."""
    code = "".join(code.split())
    if len(code) != digits or not (code.isascii() and code.isdigit()):
        return None
    otp = pyotp.TOTP(secret, digits=digits, digest=digest, interval=interval)
    current = int(at // interval)
    found = None
    # Every candidate is computed and compared in full, so the time taken says nothing about
    # which step (if any) matched.
    for step in range(current + drift, current - drift - 1, -1):
        if step >= 0 and hmac.compare_digest(otp.generate_otp(step), code) and found is None:
            found = step
    return found


def provisioning_uri(secret: str, account: str) -> str:
    """otpauth://totp/Issuer:account?secret=...&issuer=Issuer, the Key URI format the apps read:
    the issuer names the entry and the account tells two entries from the same issuer apart.
    A colon separates the two in the label, so neither may contain one."""
    return pyotp.TOTP(secret).provisioning_uri(name=account.replace(":", ""), issuer_name=provisioning_issuer())


def provisioning_issuer() -> str:
    return settings.CONFIG.branding.org_name.replace(":", "").strip() or "OpenSSPR"


def qr_svg(uri: str, title: str = "") -> str:
    # Inline SVG: nothing for the Content-Security-Policy to allow and no image library needed.
    # A white quiet zone keeps it scannable whatever is around it; at 4 px a module it is
    # about 250 px square for a 160-bit key, inside a 360 px phone screen.
    svg = segno.make(uri, error="m").svg_inline(
        scale=4, light="#fff", svgclass="qr", lineclass=None,
        title=title or _("QR code for setting up your authenticator app"))
    return svg.replace("<svg ", '<svg role="img" ', 1)  # named by its <title>


def grouped(secret: str) -> str:
    """ABCD EFGH ...: easier to copy by hand; the apps ignore the spaces."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


class AuthenticatorApp(MethodKind):
    kind = "totp"
    label = gettext_lazy("Authenticator app")
    strength = 4
    assurance = 3
    wrong_answer = gettext_lazy("That code didn't work. Enter the code your authenticator app shows now.")
    strong = True
    read_back = True

    stand_in_share = 1 / 3

    def describe(self, method):
        return _("Use a verification code from my authenticator app")

    # Registration: a new key is shown (sealed while it waits), its first code proves the app has it.
    @staticmethod
    def new_sealed_secret() -> str:
        return seal(new_secret())

    @staticmethod
    def enrolment(sealed: str, account: str) -> dict:
        """What the registration page shows for a waiting key."""
        secret = unseal(sealed)
        uri = provisioning_uri(secret, account)
        return {"qr_svg": qr_svg(uri), "otpauth_uri": uri, "secret": grouped(secret)}

    @staticmethod
    def confirm_enrolment(sealed: str, entered: str) -> dict | None:
        """The new method's fields when entered is the waiting key's current code; else None."""
        secret = unseal(sealed)
        step = matching_step(secret, entered, at=time.time())
        if step is None:
            return None
        return {"sealed_secret": seal(secret), "data": {"last_step": step}}

    # The portal's own app (/app/) can hold the key too: the registration page offers it through
    # a one-time link, so one app shows the codes and approves the sign-ins.
    @staticmethod
    def offer_to_app(user, sealed: str) -> str:
        """A one-time token for the app to take the waiting key with."""
        token = secrets.token_urlsafe(32)
        AppKeyOffer.objects.create(user=user, token_hash=keyed_hash(f"app-key:{token}"), sealed_secret=sealed,
                                   expires_at=timezone.now() + timedelta(minutes=OFFER_MINUTES))
        return token

    @staticmethod
    def offer_open(user, token: str) -> bool:
        """Whether the page's link can still be taken (not taken, not expired)."""
        return AppKeyOffer.objects.filter(user=user, token_hash=keyed_hash(f"app-key:{token}"),
                                          taken_at__isnull=True, expires_at__gt=timezone.now()).exists()

    @staticmethod
    def take_from_app(token: str) -> dict | None:
        """What the app needs to show the codes, once per token; None when the token is unknown,
        taken already or expired."""
        if not token or len(token) > 100:
            return None
        token_hash = keyed_hash(f"app-key:{token}")
        # One conditional update: two phones racing for the same link cannot both win it.
        if not AppKeyOffer.objects.filter(token_hash=token_hash, taken_at__isnull=True,
                                          expires_at__gt=timezone.now()).update(taken_at=timezone.now()):
            return None
        offer = AppKeyOffer.objects.select_related("user").get(token_hash=token_hash)
        try:
            secret = unseal(offer.sealed_secret)
        except InvalidToken:
            return None  # sealed under an earlier secret_key: the page offers a new link
        # The key's bytes in base64url, as the app's other binary values travel; WebCrypto's HMAC
        # takes them as they are.
        return {"key": bytes_to_base64url(base64.b32decode(secret)), "issuer": provisioning_issuer(),
                "account": offer.user.user_id, "digits": DIGITS, "period": STEP_SECONDS, "algorithm": "SHA-1"}

    @staticmethod
    def withdraw_offers(user) -> None:
        """The key is confirmed (or abandoned): no link hands it out any more."""
        AppKeyOffer.objects.filter(user=user, taken_at__isnull=True).delete()

    def tidy(self, now):
        deleted, _by_model = AppKeyOffer.objects.filter(expires_at__lt=now - timedelta(days=1)).delete()
        return deleted

    # Verification
    def start(self, context, method, choice=""):
        return Challenge()

    def incomplete(self, answer):
        return "" if answer.get("code", "").strip() else _("Enter the code your authenticator app shows.")

    def unavailable(self, method):
        try:
            unseal(method.sealed_secret)
        except InvalidToken:
            # Sealed under another server.secret_key: no code can be checked until the app is set up again.
            log.error("authenticator app key of %s cannot be unsealed (was secret_key changed?)", method.user.user_id)
            return _("Your authenticator app can't be checked right now. Sign in another way, or ask the help desk "
                     "to help you set it up again.")
        return ""

    def check(self, context, method, state, answer):
        entered = answer.get("code", "")[:12]
        with transaction.atomic():
            # Locked, so two requests carrying the same code cannot both see the step as unused.
            locked = Method.objects.select_for_update().get(pk=method.pk, user=method.user, kind=self.kind)
            secret = unseal(locked.sealed_secret)
            step = matching_step(secret, entered, at=time.time())
            if step is not None and step > locked.data.get("last_step", -1):
                locked.data["last_step"] = step
                locked.last_used_at = timezone.now()
                locked.save(update_fields=["data", "last_used_at"])
                method.data, method.last_used_at = locked.data, locked.last_used_at
                return
        if step is not None:
            raise VerificationFailed(_("That code was already used. Wait for your app to show a new code, "
                                       "then enter it."), Reason.ALREADY_USED)
        raise VerificationFailed(str(self.wrong_answer))
