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
