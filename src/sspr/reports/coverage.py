"""Registration coverage: who has registered the number of methods their groups require.

A person is registered when the kinds they registered, among those their groups allow, number at
least `required` (methods.rules.rules_for), exactly as the console's person page says. People are
the reports' snapshot (models.Person), enabled accounts only; methods are counted as they stood at
the end of the period asked for."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sspr.methods.kinds import KINDS, kind
from sspr.methods.models import Method
from sspr.methods.rules import rules_for

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
    by_kind: list[Row] = field(default_factory=list)   # people who registered each kind, of everyone
    unregistered: list[Unregistered] = field(default_factory=list)


def people_in(school: str = ""):
    people = Person.objects.filter(enabled=True)
    return people.filter(department__iexact=school) if school else people


def coverage(*, school: str = "", until: datetime | None = None) -> Coverage:
    people = people_in(school)
    methods = Method.objects.filter(user__is_operator=False)
    if until is not None:
        methods = methods.filter(created_at__lt=until)
    if school:
        methods = methods.filter(user__user_id__in=people.values("user_id"))
    kinds: dict[str, set[str]] = defaultdict(set)
    for user_id, name in methods.order_by().values_list("user__user_id", "kind").distinct():
        kinds[user_id].add(name)

    rules_cache: dict[tuple, tuple[frozenset, int]] = {}
    totals, done = [0, 0], [0]
    group_total: Counter = Counter()
    group_done: Counter = Counter()
    school_total: Counter = Counter()
    school_done: Counter = Counter()
    kind_count: Counter = Counter()
    unregistered = []
    for user_id, display_name, department, groups in people.order_by("user_id").values_list(
            "user_id", "display_name", "department", "groups"):
        key = tuple(groups or ())
        if key not in rules_cache:
            rules = rules_for(key)
            rules_cache[key] = (frozenset(rules.allowed), rules.required)
        allowed, required = rules_cache[key]
        have = kinds.get(user_id, set())
        count = len(have & allowed)
        is_registered = count >= required
        totals[0] += 1
        group_total.update(key)
        school_total[department] += 1
        kind_count.update(have)
        if is_registered:
            done[0] += 1
            group_done.update(key)
            school_done[department] += 1
        else:
            unregistered.append(Unregistered(user_id, display_name, department, key, count, required))

    def rows(total: Counter, registered: Counter) -> list[Row]:
        return [Row(label, registered[label], n) for label, n in sorted(total.items(), key=lambda item: (-item[1],
                                                                                                      item[0]))]

    return Coverage(
        overall=Row("", done[0], totals[0]),
        by_group=rows(group_total, group_done),
        by_school=rows(school_total, school_done),
        by_kind=[Row(str(kind(name).label), kind_count[name], totals[0]) for name in KINDS],
        unregistered=unregistered,
    )


def filter_unregistered(people: list[Unregistered], *, group: str = "", text: str = "") -> list[Unregistered]:
    """The not-yet-registered list narrowed to a group and to a user ID or name containing text."""
    group, text = group.casefold(), text.strip().casefold()
    return [person for person in people
            if (not group or group in {name.casefold() for name in person.groups})
            and (not text or text in person.user_id or text in person.display_name.casefold())]
