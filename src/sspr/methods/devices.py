""" "Don't ask again for N days" on a person's own device: a random token, kept by the browser
(the web layer sets the cookie) and stored here only as a keyed hash."""

import secrets
from datetime import timedelta

from django.utils import timezone

from sspr.actors import Actor

from .models import RememberedDevice, keyed_hash
from .rules import is_shared_device_network, rules_for


def may_remember(actor: Actor, groups) -> int:
    """Days a device may be remembered for this person here; 0 when it may not (shared computers)."""
    if is_shared_device_network(actor.client_ip):
        return 0
    return rules_for(groups).remember_device_days


def remember(actor: Actor, user, days: int) -> str:
    """A new device token for the person's browser to keep for days."""
    token = secrets.token_urlsafe(32)
    RememberedDevice.objects.create(user=user, token_hash=keyed_hash(token),
                                    expires_at=timezone.now() + timedelta(days=days), description=actor.device)
    return token


def is_remembered(token: str, user) -> bool:
    """Whether token is a live device token issued to this very person."""
    if not token:
        return False
    updated = RememberedDevice.objects.filter(user=user, token_hash=keyed_hash(token),
                                              expires_at__gt=timezone.now()).update(last_used_at=timezone.now())
    return bool(updated)


def revoke_all(user) -> int:
    deleted, _by_model = RememberedDevice.objects.filter(user=user).delete()
    return deleted
