"""One-time codes sent by text, call or email: 6+ digits from a secure generator, valid for
minutes, single use, replaced by the next one, kept only as a keyed hash, compared in constant
time, a few tries each. Counting failures toward the account's cool-down is attempts.py's job,
so every kind of answer is counted the same way."""

import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from sspr.actors import Actor
from sspr.audit.models import Reason
from sspr.delivery import DeliveryUnavailable, send_code
from sspr.delivery.message import Channel
from sspr.delivery.models import Delivery

from .attempts import wait_message
from .base import WRONG_CODE, VerificationFailed
from .models import OneTimeCode, keyed_hash
from .rules import sends_per_account, sends_per_ip

WRONG = WRONG_CODE
SPENT = gettext_lazy("That code is no longer valid. Ask for a new one.")


def send(actor: Actor, user, purpose: str, channel: Channel, destination: str, *, sends_key: str,
         language: str = "") -> None:
    """Make a new code (the previous one for this purpose stops working) and queue it: screened
    now (a refused destination is said at once), sent by the worker, so the request never
    waits on a provider and takes as long as a stand-in's. Sends are counted under sends_key
    (the flow's account budget) and the client's address. Raises VerificationFailed, with
    nothing sent, when a limit says wait or delivery cannot."""
    for limit, key in ((sends_per_account(), sends_key), (sends_per_ip(), actor.client_ip or "unknown")):
        decision = limit.acquire(key)
        if not decision:
            raise VerificationFailed(wait_message(decision.retry_after), Reason.RATE_LIMITED)
    config = settings.CONFIG.methods
    code = "".join(secrets.choice("0123456789") for _ in range(config.code_digits))
    with transaction.atomic():
        end_live_codes(user, purpose)
        made = OneTimeCode.objects.create(
            user=user, purpose=purpose, destination=destination, code_hash=keyed_hash(code),
            expires_at=timezone.now() + timedelta(minutes=config.code_minutes))
    try:
        delivery = send_code(channel, destination, code, minutes=config.code_minutes, language=language,
                             account=user.user_id, client_ip=actor.client_ip, wait=False)
    except DeliveryUnavailable as exc:
        raise VerificationFailed(exc.user_message, Reason.DELIVERY_UNAVAILABLE) from exc
    OneTimeCode.objects.filter(pk=made.pk).update(delivery=delivery)


def still_trying(user, purpose: str) -> bool:
    """Whether the live code's message has failed a try and is waiting for the next one."""
    code = (OneTimeCode.objects.filter(user=user, purpose=purpose, spent_at__isnull=True)
            .select_related("delivery").order_by("-created_at").first())
    return code is not None and code.delivery is not None and _retrying(code.delivery)


def channel_still_trying(channel: Channel) -> bool:
    """What a stand-in shows instead: whether the channel's newest code is being retried, so a
    provider's outage looks the same on a real account's page and on a stand-in's."""
    newest = Delivery.objects.filter(channel=channel, urgent=True).order_by("-created_at", "-pk").first()
    return newest is not None and _retrying(newest)


def _retrying(delivery: Delivery) -> bool:
    return delivery.status == Delivery.Status.QUEUED and delivery.attempts > 0


def end_live_codes(user, purpose: str | None = None) -> None:
    """Every live code of the person (of one purpose) stops working now."""
    live = OneTimeCode.objects.filter(user=user, spent_at__isnull=True)
    if purpose is not None:
        live = live.filter(purpose=purpose)
    live.update(spent_at=timezone.now())


def check(user, purpose: str, entered: str) -> str:
    """Spend the live code if entered matches it; return its destination. Raises VerificationFailed."""
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
    if code is not None and code.spent_at is not None:
        raise VerificationFailed(str(SPENT), Reason.EXPIRED)
    if code is None and OneTimeCode.objects.filter(user=user, purpose=purpose).exists():
        raise VerificationFailed(str(WRONG), Reason.EXPIRED)
    raise VerificationFailed(str(WRONG))
