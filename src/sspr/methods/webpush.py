"""Telling a phone that a request waits for it: Web Push (RFC 8030) with the payload encrypted
for the browser's subscription (RFC 8291, aes128gcm) and signed by our VAPID key (RFC 8292).
pywebpush does the protocol and py_vapid the JWT; what is ours is where the key comes from and
that a push is only ever a nudge: the app asks the portal for the request itself (signed by the
phone's key), so a lost, late or blocked push costs a tap, never a sign-in."""

import hashlib
import hmac
import ipaddress
import json
import logging
from functools import cache
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from py_vapid import Vapid02
from pywebpush import WebPushException, webpush
from webauthn.helpers import base64url_to_bytes as unb64url
from webauthn.helpers import bytes_to_base64url as b64url

log = logging.getLogger("sspr.methods")

# Push services refuse bigger payloads (RFC 8030 asks them to accept 4096 bytes, encrypted).
MAX_SUBSCRIPTION_JSON = 2048



def load_private_key(text: str) -> ec.EllipticCurvePrivateKey:
    """A P-256 private key from PEM, or from base64url DER or the raw 32-byte scalar (what
    `vapid --gen` and most Web Push tools print). Raises ValueError."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_private_key(text.encode(), password=None)
    else:
        raw = unb64url(text.replace("\n", ""))
        if len(raw) == 32:
            key = ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())
        else:
            key = serialization.load_der_private_key(raw, password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise ValueError("not a P-256 (prime256v1) private key")
    return key


def _demo_key(secret: str) -> ec.EllipticCurvePrivateKey:
    """The demo's key, the same at every start: derived from server.secret_key."""
    seed = hmac.new(secret.encode(), b"sspr demo vapid key", hashlib.sha256).digest()
    order = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
    return ec.derive_private_key(int.from_bytes(seed, "big") % (order - 1) + 1, ec.SECP256R1())


@cache
def _key(configured: str, demo: bool, secret: str) -> ec.EllipticCurvePrivateKey | None:
    if configured:
        return load_private_key(configured)
    return _demo_key(secret) if demo else None


def vapid_key() -> ec.EllipticCurvePrivateKey | None:
    """Our VAPID key, or None when none is configured (then nothing is pushed)."""
    return _key(settings.CONFIG.push.vapid_private_key, settings.DEMO, settings.SECRET_KEY)


def application_server_key() -> str:
    """The public half, as the browser's pushManager.subscribe wants it ("" without a key)."""
    key = vapid_key()
    if key is None:
        return ""
    return b64url(key.public_key().public_bytes(serialization.Encoding.X962,
                                                serialization.PublicFormat.UncompressedPoint))


def subject() -> str:
    config = settings.CONFIG
    if config.push.vapid_subject:
        return config.push.vapid_subject
    if config.delivery.admin_emails:
        return f"mailto:{config.delivery.admin_emails[0]}"
    return settings.BASE_URL


def valid_subscription(value) -> dict | None:
    """A browser's PushSubscription (its JSON form), or None when it is not one we can push to:
    an https endpoint and the two keys RFC 8291 needs. Everything else in it is dropped."""
    if not isinstance(value, dict):
        return None
    endpoint, keys = value.get("endpoint"), value.get("keys")
    if not isinstance(endpoint, str) or not isinstance(keys, dict) or len(endpoint) > 1024:
        return None
    parts = urlsplit(endpoint)
    # Real push services are named hosts on https; an address typed into a subscription is
    # someone pointing our server at a machine of their choosing.
    if parts.scheme != "https" or not parts.hostname or _is_address(parts.hostname):
        return None
    p256dh, auth = keys.get("p256dh"), keys.get("auth")
    if not isinstance(p256dh, str) or not isinstance(auth, str):
        return None
    try:
        if len(unb64url(p256dh)) != 65 or len(unb64url(auth)) != 16:
            return None
    except ValueError:
        return None
    return {"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}}


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


class Gone(Exception):
    """The push service says the subscription no longer exists (404 or 410): forget it."""


def push(subscription: dict, payload: dict, ttl: int) -> bool:
    """Send one message; True when the push service accepted it. Never raises for a failure
    the person can do nothing about (the app asks anyway); raises Gone for a dead subscription."""
    key = vapid_key()
    if key is None or not subscription:
        return False
    try:
        webpush(subscription, data=json.dumps(payload), vapid_private_key=Vapid02(private_key=key),
                vapid_claims={"sub": subject()}, ttl=ttl, timeout=settings.CONFIG.push.push_timeout,
                headers={"Urgency": "high"})
    except WebPushException as exc:
        status = getattr(exc.response, "status_code", None)
        if status in (404, 410):
            raise Gone() from exc
        log.warning("push to %s refused: %s", urlsplit(subscription["endpoint"]).hostname, status or exc)
        return False
    except Exception as exc:
        log.warning("push to %s failed: %s", urlsplit(subscription["endpoint"]).hostname, exc.__class__.__name__)
        return False
    return True
