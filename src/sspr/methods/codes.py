"""One-time codes sent by text, call or email: 6+ digits from a secure generator, valid for
minutes, single use, replaced by the next one, kept only as a keyed hash, compared in constant
time, a few tries each, and every failure counted against the account."""

import hmac
import secrets
from datetime import timedelta
from math import ceil

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sspr.delivery import DeliveryUnavailable, send_code

from .base import VerificationFailed
from .models import OneTimeCode, keyed_hash
from .rules import failures_per_account, sends_per_account, sends_per_ip


def wait_message(wait: timedelta) -> str:
    minutes = max(1, ceil(wait.total_seconds() / 60))
    return ngettext("Too many attempts. Please try again in %(minutes)d minute.",
                    "Too many attempts. Please try again in %(minutes)d minutes.", minutes) % {"minutes": minutes}


def refuse_if_cooling_down(user) -> None:
    if wait := failures_per_account().retry_after(str(user.pk)):
        raise VerificationFailed(wait_message(wait))


def send(request, user, purpose: str, channel: str, destination: str) -> None:
    """Make a new code (the previous one for this purpose stops working) and send it.
    Raises VerificationFailed, with nothing sent, when a limit says wait."""
    refuse_if_cooling_down(user)
    for limit, key in ((sends_per_account(), str(user.pk)), (sends_per_ip(), request.client_ip or "unknown")):
        if wait := limit.retry_after(key):
            raise VerificationFailed(wait_message(wait))
    config = settings.CONFIG.methods
    code = "".join(secrets.choice("0123456789") for _ in range(config.code_digits))
    with transaction.atomic():
        OneTimeCode.objects.filter(user=user, purpose=purpose, spent_at__isnull=True).update(spent_at=timezone.now())
        OneTimeCode.objects.create(user=user, purpose=purpose, destination=destination, code_hash=keyed_hash(code),
                                   expires_at=timezone.now() + timedelta(minutes=config.code_minutes))
    sends_per_account().hit(str(user.pk))
    sends_per_ip().hit(request.client_ip or "unknown")
    try:
        delivery = send_code(channel, destination, code, minutes=config.code_minutes, language=get_language() or "",
                             account=user.user_id, client_ip=request.client_ip)
    except DeliveryUnavailable as exc:
        raise VerificationFailed(exc.user_message) from exc
    if delivery.status == "queued":  # the provider stumbled; the worker keeps trying
        messages.info(request, _("Your code may take a few minutes to arrive."))


def check(user, purpose: str, entered: str) -> str:
    """Spend the live code if entered matches it; return its destination. Raises VerificationFailed."""
    refuse_if_cooling_down(user)
    entered = "".join(entered.split())
    with transaction.atomic():
        code = (OneTimeCode.objects.select_for_update()
                .filter(user=user, purpose=purpose, spent_at__isnull=True, expires_at__gt=timezone.now())
                .order_by("-created_at").first())
        if code is not None:
            code.attempts += 1
            matches = hmac.compare_digest(code.code_hash, keyed_hash(entered))
            if matches or code.attempts >= settings.CONFIG.methods.code_attempts:
                code.spent_at = timezone.now()
            code.save(update_fields=["attempts", "spent_at"])
            if matches:
                return code.destination
    failures_per_account().hit(str(user.pk))
    if code is not None and code.spent_at is not None:
        raise VerificationFailed(_("That code is no longer valid. Ask for a new one."))
    raise VerificationFailed(_("That code didn't work. Check it and try again, or ask for a new one."))
