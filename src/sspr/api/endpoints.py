"""The API's operations. Each one is a thin adapter: it names the scope it needs (auth.KeyAuth),
reads its input through a schema, calls the service the console calls, and answers with a schema
or a problem (problems.py). Rights are decided by the services (`staff.authorize`), never here."""

import csv
import io
import json
import logging
import tempfile
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from ninja import File, NinjaAPI, Query, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.files import UploadedFile
from pydantic import Field

from sspr.audit import feed, reports
from sspr.audit.models import Tag, record
from sspr.directory.base import SEARCH_LIMIT_MAX, SEARCH_OFFSET_MAX, DirectoryUser, UnknownUser
from sspr.directory.embedded.importer import COLUMNS, SECRET_COLUMNS, ImportRejected
from sspr.roster.bundle import MAX_BUNDLE_BYTES
from sspr.roster.importer import RosterRejected
from sspr.services import console, imports, people, staff, sync
from sspr.services.errors import PasswordRefused, TooManyAttempts
from sspr.web import outages

from . import problems, schemas
from .auth import Caller, KeyAuth
from .problems import Problem

log = logging.getLogger(__name__)
MAX_CSV_BYTES = 50_000_000
# Every operation may meet an outage (the database, the limits): 503 is everyone's.
ERRORS = dict.fromkeys((400, 401, 403, 422, 429, 503), schemas.ProblemDetails)
ABOUT_SOMEONE = {**ERRORS, 404: schemas.ProblemDetails}


class Api(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        """Errors are documented as what they are, application/problem+json, and the key as a
        bearer token (the same scheme for every operation, whatever scope it needs)."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for status, answer in operation.get("responses", {}).items():
                    content = answer.get("content", {})
                    if int(status) >= 400 and "application/json" in content:
                        answer["content"] = {problems.MEDIA_TYPE: content["application/json"]}
                if operation.get("security"):
                    operation["security"] = [{"ApiKey": []}]
        components = schema.setdefault("components", {})
        components["securitySchemes"] = {"ApiKey": {"type": "http", "scheme": "bearer",
                                                    "description": "An API key made with `sspr apikey create`"}}
        schema["servers"] = [{"url": settings.BASE_URL}]
        return schema


api = Api(
    title="OpenSSPR API", version="1", urls_namespace="api",
    description="The help desk's actions, imports, reports and the audit trail for programs. See docs/api.md.",
    docs=Swagger(settings={"persistAuthorization": False}), docs_url="/docs", openapi_url="/openapi.json",
)


def caller_of(request: HttpRequest) -> Caller:
    return request.auth  # type: ignore[attr-defined]


def read(caller: Caller, operation: str, subject: str = "", **detail) -> None:
    record(caller.actor, Tag.API_READ, subject=subject, detail={"operation": operation, **detail})


# --- problems ----------------------------------------------------------------------------------

@api.exception_handler(Problem)
def _problem(request, exc: Problem):
    return problems.of(exc)


@api.exception_handler(AuthenticationError)
def _unauthorized(request, exc):
    return problems.response("unauthorized", "Give a live API key as `Authorization: Bearer <key>`.",
                             headers={"WWW-Authenticate": 'Bearer realm="api"'})


@api.exception_handler(ValidationError)
def _invalid(request, exc: ValidationError):
    errors = []
    for error in exc.errors:
        location = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path", "payload")]
        errors.append({"field": ".".join(location) or None, "detail": str(error.get("msg", "invalid"))})
    fields = ", ".join(sorted({e["field"] for e in errors if e["field"]})) or "the body"
    return problems.response("validation", f"Check {fields}.", errors=errors)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return problems.response("not-found", "There is no such person or thing.")


@api.exception_handler(staff.NotAllowed)
def _not_allowed(request, exc: staff.NotAllowed):
    return problems.response("not-allowed", exc.message)


@api.exception_handler(console.ProofMissing)
def _proof_missing(request, exc):
    return problems.response("not-allowed", str(exc))


@api.exception_handler(PasswordRefused)
def _password_refused(request, exc: PasswordRefused):
    reasons = [str(reason) for reason in exc.reasons]
    return problems.response("password-refused", " ".join(reasons),
                             errors=[{"field": "password", "detail": reason} for reason in reasons])


@api.exception_handler(TooManyAttempts)
def _too_many(request, exc: TooManyAttempts):
    headers = problems.retry_after(exc.retry_after)
    return problems.response("rate-limited", f"Try again in {headers['Retry-After']} seconds.", headers=headers)


for outage in outages.OUTAGES:  # the directory, the database or the limits: 503, as for a page
    api.exception_handler(outage)(outages.unavailable)


@api.exception_handler(RequestDataTooBig)
def _too_big(request, exc):
    return problems.response("too-large", "The body is larger than this operation accepts.")


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    return problems.for_status(exc.status_code, str(exc))


@api.exception_handler(Exception)
def _server_error(request, exc):
    log.exception("API error in %s", request.path)
    return problems.response("server-error", "Nothing is known to have changed; if it happens again, tell the "
                             "portal's administrators.")


# --- people ------------------------------------------------------------------------------------

def plausible(user_id: str) -> bool:
    return 0 < len(user_id) <= 254 and not any(ord(ch) < 32 or ord(ch) == 127 for ch in user_id)


def target(caller: Caller, user_id: str, action: staff.Action) -> DirectoryUser:
    """The person, once the key's role may take action on them; 404 for one the directory does not know."""
    if not plausible(user_id):
        raise Http404
    try:
        return console.person_for(caller.actor, caller.staff, user_id, action)
    except UnknownUser:
        raise Http404 from None


def summary(person: DirectoryUser) -> dict:
    return {"user_id": person.user_id, "display_name": person.display_name, "department": person.department,
            "enabled": person.enabled, "locked": person.locked, "must_change_password": person.must_change_password}


class SearchQuery(schemas.Schema):
    q: schemas.Searched = Field(description="The start of a user ID, name or email")
    offset: int = Field(0, ge=0, le=SEARCH_OFFSET_MAX, description="How many matches to skip")
    limit: int = Field(25, ge=1, le=min(100, SEARCH_LIMIT_MAX))


@api.get("/people", auth=KeyAuth("people:read"), response={200: schemas.SearchPage, **ABOUT_SOMEONE},
         operation_id="search_people", tags=["people"], summary="Find people")
def search_people(request, query: Query[SearchQuery]):
    """People whose user ID, name or email starts with `q` (case-insensitive), a page at a time;
    a school help desk's key finds only its school."""
    caller = caller_of(request)
    staff.count_search(caller.actor, caller.staff)
    found = people.search(query.q.strip(" "), department=caller.staff.school if caller.staff.school_only else "",
                          offset=query.offset, limit=query.limit)
    read(caller, "search_people", results=len(found.people))
    return {"people": [summary(person) for person in found.people], "offset": query.offset, "more": found.more}


@api.get("/people/{user_id}", auth=KeyAuth("people:read"), response={200: schemas.Status, **ABOUT_SOMEONE},
         operation_id="person_status", tags=["people"], summary="A person's status")
def person_status(request, user_id: str):
    """What the console's person page shows: the account, registration with masked destinations,
    remembered devices, live passes and recent events."""
    caller = caller_of(request)
    person = target(caller, user_id, staff.Action.VIEW)
    status = console.status(person)
    read(caller, "person_status", subject=person.user_id)
    return {
        "person": {**summary(person), "groups": list(person.groups), "password_last_set": person.password_last_set},
        "has_signed_in": status.user is not None,
        "registration": {"required": status.required, "registered": status.registered,
                         "complete": status.is_registered},
        "methods": [{"id": m.pk, "label": m.label, "detail": m.detail, "added": m.added, "last_used": m.last_used}
                    for m in status.methods],
        "devices": [{"id": d.pk, "description": d.description, "created_at": d.created_at,
                     "expires_at": d.expires_at, "last_used_at": d.last_used_at} for d in status.devices],
        "passes": [{"id": p.pk, "issued_by": p.issued_by, "issued_at": p.issued_at, "expires_at": p.expires_at,
                    "uses": p.uses, "uses_left": p.uses_left, "batch": p.batch} for p in status.passes],
        "events": [event_out(e) for e in status.events],
        "sync": [sync_out(state) for state in sync.states_for(person.user_id)],
    }


def sync_out(state: sync.TargetState) -> dict:
    return {"target": state.target, "account": state.account, "status": state.status, "attempts": state.attempts,
            "when": state.when, "reason": "" if state.done else state.reason}


def event_out(event) -> dict:
    return {"id": event.id, "created_at": event.created_at, "tag": event.tag, "outcome": event.outcome,
            "reason": event.reason, "actor": event.actor, "actor_role": event.actor_role, "subject": event.subject}


# --- actions -----------------------------------------------------------------------------------

ACTING = {200: schemas.Done, **ABOUT_SOMEONE}


def proof(body: schemas.ActionIn) -> console.Proof:
    return console.Proof(reason=body.reason)


@api.post("/people/{user_id}/unlock", auth=KeyAuth("people:write"), response=ACTING, operation_id="unlock",
          tags=["actions"], summary="Unlock the account")
def unlock(request, user_id: str, body: schemas.ActionIn):
    caller = caller_of(request)
    person = target(caller, user_id, staff.Action.UNLOCK)
    console.unlock(caller.actor, caller.staff, person, proof(body))
    return {"action": "unlock", "user_id": person.user_id, "message": "The account is unlocked."}


@api.post("/people/{user_id}/reset", auth=KeyAuth("people:write"),
          response={200: schemas.ResetDone, **ABOUT_SOMEONE}, operation_id="reset_password", tags=["actions"],
          summary="Reset the password")
def reset_password(request, user_id: str, body: schemas.ResetIn):
    """Set `password` through the policy, or a generated passphrase, returned this once (it is
    neither stored nor logged). A refused password lists every rule it failed."""
    caller = caller_of(request)
    person = target(caller, user_id, staff.Action.RESET)
    new = console.reset_password(caller.actor, caller.staff, person, proof(body), typed=body.password,
                                 must_change=body.must_change)
    return {"action": "reset", "user_id": person.user_id, "message": "The password is reset.",
            "generated": new.generated, "must_change": body.must_change,
            "password": new.password if new.generated else None, "sync": [sync_out(state) for state in new.synced]}


@api.post("/people/{user_id}/passes", auth=KeyAuth("people:write"),
          response={200: schemas.PassDone, **ABOUT_SOMEONE}, operation_id="issue_pass", tags=["actions"],
          summary="Issue a Temporary Access Pass")
def issue_pass(request, user_id: str, body: schemas.ActionIn):
    caller = caller_of(request)
    person = target(caller, user_id, staff.Action.ISSUE_PASS)
    row, code = console.issue_pass(caller.actor, caller.staff, person, proof(body))
    return {"action": "issue_pass", "user_id": person.user_id, "message": "A Temporary Access Pass is ready.",
            "pass_id": row.pk, "code": code, "expires_at": row.expires_at, "uses": row.uses,
            "signin_url": settings.BASE_URL + reverse("signin_pass")}


@api.delete("/people/{user_id}/passes/{pass_id}", auth=KeyAuth("people:write"), response=ACTING,
            operation_id="revoke_pass", tags=["actions"], summary="Revoke a Temporary Access Pass")
def revoke_pass(request, user_id: str, pass_id: int):
    caller = caller_of(request)
    person = target(caller, user_id, staff.Action.REVOKE_PASS)
    if not 0 < pass_id < 2**63 or not console.revoke_pass(caller.actor, caller.staff, person, pass_id):
        raise Http404
    return {"action": "revoke_pass", "user_id": person.user_id, "message": "The pass is revoked.", "count": 1}


@api.post("/people/{user_id}/clear-methods", auth=KeyAuth("people:write"), response=ACTING,
          operation_id="clear_methods", tags=["actions"], summary="Clear security info")
def clear_methods(request, user_id: str, body: schemas.ClearIn):
    """All of the person's verification methods, or the one `method_id`; they register again at
    their next sign-in."""
    caller = caller_of(request)
    action = staff.Action.CLEAR_METHODS if body.method_id is None else staff.Action.REMOVE_METHOD
    person = target(caller, user_id, action)
    removed = console.clear_methods(caller.actor, caller.staff, person, proof(body), method_pk=body.method_id)
    return {"action": "clear_methods", "user_id": person.user_id, "count": removed,
            "message": f"{removed} method(s) removed; they register security info again at their next sign-in."}


@api.post("/people/{user_id}/forget-devices", auth=KeyAuth("people:write"), response=ACTING,
          operation_id="forget_devices", tags=["actions"], summary="Forget remembered devices")
def forget_devices(request, user_id: str, body: schemas.ActionIn):
    caller = caller_of(request)
    person = target(caller, user_id, staff.Action.FORGET_DEVICES)
    forgotten = console.forget_devices(caller.actor, caller.staff, person, proof(body))
    return {"action": "forget_devices", "user_id": person.user_id, "count": forgotten,
            "message": f"{forgotten} remembered device(s) forgotten."}


@api.post("/people/{user_id}/end-sessions", auth=KeyAuth("people:write"), response=ACTING,
          operation_id="end_sessions", tags=["actions"], summary="End every session")
def end_sessions(request, user_id: str, body: schemas.ActionIn):
    caller = caller_of(request)
    person = target(caller, user_id, staff.Action.END_SESSIONS)
    console.end_sessions(caller.actor, caller.staff, person, proof(body))
    return {"action": "end_sessions", "user_id": person.user_id, "message": "Every session of this person has ended."}


# --- imports -----------------------------------------------------------------------------------

NO_NUL = "^[^\\u0000]*$"  # a CSV cannot hold one
PEOPLE_BODY = {
    "required": True,
    "content": {
        "text/csv": {"schema": {"type": "string", "pattern": NO_NUL,
                                "description": "The file `sspr users import` reads"}},
        "application/json": {"schema": {
            "type": "object", "required": ["rows"], "additionalProperties": False,
            "properties": {"rows": {"type": "array", "minItems": 1, "items": {
                "type": "object", "additionalProperties": False,
                "properties": {column: {"type": "string", "pattern": NO_NUL}
                               for column in COLUMNS + SECRET_COLUMNS}}}}}},
    },
}
IMPORTING = {**ERRORS, 409: schemas.ProblemDetails, 413: schemas.ProblemDetails, 415: schemas.ProblemDetails}


def csv_from_json(raw: bytes) -> str:
    """The JSON form's rows as the CSV the command reads (line 2 is rows[0])."""
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise Problem("validation", "The body is not JSON.", errors=[{"field": "body", "detail": "not JSON"}]) from None
    rows = data.get("rows") if isinstance(data, dict) else None
    if not isinstance(rows, list) or not rows or set(data) != {"rows"}:
        raise Problem("validation", "Give {\"rows\": [...]}, at least one row.",
                      errors=[{"field": "rows", "detail": "a non-empty list of rows is required"}])
    errors = []
    for index, row in enumerate(rows):
        if not isinstance(row, dict) or not all(isinstance(v, str) for v in row.values()):
            errors.append({"field": f"rows.{index}", "detail": "each row is an object of strings"})
        elif unknown := sorted(set(row) - set(COLUMNS + SECRET_COLUMNS)):
            errors.append({"field": f"rows.{index}", "detail": f"unknown columns: {', '.join(unknown)}"})
    if errors:
        raise Problem("validation", "Check rows.", errors=errors)
    columns = [column for column in COLUMNS + SECRET_COLUMNS if any(column in row for row in rows)]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def body_of(request: HttpRequest, limit: int) -> bytes:
    size = request.headers.get("Content-Length", "")
    if size.isdigit() and int(size) > limit:
        raise Problem("too-large", f"The body may hold at most {limit // 1_000_000} MB.")
    raw = request.read(limit + 1)
    if len(raw) > limit:
        raise Problem("too-large", f"The body may hold at most {limit // 1_000_000} MB.")
    return raw


@api.post("/imports/people", auth=KeyAuth("import:write"), response={200: schemas.PeopleImported, **IMPORTING},
          operation_id="import_people", tags=["imports"], summary="Create or update accounts",
          openapi_extra={"requestBody": PEOPLE_BODY})
def import_people(request):
    """The CSV `sspr users import` reads (`text/csv`), or the same rows as JSON. All or nothing:
    a body with any bad row imports nothing and every bad row is listed by line."""
    caller = caller_of(request)
    media_type = request.content_type or ""
    raw = body_of(request, MAX_CSV_BYTES)
    if media_type == "application/json":
        text = csv_from_json(raw)
    elif media_type == "text/csv":
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise Problem("validation", "The CSV is not UTF-8 text.",
                          errors=[{"field": "body", "detail": "not UTF-8 text"}]) from None
    else:
        raise Problem("unsupported-media-type", "Send text/csv or application/json.")
    if "\x00" in text:
        raise Problem("validation", "The CSV holds a NUL character.", errors=[{"field": "body", "detail": "NUL"}])
    try:
        result = imports.import_accounts(caller.actor, caller.staff, text)
    except imports.WrongDirectory as exc:
        raise Problem("wrong-directory", str(exc)) from None
    except ImportRejected as exc:
        raise Problem("import-rejected", f"{len(exc.problems)} bad rows; nothing was imported.",
                      errors=[{"line": imports._line_number(problem) or None, "detail": problem}
                              for problem in exc.problems]) from None
    return {"created": result.created, "updated": result.updated}


@api.post("/imports/roster", auth=KeyAuth("roster:write"), response={200: schemas.RosterImported, **IMPORTING},
          operation_id="import_roster", tags=["imports"], summary="Replace the class rosters")
def import_roster(request, bundle: File[UploadedFile]):
    """A OneRoster 1.1 CSV bundle as a zip archive (the file `sspr roster import` reads), as the
    multipart field `bundle`. All or nothing; the roster is replaced."""
    caller = caller_of(request)
    if bundle.size is not None and bundle.size > MAX_BUNDLE_BYTES:
        raise Problem("too-large", f"The bundle may hold at most {MAX_BUNDLE_BYTES // 1_000_000} MB.")
    with tempfile.NamedTemporaryFile(suffix=".zip") as copy:
        for chunk in bundle.chunks():
            copy.write(chunk)
        copy.flush()
        try:
            result = imports.import_roster(caller.actor, copy.name)
        except RosterRejected as exc:
            shown = [problem.replace(copy.name.rsplit("/", 1)[-1], "bundle") for problem in exc.problems[:200]]
            raise Problem("import-rejected", f"{len(exc.problems)} problems; nothing was imported and the roster is "
                          "as it was.", errors=[{"detail": problem} for problem in shown]) from None
    return result.counts()


# --- reports and the audit trail ---------------------------------------------------------------

class Period(schemas.Schema):
    since: datetime | None = Field(None, description="Default: seven days before `until`")
    until: datetime | None = Field(None, description="Default: now")


def period(query: Period) -> tuple[datetime, datetime] | None:
    """The period asked for, in UTC (a time without an offset is UTC); None for an empty one."""
    try:
        until = as_utc(query.until) if query.until else timezone.now()
        since = as_utc(query.since) if query.since else until - timedelta(days=7)
    except OverflowError:  # beyond what a date can hold once moved to UTC: no events there
        return None
    return (since, until) if since < until else None


def as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if timezone.is_naive(moment) else moment.astimezone(UTC)


@api.get("/reports/outcomes", auth=KeyAuth("reports:read"), response={200: list[schemas.OutcomeCount], **ERRORS},
         operation_id="report_outcomes", tags=["reports"], summary="Events by tag, outcome and reason")
def report_outcomes(request, query: Query[Period]):
    caller = caller_of(request)
    span = period(query)
    read(caller, "report_outcomes")
    return reports.outcomes(list(Tag), *span) if span else []


@api.get("/reports/verifications", auth=KeyAuth("reports:read"),
         response={200: list[schemas.VerificationCount], **ERRORS}, operation_id="report_verifications",
         tags=["reports"], summary="Verifications by method kind and reason")
def report_verifications(request, query: Query[Period]):
    caller = caller_of(request)
    span = period(query)
    rows = reports.verifications_by_kind(*span) if span else []
    read(caller, "report_verifications")
    return [{**row, "kind": None if row["kind"] is None else str(row["kind"])} for row in rows]


def own_read(caller: Caller, event) -> bool:
    return (event.tag == Tag.API_READ and event.actor == caller.actor.user_id
            and event.detail.get("operation") == "audit_events")


class Cursor(schemas.Schema):
    after: int = Field(0, ge=0, le=2**63 - 1, description="The `cursor` of the last page; 0 for the beginning")
    limit: int = Field(100, ge=1, le=1000)


@api.get("/audit/events", auth=KeyAuth("audit:read"), response={200: schemas.AuditPage, **ERRORS},
         operation_id="audit_events", tags=["audit"], summary="Audit events after a cursor")
def audit_events(request, query: Query[Cursor]):
    """Every event once, oldest first, none skipped even when transactions commit out of order
    (docs/api.md, "The audit cursor"). Poll with the `cursor` of the last answer as `after`."""
    caller = caller_of(request)
    page = feed.after(query.after, query.limit)
    # Each read is recorded, except one that returned nothing but this key's own earlier reads:
    # otherwise every poll would leave an event for the next poll to find, and paging "until
    # empty" would never end.
    if any(not own_read(caller, event) for event in page.events):
        read(caller, "audit_events", after=query.after, events=len(page.events))
    return {"events": [{**event_out(e), "client_ip": e.client_ip, "user_agent": e.user_agent, "detail": e.detail}
                       for e in page.events], "cursor": page.cursor, "more": page.more}
