from django.db import models


class Counter(models.Model):
    name = models.CharField(max_length=40)
    key = models.CharField(max_length=254)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "key"], name="one_counter_per_limit_and_key")]
