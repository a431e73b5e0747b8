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
    # The groups casefolded between bars ("|students|staff|"), so a filter by group is a LIKE in
    # any database (people.group_key).
    group_names = models.CharField(max_length=2000, blank=True)
    email = models.CharField(max_length=254, blank=True)
    enabled = models.BooleanField(default=True)
    seen_at = models.DateTimeField()  # when the directory last told us about them
    grade = models.CharField(max_length=20, blank=True, db_index=True)
    # Registration, kept here so coverage is a grouped count (status.py keeps it right: at each
    # refresh, sign-in and method change). kinds: {method kind: when it was first registered};
    # registered_at: when the person reached the number of methods their groups require (null:
    # not yet), so "registered at the end of a period" is registered_at < its end.
    kinds = models.JSONField(default=dict, blank=True)
    required = models.PositiveSmallIntegerField(default=0)
    registered_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # Reminders (services/reminders.py): the last and the first reminder to register, and the
    # expiry last reminded about with the step of [reminders] expiry_days it was for.
    reminded_at = models.DateTimeField(null=True, blank=True)
    first_reminded_at = models.DateTimeField(null=True, blank=True)
    expiry_reminded_for = models.DateTimeField(null=True, blank=True)
    expiry_reminded_days = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["user_id"]

    def __str__(self):
        return self.user_id


class DailyCount(models.Model):
    """How many audit events of one kind there were on one local day (`server.time_zone`): the
    roll-up the activity reports read, so that a year is a few hundred rows per school rather than
    a million events. Written by activity.roll_up for whole days only (the worker's daily run);
    today, and any day not rolled up yet, is counted live from the trail. `school` is the
    subject's school in the snapshot when the day was rolled up; `actor` is kept for staff only
    (the help-desk load counts by operator), so a person's own events add no rows of their own."""

    day = models.DateField()
    school = models.CharField(max_length=200, blank=True)
    tag = models.CharField(max_length=40)
    outcome = models.CharField(max_length=20)
    reason = models.CharField(max_length=40, blank=True)
    kind = models.CharField(max_length=40, blank=True)      # the event's detail["kind"] (a method kind)
    purpose = models.CharField(max_length=40, blank=True)   # the event's detail["purpose"]
    actor_role = models.CharField(max_length=20, blank=True)
    actor = models.CharField(max_length=254, blank=True)
    count = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["day", "tag"], name="reports_daily_day_tag")]


class RolledUp(models.Model):
    """One row: the last local day whose events are in DailyCount (every day up to it is)."""

    through = models.DateField()
