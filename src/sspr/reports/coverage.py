"""Registration coverage: who has registered the number of methods their groups require.

A person is registered when the kinds they registered, among those their groups allow, number at
least `required` (methods.rules.rules_for), exactly as the console's person page says. People are
the reports' snapshot (models.Person), enabled accounts only, each with their registration status
kept by people.py; methods are counted as they stood at the end of the period asked for (a person
registered at registered_at, each kind since its first registration)."""

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import overload

from django.db.models import Count, F, Q
from django.utils import timezone

from sspr.methods.kinds import KINDS, kind
from sspr.methods.models import Method

from . import people as snapshot
from .models import Person


@dataclass(frozen=True)
class Row:
    """One line of a coverage table: of `total` people, `registered` are."""

    label: str
    registered: int
    total: int

    @property
    def percent(self) -> float:
        return round(100 * self.registered / self.total, 1) if self.total else 0.0

    @property
    def missing(self) -> int:
        return self.total - self.registered


@dataclass(frozen=True)
class Unregistered:
    user_id: str
    display_name: str
    department: str
    groups: tuple[str, ...]
    registered: int   # kinds registered that their groups allow
    required: int


@dataclass
class Coverage:
    overall: Row
    by_group: list[Row] = field(default_factory=list)
    by_school: list[Row] = field(default_factory=list)
    by_grade: list[Row] = field(default_factory=list)  # empty when nobody's grade is known
    by_kind: list[Row] = field(default_factory=list)   # people who registered each kind, of everyone


def people_in(school: str = ""):
    people = Person.objects.filter(enabled=True)
    return people.filter(department__in=snapshot.spellings(school)) if school else people


def registered_by(until: datetime | None) -> Q:
    """Registered at the end of the period (until), or now."""
    done = Q(registered_at__isnull=False)
    return done & Q(registered_at__lt=until) if until is not None else done


def coverage(*, school: str = "", until: datetime | None = None) -> Coverage:
    """The figures, from the registration status kept in the snapshot: one grouped count of the
    people by school, groups and grade, and one of the methods by kind."""
    people = people_in(school)
    done = registered_by(until)
    overall = [0, 0]
    group_total: Counter = Counter()
    group_done: Counter = Counter()
    school_total: Counter = Counter()
    school_done: Counter = Counter()
    grade_total: Counter = Counter()
    grade_done: Counter = Counter()
    for department, groups, grade, total, registered in (
            people.order_by().values("department", "groups", "grade")
            .annotate(total=Count("id"), registered=Count("id", filter=done))
            .values_list("department", "groups", "grade", "total", "registered")):
        overall[0] += total
        overall[1] += registered
        for group in set(groups or ()):
            group_total[group] += total
            group_done[group] += registered
        school_total[department] += total
        school_done[department] += registered
        grade_total[grade] += total
        grade_done[grade] += registered
    if until is None or until > timezone.now():
        # Every method there is was registered before the end: the snapshot's kinds say who has which.
        kind_count = people.aggregate(**{name: Count("id", filter=Q(kinds__has_key=name)) for name in KINDS})
    else:
        methods = Method.objects.filter(user__is_operator=False, user__user_id__in=people.values("user_id"),
                                        created_at__lt=until)
        kind_count = dict(methods.order_by().values("kind").annotate(people=Count("user", distinct=True))
                          .values_list("kind", "people"))

    def rows(total: Counter, registered: Counter) -> list[Row]:
        return [Row(label, registered[label], n) for label, n in sorted(total.items(), key=lambda item: (-item[1],
                                                                                                      item[0]))]

    return Coverage(
        overall=Row("", overall[1], overall[0]),
        by_group=rows(group_total, group_done),
        by_school=rows(school_total, school_done),
        by_grade=sorted(rows(grade_total, grade_done), key=lambda row: grade_order(row.label))
        if set(grade_total) != {""} else [],
        by_kind=[Row(str(kind(name).label), kind_count.get(name, 0), overall[0]) for name in KINDS],
    )


def reminded(*, school: str = "", since: datetime, until: datetime) -> tuple[int, int]:
    """Of the people first reminded to register in [since, until): how many, and how many of them
    have registered since their reminder."""
    people = people_in(school).filter(first_reminded_at__gte=since, first_reminded_at__lt=until)
    figures = people.aggregate(reminded=Count("id"), registered=Count("id", filter=Q(
        registered_at__gt=F("first_reminded_at"))))
    return figures["reminded"], figures["registered"]


def grade_order(grade: str) -> tuple:
    """Pre-kindergarten, kindergarten, then grades by number, then anything else, then none."""
    text = grade.strip().upper()
    if not text:
        return (3, 0, "")
    if text in ("PK", "PREK", "IT", "PR"):
        return (0, -1, text)
    if text in ("K", "KG"):
        return (0, 0, text)
    return (0, int(text), text) if text.isdigit() else (2, 0, text)


class NotRegistered(Sequence):
    """The people not registered at the end of the period, by user ID, read a page at a time:
    its length is a count, a slice one query (the list can hold tens of thousands)."""

    def __init__(self, people, until: datetime | None):
        self._query = people.exclude(registered_by(until)).order_by("user_id").values_list(
            "user_id", "display_name", "department", "groups", "kinds", "required")
        self._until = until
        self._count: int | None = None

    def _rows(self, rows) -> list[Unregistered]:
        return [Unregistered(user_id, display_name, department, tuple(groups or ()),
                             snapshot.registered_by(kinds or {}, groups, self._until), required)
                for user_id, display_name, department, groups, kinds, required in rows]

    def __len__(self) -> int:
        if self._count is None:
            self._count = self._query.count()
        return self._count

    @overload
    def __getitem__(self, index: int) -> Unregistered: ...

    @overload
    def __getitem__(self, index: slice) -> list[Unregistered]: ...

    def __getitem__(self, index):
        if isinstance(index, slice):
            return self._rows(self._query[index])
        return self._rows(self._query[index:index + 1])[0]

    def __iter__(self) -> Iterator[Unregistered]:
        batch = []
        for row in self._query.iterator(chunk_size=2000):
            batch.append(row)
            if len(batch) == 2000:
                yield from self._rows(batch)
                batch = []
        yield from self._rows(batch)


def not_registered(people, until: datetime | None, *, group: str = "", text: str = "") -> NotRegistered:
    """Those not registered, narrowed to a group and to a user ID or name containing text."""
    if group:
        people = people.filter(group_names__contains=snapshot.group_key(group))
    text = text.strip()
    if text:
        people = people.filter(Q(user_id__contains=text.casefold()) | Q(display_name__icontains=text))
    return NotRegistered(people, until)
