""" "Don't ask again for N days" on a person's own device."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from sspr.accounts.notify import describe_device

from .models import RememberedDevice, keyed_hash
from .rules import is_shared_device_network, rules_for

COOKIE = "__Host-sspr_device" if settings.SECURE else "sspr_device"


def may_remember(request, user, groups) -> int:
    """Days a device may be remembered for this person here; 0 when it may not (shared computers)."""
    if is_shared_device_network(request.client_ip):
        return 0
    return rules_for(groups).remember_device_days


def remember(request, response, user, days: int) -> None:
    token = secrets.token_urlsafe(32)
    RememberedDevice.objects.create(
        user=user, token_hash=keyed_hash(token), expires_at=timezone.now() + timedelta(days=days),
        description=describe_device(request.META.get("HTTP_USER_AGENT", "")))
    response.set_cookie(COOKIE, token, max_age=days * 86400, secure=settings.SECURE, httponly=True,
                        samesite="Lax")


def is_remembered(request, user) -> bool:
    """Whether this browser carries a live device token issued to this very person."""
    token = request.COOKIES.get(COOKIE)
    if not token:
        return False
    updated = RememberedDevice.objects.filter(user=user, token_hash=keyed_hash(token),
                                              expires_at__gt=timezone.now()).update(last_used_at=timezone.now())
    return bool(updated)


def revoke_all(user) -> None:
    RememberedDevice.objects.filter(user=user).delete()
