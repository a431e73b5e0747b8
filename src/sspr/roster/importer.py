"""Importing a OneRoster 1.1 CSV bundle (bulk) as the portal's roster.

All or nothing, like `sspr users import`: every row of every file is checked first, and a bundle
with any bad row changes nothing; each bad row is named by file and line number (line 1 is the
header). Then the people who are in a class are matched to portal user IDs by asking the
directory (the `find` the caller hands in: `sspr.services.people.find`), and the whole roster is
replaced in one transaction, so a section or enrolment gone from the bundle is gone here too.

Rows whose status is "tobedeleted" (or 1.0's "inactive"), people whose enabledUser is false, and
enrolments outside their beginDate and endDate are left out, and so is everything that refers to
them. Someone on the roster who has no account is not an error (rosters list people not yet
provisioned): their enrolments are skipped and counted.
"""

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils import timezone

from sspr.directory.base import DirectoryUser, UnknownUser

from .bundle import BundleRejected, read_bundle
from .models import Enrollment, Role, School, Section, normalise_user_id

Find = Callable[[str], DirectoryUser]

# What each file must have as columns: the fields the OneRoster 1.1 CSV tables require and this
# import reads. Other columns (and the other files of a bundle) are allowed and not read.
REQUIRED_COLUMNS = {
    "orgs.csv": ("sourcedId", "name"),
    "users.csv": ("sourcedId", "enabledUser", "role", "username"),
    "classes.csv": ("sourcedId", "title", "schoolSourcedId"),
    "enrollments.csv": ("sourcedId", "classSourcedId", "userSourcedId", "role"),
}
LEFT_OUT_STATUSES = {"tobedeleted", "inactive"}
# OneRoster's enrolment roles (1.1: administrator, proctor, student, teacher; aide is common in
# exports) and what the portal makes of them. An "ext:" role (a vendor's extension) is left out.
ROLES = {"teacher": Role.TEACHER, "student": Role.STUDENT,
         "administrator": Role.STAFF, "proctor": Role.STAFF, "aide": Role.STAFF}
BOOLEANS = {"true": True, "false": False}


class RosterRejected(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class RosterUser:
    sourced_id: str
    username: str
    email: str
    role: str  # users.csv's role, lowercased

    def candidates(self, domains: Iterable[str]) -> list[str]:
        """The user IDs to ask the directory about, in order: the username, the username in each
        configured domain (when it has none of its own), then the email address."""
        names = [self.username]
        if "@" not in self.username:
            names += [f"{self.username}@{domain}" for domain in domains]
        names.append(self.email)
        unique: list[str] = []
        for name in (normalise_user_id(name) for name in names):
            if name and name not in unique:
                unique.append(name)
        return unique


@dataclass
class Roster:
    """A bundle that passed every check, before anyone is matched."""

    schools: dict[str, str] = field(default_factory=dict)                     # sourcedId -> name
    sections: dict[str, dict[str, str]] = field(default_factory=dict)         # sourcedId -> fields
    users: dict[str, RosterUser] = field(default_factory=dict)                # sourcedId -> user
    enrollments: list[tuple[str, str, str, bool]] = field(default_factory=list)  # class, user, role, primary


@dataclass
class ImportResult:
    schools: int = 0
    sections: int = 0
    enrollments: int = 0
    teachers: int = 0
    students: int = 0
    staff: int = 0
    unmatched: list[RosterUser] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {"schools": self.schools, "sections": self.sections, "enrollments": self.enrollments,
                "teachers": self.teachers, "students": self.students, "staff": self.staff,
                "unmatched": len(self.unmatched)}


# --- reading and checking ---------------------------------------------------------------------


class _File:
    """One CSV file of the bundle, read row by row, collecting its problems. `rejected` holds the
    sourcedIds of its bad rows, and `usable` turns false when the file cannot be read through, so
    that what refers to them is not named a second time."""

    def __init__(self, name: str, data: bytes, problems: list[str]):
        self.name, self.problems, self.rejected, self.usable = name, problems, set[str](), True
        try:
            self.text: str | None = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[:exc.start].count(b"\n") + 1
            problems.append(f"{name} line {line}: not UTF-8 text")
            self.text, self.usable = None, False

    def problem(self, line: int, text: str, sourced_id: str = "") -> None:
        self.problems.append(f"{self.name} line {line}: {text}")
        if sourced_id:
            self.rejected.add(sourced_id)

    def rows(self, required: Iterable[str]):
        """(line, row) for each row, values stripped; nothing if the header is unusable."""
        if self.text is None:
            return
        reader = csv.DictReader(io.StringIO(self.text, newline=""), strict=True)
        try:
            header = reader.fieldnames
            if not header:
                self.problems.append(f"{self.name}: empty (line 1 must name the columns)")
                self.usable = False
                return
            missing = [column for column in required if column not in header]
            if missing:
                self.problem(1, "missing column " + ", ".join(missing))
                self.usable = False
                return
            for row in reader:
                if None in row:
                    self.problem(reader.line_num, "more values than columns", (row.get("sourcedId") or "").strip())
                    continue
                yield reader.line_num, {key: (value or "").strip() for key, value in row.items()}
        except csv.Error as exc:  # raised before the line it is on is counted
            self.problem(reader.line_num + 1, f"not valid CSV ({exc})")
            self.usable = False


def _records(file: _File, required: tuple[str, ...]):
    """(line, row, kept) for each row with its required fields and a unique sourcedId; kept is
    False for a row whose status leaves it out."""
    seen: dict[str, int] = {}
    for line, row in file.rows(required):
        sourced_id = row["sourcedId"]
        empty = [column for column in required if not row[column]]
        if empty:
            file.problem(line, ("empty " if len(empty) == 1 else "empty fields ") + ", ".join(empty), sourced_id)
            continue
        if sourced_id in seen:
            file.problem(line, f"sourcedId {sourced_id} repeats line {seen[sourced_id]}")
            continue
        seen[sourced_id] = line
        status = row.get("status", "").lower()
        if status and status != "active" and status not in LEFT_OUT_STATUSES:
            file.problem(line, f"status must be active or tobedeleted, not {row['status']!r}", sourced_id)
            continue
        yield line, row, status not in LEFT_OUT_STATUSES


def _date(row: dict[str, str], column: str, reasons: list[str]) -> date | None:
    """The column's date (None when empty); an unreadable one is added to reasons."""
    if not row.get(column):
        return None
    try:
        return date.fromisoformat(row[column][:10])
    except ValueError:
        reasons.append(f"{column} is not a date (YYYY-MM-DD)")
        return None


def _check_manifest(file: _File) -> None:
    for line, row in file.rows(("propertyName", "value")):
        name, value = row["propertyName"], row["value"].lower()
        if name.startswith("file.") and value == "delta":
            file.problem(line, f"{name} is delta; the import reads bulk bundles only (a full export)")
        elif name == "oneroster.version" and value and not value.startswith("1.1"):
            file.problem(line, f"oneroster.version is {row['value']}; the import reads OneRoster 1.1")


def check(files: dict[str, bytes], *, today: date | None = None) -> Roster:
    """Every problem of the bundle's files at once (RosterRejected), or the roster they hold."""
    today = today or timezone.localdate()
    problems: list[str] = []
    opened = {name: _File(name, data, problems) for name, data in files.items()}
    roster = Roster()
    if "manifest.csv" in opened:
        _check_manifest(opened["manifest.csv"])

    # What is left out (by its status, a disabled user, a left-out school) or was named as bad
    # already: a row referring to it is not an error, and is left out too.
    orgs, left_out_orgs = opened["orgs.csv"], set()
    for _line, row, kept in _records(orgs, REQUIRED_COLUMNS["orgs.csv"]):
        if kept:
            roster.schools[row["sourcedId"]] = row["name"]
        else:
            left_out_orgs.add(row["sourcedId"])
    left_out_orgs |= orgs.rejected

    users, left_out_users = opened["users.csv"], set()
    for line, row, kept in _records(users, REQUIRED_COLUMNS["users.csv"]):
        enabled = BOOLEANS.get(row["enabledUser"].lower())
        if enabled is None:
            users.problem(line, f"enabledUser must be true or false, not {row['enabledUser']!r}", row["sourcedId"])
        elif kept and enabled:
            roster.users[row["sourcedId"]] = RosterUser(row["sourcedId"], row["username"], row.get("email", ""),
                                                        row["role"].lower())
        else:
            left_out_users.add(row["sourcedId"])
    left_out_users |= users.rejected

    classes, left_out_classes = opened["classes.csv"], set()
    for line, row, kept in _records(classes, REQUIRED_COLUMNS["classes.csv"]):
        school = row["schoolSourcedId"]
        if school not in roster.schools and school not in left_out_orgs and orgs.usable:
            classes.problem(line, f"schoolSourcedId {school} is not in orgs.csv", row["sourcedId"])
        elif kept and school in roster.schools:
            roster.sections[row["sourcedId"]] = {
                "title": row["title"], "class_code": row.get("classCode", ""), "school": school,
                "periods": row.get("periods", ""), "grades": row.get("grades", ""),
            }
        else:
            left_out_classes.add(row["sourcedId"])
    left_out_classes |= classes.rejected

    enrollments = opened["enrollments.csv"]
    for line, row, kept in _records(enrollments, REQUIRED_COLUMNS["enrollments.csv"]):
        reasons: list[str] = []
        section, user_sid, role_name = row["classSourcedId"], row["userSourcedId"], row["role"].lower()
        if section not in roster.sections and section not in left_out_classes and classes.usable:
            reasons.append(f"classSourcedId {section} is not in classes.csv")
        if user_sid not in roster.users and user_sid not in left_out_users and users.usable:
            reasons.append(f"userSourcedId {user_sid} is not in users.csv")
        role = ROLES.get(role_name)
        if role is None and not role_name.startswith("ext:"):
            reasons.append(f"role must be teacher, student, administrator, proctor or aide, not {row['role']!r}")
        person = roster.users.get(user_sid)
        if role in (Role.TEACHER, Role.STAFF) and person and person.role == "student":
            reasons.append(f"userSourcedId {user_sid} is a student in users.csv, enrolled as {role_name}")
        primary = BOOLEANS.get(row.get("primary", "").lower() or "false")
        if primary is None:
            reasons.append(f"primary must be true or false, not {row['primary']!r}")
        begins, ends = _date(row, "beginDate", reasons), _date(row, "endDate", reasons)
        if reasons:
            enrollments.problem(line, "; ".join(reasons))
            continue
        current = (begins is None or begins <= today) and (ends is None or today < ends)
        if kept and current and role and person and section in roster.sections:
            roster.enrollments.append((section, user_sid, role, bool(primary)))
    if problems:
        raise RosterRejected(problems)
    return roster


# --- matching and storing ---------------------------------------------------------------------


def match(users: Iterable[RosterUser], find: Find, domains: Iterable[str]) -> dict[str, str | None]:
    """Roster sourcedId -> the portal user ID it is (lowercased), or None for nobody. The first
    candidate the directory knows wins. DirectoryUnavailable is not caught: nothing can be
    decided without the directory."""
    domains = list(domains)
    known: dict[str, str | None] = {}  # a candidate asked about already -> its answer
    matched: dict[str, str | None] = {}
    for user in users:
        matched[user.sourced_id] = None
        for candidate in user.candidates(domains):
            if candidate not in known:
                try:
                    known[candidate] = normalise_user_id(find(candidate).user_id)
                except UnknownUser:
                    known[candidate] = None
            if known[candidate]:
                matched[user.sourced_id] = known[candidate]
                break
    return matched


def replace_roster(roster: Roster, matched: dict[str, str | None]) -> ImportResult:
    """Store the roster in place of the one before, in one transaction."""
    enrollments: dict[tuple[str, str, str], bool] = {}  # (class, user ID, role) -> primary
    for section, user_sid, role, primary in roster.enrollments:
        user_id = matched.get(user_sid)
        if user_id:
            key = (section, user_id, role)
            enrollments[key] = enrollments.get(key, False) or primary
    schools = {fields["school"] for fields in roster.sections.values()}
    with transaction.atomic():
        Enrollment.objects.all().delete()
        Section.objects.all().delete()
        School.objects.all().delete()
        School.objects.bulk_create([School(sourced_id=sid, name=roster.schools[sid]) for sid in sorted(schools)],
                                   batch_size=2000)
        school_ids = dict(School.objects.values_list("sourced_id", "id"))
        Section.objects.bulk_create(
            [Section(sourced_id=sid, title=fields["title"], class_code=fields["class_code"],
                     school_id=school_ids[fields["school"]], periods=fields["periods"], grades=fields["grades"])
             for sid, fields in roster.sections.items()], batch_size=2000)
        section_ids = dict(Section.objects.values_list("sourced_id", "id"))
        Enrollment.objects.bulk_create(
            [Enrollment(section_id=section_ids[section], user_id=user_id, role=role, primary=primary)
             for (section, user_id, role), primary in enrollments.items()], batch_size=2000)
    people = {role: {user_id for (_s, user_id, r) in enrollments if r == role} for role in Role}
    enrolled = {user_sid for _section, user_sid, _role, _primary in roster.enrollments}
    return ImportResult(
        schools=len(schools), sections=len(roster.sections), enrollments=len(enrollments),
        teachers=len(people[Role.TEACHER]), students=len(people[Role.STUDENT]), staff=len(people[Role.STAFF]),
        unmatched=[roster.users[sid] for sid in sorted(enrolled) if not matched.get(sid)],
    )


def import_roster(path, *, find: Find, domains: Iterable[str], today: date | None = None) -> ImportResult:
    """Read, check, match and store a bundle (a folder or a zip archive). Raises RosterRejected
    with every problem, or DirectoryUnavailable; either way nothing has changed."""
    try:
        bundle = read_bundle(path)
    except BundleRejected as exc:
        raise RosterRejected(exc.problems) from None
    roster = check(bundle.files, today=today)
    enrolled = {user_sid for _section, user_sid, _role, _primary in roster.enrollments}
    matched = match((roster.users[sid] for sid in sorted(enrolled)), find, domains)
    if enrolled and not any(matched.values()):
        raise RosterRejected([f"none of the {len(enrolled)} people in a class has an account in the directory; "
                              "check the usernames and directory.domains (the roster was left as it was)"])
    return replace_roster(roster, matched)
