from django.db import models


class Counter(models.Model):
    """The sliding log of one limit (name) for one key: the row every acquire locks, so checking
    and counting happen as one step in every worker process."""

    name = models.CharField(max_length=40)
    key = models.CharField(max_length=254)
    # Times of the newest hits, oldest first, as ISO 8601 strings. At most `maximum` of them:
    # older hits cannot change when the next one is allowed.
    hits = models.JSONField(default=list)
    # When the newest hit leaves the window: from then on the row says nothing and is deleted.
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "key"], name="one_counter_per_limit_and_key")]

    @property
    def count(self) -> int:
        """Hits in the log, as of the last write (some may have left the window since)."""
        return len(self.hits)
