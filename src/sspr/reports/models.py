"""The people registration coverage is counted over.

The directory holds the accounts, and only the embedded one can be listed cheaply; an LDAP or AD
directory of 60,000 people cannot be read on every page view. So the reports keep a snapshot of
the people they count: every account of a directory that can list them (refreshed by the worker
each night and by `sspr reports refresh`), plus everyone who signs in, remembered at sign-in with
their school and groups as the directory gave them then."""

from django.db import models


class Person(models.Model):
    user_id = models.CharField(max_length=254, unique=True)  # lowercased
    display_name = models.CharField(max_length=200, blank=True)
    department = models.CharField(max_length=200, blank=True, db_index=True)
    groups = models.JSONField(default=list, blank=True)
    email = models.CharField(max_length=254, blank=True)
    enabled = models.BooleanField(default=True)
    seen_at = models.DateTimeField()  # when the directory last told us about them

    class Meta:
        ordering = ["user_id"]

    def __str__(self):
        return self.user_id
