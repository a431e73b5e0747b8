"""The reports' snapshot of the people they count (see models.Person), with each person's
registration status: the kinds they registered and since when, and when they reached the number
their groups require. It is written from the directory (a full listing each night, one person at
each sign-in) and kept right between those by every method added or removed (`method_changed`,
connected to the Method model's signals in apps.py)."""

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Min, Q
from django.utils import timezone

from sspr.directory.base import DirectoryUser
from sspr.methods.models import Method
from sspr.methods.rules import rules_for

from .models import Person

BATCH = 2000
# What the reminders remember about a person, kept across the nightly replacement.
REMINDED = ("reminded_at", "first_reminded_at", "expiry_reminded_for", "expiry_reminded_days")
ALWAYS = datetime(1970, 1, 1, tzinfo=UTC)  # registered_at of people whose groups require no method


def first_registered(user_ids=None) -> dict[str, dict[str, datetime]]:
    """{user ID: {kind: when first registered}} from the methods as they stand (operators' own
    methods are not a person's registration)."""
    methods = Method.objects.filter(user__is_operator=False)
    if user_ids is not None:
        methods = methods.filter(user__user_id__in=user_ids)
    found: dict[str, dict[str, datetime]] = {}
    for user_id, name, first in (methods.order_by().values("user__user_id", "kind").annotate(first=Min("created_at"))
                                 .values_list("user__user_id", "kind", "first")):
        found.setdefault(user_id.lower(), {})[name] = first
    return found


_rules: dict[tuple, tuple[frozenset, int]] = {}


def allowed_and_required(groups) -> tuple[frozenset, int]:
    """The kinds a person in these groups may register, and how many they must (cached for as
    long as the configuration object lives: a new configuration is a new object)."""
    methods = settings.CONFIG.methods
    key = (id(methods), tuple(groups or ()))
    if key not in _rules:
        if len(_rules) > 1000:
            _rules.clear()
        rules = rules_for(key[1])
        _rules[key] = (frozenset(rules.allowed), rules.required)
    return _rules[key]


def status(groups, kinds: dict[str, datetime]) -> dict:
    """The registration fields of a person in these groups with these kinds registered."""
    allowed, required = allowed_and_required(groups)
    times = sorted(when for name, when in kinds.items() if name in allowed)
    registered_at = ALWAYS if required == 0 else times[required - 1] if len(times) >= required else None
    return {"kinds": {name: when.isoformat() for name, when in sorted(kinds.items())}, "required": required,
            "registered_at": registered_at}


def registered_by(kinds: dict[str, str], groups, until: datetime | None) -> int:
    """How many of the kinds their groups allow a person had registered before until (or now)."""
    allowed, _required = allowed_and_required(groups)
    return sum(1 for name, when in kinds.items()
               if name in allowed and (until is None or datetime.fromisoformat(when) < until))


def group_key(name: str) -> str:
    """A group's name as Person.group_names holds it, between bars."""
    return "|" + name.casefold().replace("|", "/") + "|"


def group_names(groups) -> str:
    return "".join(dict.fromkeys(group_key(name) for name in groups))[:2000]


def _described(person: DirectoryUser) -> dict:
    """What the directory says of a person, as their row keeps it."""
    return {"display_name": person.display_name[:200], "department": person.department[:200],
            "groups": list(person.groups), "group_names": group_names(person.groups), "email": person.email[:254],
            "enabled": person.enabled, "grade": person.grade[:20]}


def _row(person: DirectoryUser, now, kinds: dict[str, datetime]) -> Person:
    return Person(user_id=person.user_id.lower(), seen_at=now, **_described(person), **status(person.groups, kinds))


SEEN_AGAIN_AFTER = timedelta(hours=1)


def remember(person: DirectoryUser) -> None:
    """One person as the directory describes them now (at sign-in, say). A row that already
    says the same, seen within the hour, is left as it is: a sign-in then costs one read here,
    not a write (method_changed keeps the registration fields current in between)."""
    user_id = person.user_id.lower()
    now, described = timezone.now(), _described(person)
    known = Person.objects.filter(user_id=user_id).values("seen_at", *described).first()
    if known is not None and known.pop("seen_at") > now - SEEN_AGAIN_AFTER and known == described:
        return
    row = _row(person, now, first_registered([person.user_id, user_id]).get(user_id, {}))
    Person.objects.update_or_create(user_id=row.user_id, defaults={
        "seen_at": row.seen_at, **described, "kinds": row.kinds, "required": row.required,
        "registered_at": row.registered_at})


def method_changed(user) -> None:
    """A method of this user was added or removed: their registration status again."""
    if user.is_operator:
        return
    user_id = user.user_id.lower()
    for person in Person.objects.filter(user_id=user_id):
        fields = status(person.groups, first_registered([user.user_id, user_id]).get(user_id, {}))
        Person.objects.filter(pk=person.pk).update(**fields)


def replace_all(people: Iterable[DirectoryUser]) -> int:
    """The whole snapshot replaced by a directory's full listing, in one transaction; how many."""
    now, count = timezone.now(), 0
    registered = first_registered()
    with transaction.atomic():
        reminded = {row[0]: dict(zip(REMINDED, row[1:], strict=True)) for row in Person.objects.filter(
            Q(reminded_at__isnull=False) | Q(expiry_reminded_for__isnull=False)).values_list("user_id", *REMINDED)}
        Person.objects.all().delete()
        batch: list[Person] = []
        for person in people:
            row = _row(person, now, registered.get(person.user_id.lower(), {}))
            for name, value in reminded.get(row.user_id, {}).items():
                setattr(row, name, value)
            batch.append(row)
            if len(batch) >= BATCH:
                count += len(Person.objects.bulk_create(batch, ignore_conflicts=True))
                batch = []
        count += len(Person.objects.bulk_create(batch, ignore_conflicts=True))
    return count


def as_of():
    """When the snapshot was last refreshed (the newest sighting), or None when it is empty."""
    return Person.objects.aggregate(newest=Max("seen_at"))["newest"]


def user_ids_in(school: str):
    """A query of the user IDs of a school's people (for events and messages about them)."""
    return Person.objects.filter(department__in=spellings(school)).values("user_id")


def spellings(school: str) -> list[str]:
    """How the snapshot writes this school, capitals aside: a few distinct values read from the
    department index, so the filters that follow are exact matches the index serves."""
    wanted = school.casefold()
    return [name for name in Person.objects.order_by().values_list("department", flat=True).distinct()
            if name.casefold() == wanted]
