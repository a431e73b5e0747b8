"""Reading the audit trail in the console: search, each event in plain words, exports. Only roles
that read the audit trail (services.staff.Staff.reads_audit) get anything."""

import json
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _

from sspr.audit import reports
from sspr.audit.models import AuditEvent
from sspr.methods.kinds import KINDS, kind

from .staff import NotAllowed, Staff

Search = reports.Search
PAGE_SIZE = 50
CSV_HEADERS = ["time", "what", "tag", "outcome", "reason", "actor", "actor_role", "subject", "client_ip",
               "user_agent", "detail"]


@dataclass(frozen=True)
class Entry:
    event: AuditEvent
    details: list[tuple[str, str]]


def _allowed(staff: Staff) -> None:
    if not staff.reads_audit:
        raise NotAllowed(_("Your role does not read the audit trail."))


def kind_labels() -> dict[str, str]:
    return {name: str(kind(name).label) for name in KINDS}


def page(staff: Staff, wanted: Search, number: int) -> tuple[list[Entry], bool]:
    """One page of matching events, newest first, and whether another page follows."""
    _allowed(staff)
    start = (max(1, number) - 1) * PAGE_SIZE
    rows = list(reports.search(wanted)[start:start + PAGE_SIZE + 1])
    labels = kind_labels()
    return [Entry(event, reports.described(event, labels)) for event in rows[:PAGE_SIZE]], len(rows) > PAGE_SIZE


def records(staff: Staff, wanted: Search) -> Iterator[dict]:
    """Every matching event for an export, newest first, read in chunks."""
    _allowed(staff)
    for event in reports.search(wanted).iterator(chunk_size=2000):
        yield reports.as_record(event)


def csv_row(record: dict) -> list:
    return [json.dumps(record[name], sort_keys=True) if name == "detail" else record[name] for name in CSV_HEADERS]


def json_line(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n"
