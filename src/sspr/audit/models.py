"""The audit trail: an append-only record of who did what to which account, from where.

Never store passwords, codes, answers or tokens here: detail holds plain facts (a reason, a
method kind, a masked destination).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .logging import neutralise


class Tag(models.TextChoices):
    SIGNIN_SUCCESS = "signin:success", _("Signed in")
    SIGNIN_FAILURE = "signin:failure", _("Sign-in failed")
    SIGNOUT = "signout", _("Signed out")
    PASSWORD_CHANGE = "password:change", _("Password changed")
    PASSWORD_RESET = "password:reset", _("Password reset")
    ACCOUNT_UNLOCK = "account:unlock", _("Account unlocked")
    ACCOUNT_LOCK = "account:lock", _("Account locked")
    ACCOUNT_IMPORT = "account:import", _("Accounts imported")
    ACCOUNT_ADD = "account:add", _("Account added")
    METHOD_ADD = "method:add", _("Verification method added")
    METHOD_REMOVE = "method:remove", _("Verification method removed")
    RESET_START = "reset:start", _("Reset or unlock started")
    VERIFY_SUCCESS = "verify:success", _("Identity verified")
    VERIFY_FAILURE = "verify:failure", _("Identity verification failed")
    DELIVERY_QUEUED = "delivery:queued", _("Message queued")
    DELIVERY_SENT = "delivery:sent", _("Message sent")
    DELIVERY_DEFERRED = "delivery:deferred", _("Message delayed; will retry")
    DELIVERY_FAILED = "delivery:failed", _("Message could not be sent")
    DELIVERY_REFUSED = "delivery:refused", _("Message refused by our own rules")
    DELIVERY_CAP = "delivery:cap", _("Daily spending cap reached")


class AppendOnly(Exception):
    pass


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly("audit events are never changed")

    def delete(self):
        raise AppendOnly("audit events are never deleted")


class AuditEvent(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    tag = models.CharField(max_length=40, choices=Tag.choices, db_index=True)
    outcome = models.CharField(max_length=20, default="success")
    actor = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=254, blank=True, db_index=True)
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.tag} {self.subject} {self.outcome}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnly("audit events are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("audit events are never deleted")


def record(request, tag: Tag, *, subject: str = "", actor: str = "", outcome: str = "success", detail=None):
    """Write one event. request may be None for command-line actions."""
    meta = getattr(request, "META", {})
    return AuditEvent.objects.create(
        tag=tag,
        outcome=outcome,
        actor=neutralise(actor)[:254],
        subject=neutralise(subject)[:254],
        client_ip=getattr(request, "client_ip", None),
        user_agent=neutralise(meta.get("HTTP_USER_AGENT", ""))[:300],
        detail={key: neutralise(str(value)) for key, value in (detail or {}).items()},
    )
