from django.db import models


class OutboxMessage(models.Model):
    """A message the demo 'sent': shown on the demo outbox page instead of reaching a phone."""

    created_at = models.DateTimeField(auto_now_add=True)
    channel = models.CharField(max_length=10)
    to = models.CharField(max_length=254)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()

    class Meta:
        ordering = ["-created_at", "-id"]
