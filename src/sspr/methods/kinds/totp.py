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

import pyotp
import segno
from cryptography.fernet import InvalidToken
from django import forms
from django.conf import settings
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import codes, events
from ..base import MethodKind, VerificationFailed
from ..crypto import seal, unseal
from ..models import Method
from ..rules import failures_per_account

log = logging.getLogger("sspr.methods")

STEP_SECONDS = 30
DIGITS = 6
DRIFT_STEPS = 1
PENDING = "enrol_totp"  # session key: the sealed key shown, until its first code is entered


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
    issuer = settings.CONFIG.branding.org_name.replace(":", "").strip() or "OpenSSPR"
    return pyotp.TOTP(secret).provisioning_uri(name=account.replace(":", ""), issuer_name=issuer)


def qr_svg(uri: str) -> str:
    # Inline SVG: nothing for the Content-Security-Policy to allow and no image library needed.
    # A white quiet zone keeps it scannable whatever is around it; at 4 px a module it is
    # about 250 px square for a 160-bit key, inside a 360 px phone screen.
    svg = segno.make(uri, error="m").svg_inline(
        scale=4, light="#fff", svgclass="qr", lineclass=None,
        title=_("QR code for setting up your authenticator app"))
    return svg.replace("<svg ", '<svg role="img" ', 1)  # named by its <title>


def grouped(secret: str) -> str:
    """ABCD EFGH ...: easier to copy by hand; the apps ignore the spaces."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


class AppCodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"), max_length=12,
        help_text=gettext_lazy("Enter the 6-digit code your authenticator app shows now."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "autocapitalize": "none", "spellcheck": "false"}))


class AuthenticatorApp(MethodKind):
    kind = "totp"
    label = gettext_lazy("Authenticator app")
    strength = 4
    verify_template = "methods/totp_verify.html"

    def describe(self, method):
        return _("Use a verification code from my authenticator app")

    def enrol(self, request):
        sealed = request.session.get(PENDING)
        form = AppCodeForm(request.POST if request.method == "POST" else None)
        if request.method == "POST":
            if sealed is None:
                # The session ended or the setup was finished elsewhere: start again with a new key.
                form.add_error("code", _("Your setup timed out. Add your account to the app again with "
                                         "this new QR code, then enter the code it shows."))
            elif form.is_valid():
                secret = unseal(sealed)
                step = matching_step(secret, form.cleaned_data["code"], at=time.time())
                if step is not None:
                    del request.session[PENDING]
                    with transaction.atomic():
                        # One app per person: setting up a new one replaces the old key.
                        Method.objects.filter(user=request.user, kind=self.kind).delete()
                        method = Method.objects.create(user=request.user, kind=self.kind,
                                                       sealed_secret=seal(secret), data={"last_step": step})
                    events.method_added(request, method)
                    return redirect("security_info")
                form.add_error("code", _("That code didn't work. Make sure your phone sets its time "
                                         "automatically, then enter the code the app shows now."))
        if sealed is None:
            sealed = request.session[PENDING] = seal(new_secret())
        secret = unseal(sealed)
        uri = provisioning_uri(secret, request.user.user_id)
        return render(request, "methods/totp_enrol.html", {
            "form": form,
            "qr_svg": mark_safe(qr_svg(uri)),  # segno escapes the title; the rest is our own drawing
            "otpauth_uri": uri,
            "secret": grouped(secret),
            "account": request.user.user_id,
            "issuer": settings.CONFIG.branding.org_name,
        }, status=400 if form.errors else 200)

    def challenge(self, request, method, purpose, choice=""):
        codes.refuse_if_cooling_down(method.user)
        return {"form": AppCodeForm()}

    def retry_context(self, request, method, purpose):
        return {"form": AppCodeForm()}

    def verify(self, request, method, purpose):
        codes.refuse_if_cooling_down(method.user)
        entered = request.POST.get("code", "")
        if not entered.strip():
            raise VerificationFailed(_("Enter the code your authenticator app shows."))
        with transaction.atomic():
            # Locked, so two requests carrying the same code cannot both see the step as unused.
            locked = Method.objects.select_for_update().get(pk=method.pk, user=method.user, kind=self.kind)
            try:
                secret = unseal(locked.sealed_secret)
            except InvalidToken:
                # Sealed under another server.secret_key: no code can be checked until the app is
                # set up again. Not the person's fault, so not counted against them.
                log.error("authenticator app key of %s cannot be unsealed (was secret_key changed?)",
                          method.user.user_id)
                raise VerificationFailed(_("Your authenticator app can't be checked right now. Sign in another "
                                           "way, or ask the help desk to help you set it up again.")) from None
            step = matching_step(secret, entered, at=time.time())
            if step is not None and step > locked.data.get("last_step", -1):
                locked.data["last_step"] = step
                locked.last_used_at = timezone.now()
                locked.save(update_fields=["data", "last_used_at"])
                method.data, method.last_used_at = locked.data, locked.last_used_at
                return
        failures_per_account().hit(str(method.user.pk))
        if step is not None:
            raise VerificationFailed(_("That code was already used. Wait for your app to show a new code, "
                                       "then enter it."))
        raise VerificationFailed(_("That code didn't work. Enter the code your authenticator app shows now."))
