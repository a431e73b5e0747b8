"""The reports' snapshot of the people they count (see models.Person)."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from sspr.directory.base import DirectoryUser

from .models import Person

BATCH = 2000


def _row(person: DirectoryUser, now) -> Person:
    return Person(user_id=person.user_id.lower(), display_name=person.display_name[:200],
                  department=person.department[:200], groups=list(person.groups), email=person.email[:254],
                  enabled=person.enabled, seen_at=now)


def remember(person: DirectoryUser) -> None:
    """One person as the directory describes them now (at sign-in, say)."""
    row = _row(person, timezone.now())
    Person.objects.update_or_create(user_id=row.user_id, defaults={
        "display_name": row.display_name, "department": row.department, "groups": row.groups, "email": row.email,
        "enabled": row.enabled, "seen_at": row.seen_at})


def replace_all(people: Iterable[DirectoryUser]) -> int:
    """The whole snapshot replaced by a directory's full listing, in one transaction; how many."""
    now, count = timezone.now(), 0
    with transaction.atomic():
        Person.objects.all().delete()
        batch: list[Person] = []
        for person in people:
            batch.append(_row(person, now))
            if len(batch) >= BATCH:
                count += len(Person.objects.bulk_create(batch, ignore_conflicts=True))
                batch = []
        count += len(Person.objects.bulk_create(batch, ignore_conflicts=True))
    return count


def as_of():
    """When the snapshot was last refreshed (the newest sighting), or None when it is empty."""
    return Person.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()


def user_ids_in(school: str):
    """A query of the user IDs of a school's people (for events and messages about them)."""
    return Person.objects.filter(department__iexact=school).values("user_id")
