"""Imports a program asks for through the API (`sspr users import` and `sspr roster import` do
the same at the command line): embedded-directory accounts from CSV, and OneRoster bundles. Both
all or nothing, with every bad row named as the commands name it. An import through a key is
held to the console's rule of rank: no row may create or change an account whose rights are
equal to or higher than the key's, so a key cannot make an admin or change one's password."""

import csv
import io
from collections.abc import Iterable

from django.conf import settings

from sspr.actors import Actor
from sspr.audit.models import Tag, record
from sspr.directory.base import DirectoryUser
from sspr.directory.embedded import importer as accounts_importer
from sspr.directory.embedded.models import Account, normalise_user_id
from sspr.roster import importer as roster_importer

from . import people
from .staff import Staff, rank_of


class WrongDirectory(Exception):
    """Accounts can be imported into the embedded directory only."""


def _lines_of(text: str) -> dict[str, int]:
    """Each user ID's first line in the file (line 1 is the header), as read_rows counts them."""
    reader = csv.DictReader(io.StringIO(text))
    lines: dict[str, int] = {}
    for row in reader:
        user_id = normalise_user_id(row.get("user_id") or "")
        lines.setdefault(user_id, reader.line_num)
    return lines


def _line_number(problem: str) -> int:
    number = problem.removeprefix("line ").partition(":")[0]
    return int(number) if number.isdigit() else 0


def _beyond_rank(rows: Iterable[dict], staff: Staff, text: str) -> list[tuple[int, str]]:
    rows = list(rows)
    existing = {account.user_id: account for account in
                Account.objects.filter(user_id__in=[row["user_id"] for row in rows])}
    lines, found = _lines_of(text), []
    for row in rows:
        user_id, now = row["user_id"], existing.get(row["user_id"])
        after = DirectoryUser(user_id, groups=tuple(row.get("groups", now.groups if now else [])))
        before = DirectoryUser(user_id, groups=tuple(now.groups)) if now else None
        if rank_of(after) >= staff.rank or (before is not None and rank_of(before) >= staff.rank):
            found.append((lines.get(user_id, 0), f"line {lines.get(user_id, 0)}: {user_id} has or would have the "
                                                 "same or higher rights than this key"))
    return found


def import_accounts(actor: Actor, staff: Staff, text: str) -> accounts_importer.ImportResult:
    """Create or update embedded-directory accounts from CSV text. Raises ImportRejected with
    every problem (nothing is written), or WrongDirectory."""
    if settings.CONFIG.directory.backend != "embedded":
        raise WrongDirectory(f"accounts are imported into the embedded directory only; directory.backend is "
                             f"{settings.CONFIG.directory.backend!r}")
    rows, problems = accounts_importer.read_rows(io.StringIO(text), settings.CONFIG.directory.domains)
    numbered = [(_line_number(problem), problem) for problem in problems] + _beyond_rank(rows, staff, text)
    problems = [problem for _line, problem in sorted(numbered, key=lambda item: item[0])]
    if problems:
        raise accounts_importer.ImportRejected(problems)
    result = accounts_importer.store_rows(rows)
    record(actor, Tag.ACCOUNT_IMPORT, detail={"created": result.created, "updated": result.updated,
                                              "role": str(staff.role)})
    return result


def import_roster(actor: Actor, path) -> roster_importer.ImportResult:
    """Replace the roster with the bundle at path (a zip archive). Raises RosterRejected or
    DirectoryUnavailable; either way nothing has changed."""
    result = roster_importer.import_roster(path, find=people.find, domains=settings.CONFIG.directory.domains)
    record(actor, Tag.ROSTER_IMPORT, detail=result.counts())
    return result
