"""What the API reads and answers, as pydantic models (django-ninja's `Schema`): the OpenAPI
description is generated from these, so a client can check every answer against it."""

from datetime import datetime
from typing import Annotated

from ninja import Schema
from pydantic import Field, StringConstraints

# Constraints are written as patterns, so the description says exactly what is accepted (a
# client that follows it is never refused): no control characters, and something besides spaces.
TEXT = r"^[^\x00-\x1f\x7f]*$"
NOT_BLANK = r"^[^\x00-\x1f\x7f]*[^\x00-\x20\x7f][^\x00-\x1f\x7f]*$"
PlainText = Annotated[str, StringConstraints(pattern=TEXT)]
Searched = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=NOT_BLANK)]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=500, pattern=NOT_BLANK)]


class FieldError(Schema):
    detail: str
    field: str | None = None   # where in the request: "reason", "q", "rows", "password"
    line: int | None = None    # for an import: the line of the CSV (line 1 is the header)


class ProblemDetails(Schema):
    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldError] | None = None


# People
class PersonSummary(Schema):
    user_id: str
    display_name: str
    department: str
    enabled: bool
    locked: bool
    must_change_password: bool


class SearchPage(Schema):
    people: list[PersonSummary]
    offset: int
    more: bool = Field(description="More matches after these: ask again with offset + limit")


class Person(PersonSummary):
    groups: list[str]
    password_last_set: datetime | None


class MethodOut(Schema):
    id: int
    label: str
    detail: str = Field(description="Masked: never a whole number or address")
    added: datetime | None
    last_used: datetime | None


class DeviceOut(Schema):
    id: int
    description: str
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None


class PassOut(Schema):
    id: int
    issued_by: str
    issued_at: datetime
    expires_at: datetime
    uses: int
    uses_left: int
    batch: str


class EventOut(Schema):
    id: int
    created_at: datetime
    tag: str
    outcome: str
    reason: str
    actor: str
    actor_role: str
    subject: str


class Registration(Schema):
    required: int
    registered: int
    complete: bool


class SyncOut(Schema):
    """The last password set through the portal, in one system it is synced to ([sync] targets)."""

    target: str = Field(description="The target's name in [sync] targets: google, microsoft, directory")
    account: str = Field(description="The person's name there")
    status: str = Field(description="done (taken), pending (to be tried again), failed (refused for good), "
                                    "expired (given up)")
    attempts: int
    when: datetime | None = Field(None, description="When it was taken or given up; for pending, the next try")
    reason: str = Field(description="The target's last refusal, in its words (empty once taken)")


class Status(Schema):
    person: Person
    has_signed_in: bool
    registration: Registration
    methods: list[MethodOut]
    devices: list[DeviceOut]
    passes: list[PassOut]
    events: list[EventOut]
    sync: list[SyncOut] = Field(description="Each sync target that was handed a password of this person")


# Actions
class ActionIn(Schema):
    reason: Reason = Field(description="Why you act without verifying the caller (the API cannot verify one); "
                                       "recorded in the audit trail")


class ResetIn(ActionIn):
    password: Annotated[str, StringConstraints(max_length=1000)] = Field(
        "", description="A password to set; leave empty to have a passphrase generated")
    must_change: bool = True


class ClearIn(ActionIn):
    method_id: int | None = Field(None, ge=1, le=2**63 - 1, description="One method to remove; all when absent")


class Done(Schema):
    action: str
    user_id: str
    message: str
    count: int | None = None


class ResetDone(Done):
    generated: bool
    must_change: bool
    sync: list[SyncOut] = Field(description="Each sync target's state after its first try with this password")
    password: str | None = Field(None, description="The generated passphrase, shown this once; absent when "
                                                   "you typed one")


class PassDone(Done):
    pass_id: int
    code: str = Field(description="The pass, shown this once")
    expires_at: datetime
    uses: int
    signin_url: str


# Imports
class PeopleImported(Schema):
    created: int
    updated: int


class RosterImported(Schema):
    schools: int
    sections: int
    enrollments: int
    teachers: int
    students: int
    staff: int
    unmatched: int


# Reports and the audit trail
class OutcomeCount(Schema):
    tag: str
    outcome: str
    reason: str
    count: int


class VerificationCount(Schema):
    tag: str
    kind: str | None
    reason: str
    count: int


class AuditEventOut(EventOut):
    client_ip: str | None
    user_agent: str
    detail: dict


class AuditPage(Schema):
    events: list[AuditEventOut]
    cursor: int = Field(description="Give this as `after` next time")
    more: bool = Field(description="More events are ready now: ask again at once")
