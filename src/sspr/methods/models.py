import hashlib
import hmac

from django.conf import settings
from django.db import models
from django.utils import timezone

from .kinds import KINDS


class Method(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="methods")
    # The registry's names (sspr.methods.kinds): adding a kind restates nothing here.
    kind = models.CharField(max_length=20, choices=[(name, name) for name in KINDS])
    # A phone number in E.164 or an email address; empty for the other kinds.
    destination = models.CharField(max_length=254, blank=True)
    # Encrypted with sspr.methods.crypto (an authenticator key); empty for most kinds.
    sealed_secret = models.TextField(blank=True)
    # Kind-specific facts: answer hashes, a passkey's public key and counter, the last TOTP step.
    data = models.JSONField(default=dict, blank=True)
    name = models.CharField(max_length=100, blank=True)  # e.g. the passkey's device
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.user} {self.kind}"


def keyed_hash(value: str) -> str:
    """A keyed hash for short secrets (codes, device tokens): without the server's key, a copy
    of the table cannot be turned back into codes by trying all million of them."""
    return hmac.new(settings.SECRET_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


class OneTimeCode(models.Model):
    """A code sent by text, call or email, kept only as a keyed hash."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="codes")
    purpose = models.CharField(max_length=30)  # "enrol:phone", or a flow: "signin:<flow id>", "reset:<flow id>"
    destination = models.CharField(max_length=254)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveIntegerField(default=0)
    spent_at = models.DateTimeField(null=True, blank=True)
    # The message that carries it, so the code page can say while it is still being retried.
    delivery = models.ForeignKey("delivery.Delivery", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")

    def is_live(self) -> bool:
        return self.spent_at is None and self.expires_at > timezone.now()


class RememberedDevice(models.Model):
    """ "Don't ask again for N days": a random token in a cookie, stored here only as a hash."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="devices")
    token_hash = models.CharField(max_length=64, unique=True)
    description = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]


class TemporaryPass(models.Model):
    """A Temporary Access Pass: issued by staff, shown once, kept only as a keyed hash. It signs
    its person in (both steps) for a number of uses until it expires or is revoked; a batch ties
    the passes printed on one class sign-in sheet, so they can be voided together."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="passes")
    pass_hash = models.CharField(max_length=64, unique=True)
    uses_left = models.PositiveSmallIntegerField()
    uses = models.PositiveSmallIntegerField()
    issued_by = models.CharField(max_length=254)
    issued_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    batch = models.CharField(max_length=32, blank=True, db_index=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]

    def __str__(self):
        return f"{self.user} pass"

    def is_live(self) -> bool:
        return self.revoked_at is None and self.uses_left > 0 and self.expires_at > timezone.now()


class AppKeyOffer(models.Model):
    """An authenticator-app key offered to the portal's own app (/app/) while its registration
    page waits for the first code: a one-time link (kept as a keyed hash) that a phone opens to
    take the key, once and within minutes, so the app shows the codes beside its sign-in
    approvals. The key stays sealed here, as a method's is."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="app_key_offers")
    token_hash = models.CharField(max_length=64, unique=True)
    sealed_secret = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    taken_at = models.DateTimeField(null=True, blank=True)


class PushPairing(models.Model):
    """A phone joining a person's "approve sign-ins" method: the one-time link shown as a QR code
    (kept only as a keyed hash), then the public key the phone registered with it. The phone
    becomes a Method when it approves its first request (this pairing's own), so a key nobody
    has used yet is never offered at sign-in."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_pairings")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    # Set when the phone registers, once: a second phone cannot reuse the link.
    device_id = models.CharField(max_length=64, blank=True, db_index=True)
    public_key = models.CharField(max_length=200, blank=True)  # base64url, uncompressed P-256 point
    subscription = models.JSONField(default=dict, blank=True)  # the browser's Web Push subscription, if any
    name = models.CharField(max_length=100, blank=True)
    language = models.CharField(max_length=10, blank=True)  # the app's, for what its notifications say
    registered_at = models.DateTimeField(null=True, blank=True)


class PushRequest(models.Model):
    """One "Are you trying to sign in?" waiting for an answer on the person's phones: its public
    id (what the phone and the page name it by), the number shown on the page (a keyed hash, as
    codes are), how long it waits, and the single answer it takes."""

    public_id = models.CharField(max_length=43, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_requests")
    # For a pairing's own request: only the phone being paired sees it.
    pairing = models.ForeignKey(PushPairing, null=True, blank=True, on_delete=models.CASCADE, related_name="requests")
    purpose = models.CharField(max_length=80)      # the flow it belongs to ("signin:<flow id>"), or "pair"
    application = models.CharField(max_length=40)  # what the phone says it is for: "signin", "reset", "pair"...
    number_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    decision = models.CharField(max_length=20, blank=True)  # "approved", "denied", "wrong_number"
    device_id = models.CharField(max_length=64, blank=True)   # the phone that answered
    # The sign-in's approximate place in each language, when push.geoip_database is set (the
    # address itself is not kept here).
    place = models.JSONField(default=dict, blank=True)
    spent_at = models.DateTimeField(null=True, blank=True)    # the verification it passed

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "answered_at"], name="push_request_waiting")]

    def is_waiting(self) -> bool:
        return self.answered_at is None and self.expires_at > timezone.now()
