"""The outgoing queue. A message is a Delivery row before any provider sees it, so a crash
between accepting and sending loses nothing; every try at sending it is an Attempt row written
*before* the provider is called, so each attempt record stands for at most one send."""

from django.db import models


class Delivery(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued"
        SENT = "sent"
        FAILED = "failed"

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    channel = models.CharField(max_length=10)
    backend = models.CharField(max_length=20)
    to = models.CharField(max_length=254)
    subject = models.CharField(max_length=200, blank=True)
    # The text is kept only until the message is sent or given up: it may hold a code.
    body = models.TextField(blank=True)
    html = models.TextField(blank=True)
    language = models.CharField(max_length=10, blank=True)
    account = models.CharField(max_length=254, blank=True)
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    # Estimated, from [sms]/[voice] cost_per_message; counts towards the daily spending cap.
    cost = models.FloatField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)
    # Someone is waiting for it (a code): retried within a minute (delivery.code_retry_seconds).
    urgent = models.BooleanField(default=False)
    # Who is sending it now ("host:pid") and until when that claim holds.
    claimed_by = models.CharField(max_length=100, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    provider_id = models.CharField(max_length=100, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Not stored: set on a delivery given up because the provider refused our setup, for send().
    misconfigured: bool = False

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due"),
                   models.Index(fields=["channel", "created_at"], name="delivery_spending")]
        verbose_name_plural = "deliveries"

    def __str__(self):
        return f"{self.channel} #{self.pk} {self.status}"

    @property
    def sent(self) -> bool:
        return self.status == self.Status.SENT


class Attempt(models.Model):
    class Outcome(models.TextChoices):
        SENDING = "sending"
        SENT = "sent"
        TRANSIENT = "transient"  # will be tried again
        PERMANENT = "permanent"
        LOST = "lost"  # the process died while sending: it may or may not have gone out

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_set")
    number = models.PositiveSmallIntegerField()
    worker = models.CharField(max_length=100)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.SENDING)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["delivery", "number"]
        constraints = [models.UniqueConstraint(fields=["delivery", "number"], name="one_attempt_per_number")]
