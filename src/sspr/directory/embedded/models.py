from datetime import UTC, datetime

from django.db import models

# An administrator's lock has no end; an automatic lockout ends directory.lockout_minutes after it
# began, whatever arrives meanwhile.
FOREVER = datetime(9999, 12, 31, tzinfo=UTC)


def normalise_user_id(user_id: str) -> str:
    return user_id.strip().lower()


class Account(models.Model):
    user_id = models.CharField(max_length=254, unique=True)
    display_name = models.CharField(max_length=200, blank=True)
    groups = models.JSONField(default=list, blank=True)
    department = models.CharField(max_length=200, blank=True)
    email = models.CharField(max_length=254, blank=True)
    mobile = models.CharField(max_length=32, blank=True)
    alternate_email = models.CharField(max_length=254, blank=True)
    enabled = models.BooleanField(default=True)
    locked_until = models.DateTimeField(null=True, blank=True)
    # When the newest failed sign-ins happened (ISO 8601, oldest first): only those within the
    # lockout window, and at most lockout_threshold of them. Emptied by a lock, a success, an
    # unlock and a new password.
    recent_failures = models.JSONField(default=list, blank=True)
    must_change_password = models.BooleanField(default=False)
    password = models.CharField(max_length=255)
    password_last_set = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["user_id"]

    def __str__(self):
        return self.user_id

    def has_usable_password(self) -> bool:
        return not self.password.startswith("!")

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now


class PreviousPassword(models.Model):
    """Hashes of passwords an account used before, for the policy's history rule."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="previous_passwords")
    password = models.CharField(max_length=255)
    replaced_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-replaced_at", "-id"]
