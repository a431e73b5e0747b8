"""One row per password handed to one target: the help desk reads each target's state for a
person from it, and the worker retries from it what a target could not take at once.

`secret` is what a retry needs and nothing more (Google's crypt hash, or the password sealed with
the server's key for a target that takes only the password itself), and it is emptied the moment
the job ends, whatever the outcome, and at most after [sync] give_up_hours."""

from django.db import models


class SyncJob(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"  # will be tried (again)
        DONE = "done"
        FAILED = "failed"  # refused for good
        EXPIRED = "expired"  # still not taken after give_up_hours

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    target = models.CharField(max_length=20)
    user_id = models.CharField(max_length=254, db_index=True)  # the portal's user ID
    account = models.CharField(max_length=254)  # the person's name at the target
    secret = models.TextField(blank=True)
    must_change = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    # Who is writing it now ("host:pid") and until when that claim holds (see sspr.delivery.claims).
    claimed_by = models.CharField(max_length=100, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True)  # the target's last refusal, in its words
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="sync_due")]

    def __str__(self):
        return f"{self.target} #{self.pk} {self.status}"
