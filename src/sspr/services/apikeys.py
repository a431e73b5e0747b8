"""API keys (sspr.api): created by an admin with a role and scopes, shown once, stored as a keyed
hash of the secret, found by the public prefix, revocable. A key's rights are those of a member
of staff with its role (`staff.Staff.for_key`), further narrowed by its scopes: the API can do
nothing the console could not do for that role."""

import hmac
import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from sspr.accounts.models import ApiKey
from sspr.actors import Actor, Role
from sspr.audit.models import Outcome, Reason, Tag, record
from sspr.limits import Limit
from sspr.methods.models import keyed_hash

from .errors import ServiceError, TooManyAttempts
from .staff import KEY_ROLES, Staff

# Each scope, and the roles whose console could do what it allows.
_HELP_DESKS = frozenset({Role.ADMIN, Role.HELPDESK, Role.SCHOOL_HELPDESK})
_READERS = frozenset({Role.ADMIN, Role.AUDITOR})
SCOPES: dict[str, frozenset[Role]] = {
    "people:read": _HELP_DESKS,         # find people, read a person's status
    "people:write": _HELP_DESKS,        # unlock, reset, passes, clear methods, forget devices, end sessions
    "roster:write": frozenset({Role.ADMIN}),   # replace the class rosters
    "import:write": frozenset({Role.ADMIN}),   # create and update embedded-directory accounts
    "reports:read": _READERS,
    "audit:read": _READERS,
}
NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,39}$")
PREFIX = "sspr"
TOUCH_EVERY = timedelta(minutes=1)   # last_used_at is written at most this often


class KeyRefused(ServiceError):
    """A key cannot be created (or revoked) as asked; the message says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class KeyInvalid(ServiceError):
    """No live key matches what was presented. `known` is the key whose prefix matched (revoked,
    or the secret was wrong), for the audit trail; None for anything else."""

    def __init__(self, known: ApiKey | None = None):
        super().__init__("no such API key")
        self.known = known


def _hash(prefix: str, secret: str) -> str:
    return keyed_hash(f"apikey:{prefix}:{secret}")


def check_request(name: str, role: str, scopes: list[str], school: str) -> list[str]:
    """Every reason the key cannot be made as asked (empty when it can)."""
    problems = []
    if not NAME.match(name):
        problems.append("the name must be 1 to 40 lowercase letters, digits, '.', '_' or '-', starting with a "
                        "letter or digit")
    if role not in {str(r) for r in KEY_ROLES}:
        problems.append(f"the role must be one of: {', '.join(KEY_ROLES)}")
        return problems
    unknown = [scope for scope in scopes if scope not in SCOPES]
    if unknown:
        problems.append(f"unknown scopes: {', '.join(unknown)} (valid: {', '.join(SCOPES)})")
    if not scopes:
        problems.append("give at least one scope")
    beyond = [scope for scope in scopes if scope in SCOPES and Role(role) not in SCOPES[scope]]
    if beyond:
        problems.append(f"the role {role} cannot hold: {', '.join(beyond)}")
    if role == Role.SCHOOL_HELPDESK and not school.strip():
        problems.append("a school_helpdesk key needs --school (the directory's department of its school)")
    if role != Role.SCHOOL_HELPDESK and school.strip():
        problems.append("only a school_helpdesk key has a school")
    return problems


def create(actor: Actor, name: str, role: str, scopes: list[str], *, school: str = "") -> tuple[ApiKey, str]:
    """A new key; the whole key is returned once, here, and never stored."""
    scopes = list(dict.fromkeys(scope.strip() for scope in scopes if scope.strip()))
    if problems := check_request(name, role, scopes, school):
        raise KeyRefused("; ".join(problems))
    prefix, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            row = ApiKey.objects.create(name=name, prefix=prefix, key_hash=_hash(prefix, secret), role=role,
                                        school=school.strip(), scopes=scopes, created_by=actor.user_id)
    except IntegrityError:
        raise KeyRefused(f"a key called {name} exists already (revoked keys keep their name)") from None
    record(actor, Tag.APIKEY_CREATE, subject=f"api:{name}",
           detail={"role": role, "scopes": scopes, **({"school": row.school} if row.school else {})})
    return row, f"{PREFIX}_{prefix}_{secret}"


def revoke(actor: Actor, name: str) -> ApiKey:
    row = ApiKey.objects.filter(name=name).first()
    if row is None:
        raise KeyRefused(f"no key called {name}")
    if row.revoked_at is None:
        row.revoked_at = timezone.now()
        row.save(update_fields=["revoked_at"])
        record(actor, Tag.APIKEY_REVOKE, subject=f"api:{name}")
    return row


def authenticate(presented: str) -> ApiKey:
    """The live key presented (`sspr_<prefix>_<secret>`); KeyInvalid otherwise."""
    parts = presented.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX or not re.fullmatch(r"[0-9a-f]{12}", parts[1]):
        raise KeyInvalid()
    prefix, secret = parts[1], parts[2]
    expected = _hash(prefix, secret)  # computed whether or not the prefix exists
    row = ApiKey.objects.filter(prefix=prefix).first()
    if row is None:
        raise KeyInvalid()
    if not hmac.compare_digest(row.key_hash, expected) or row.revoked_at is not None:
        raise KeyInvalid(row)
    now = timezone.now()
    if row.last_used_at is None or now - row.last_used_at > TOUCH_EVERY:
        ApiKey.objects.filter(pk=row.pk).update(last_used_at=now)
        row.last_used_at = now
    return row


def staff_of(row: ApiKey) -> Staff:
    return Staff.for_key(row.name, Role(row.role), row.school)


class MissingScope(ServiceError):
    reason = Reason.NOT_ALLOWED

    def __init__(self, scope: str):
        self.message = f"This needs a key with the scope {scope}."
        super().__init__(self.message)


def requests_per_minute() -> Limit:
    return Limit("api-requests", settings.CONFIG.api.requests_per_minute, timedelta(minutes=1))


def admit(presented: str, scope: str, *, client_ip: str | None, user_agent: str,
          operation: str) -> tuple[ApiKey, Staff, Actor]:
    """A call with the key presented, for an operation needing scope: the key, the staff it acts
    as and their actor. Raises KeyInvalid (audited when the prefix is ours: a revoked key in use,
    or a guessed secret), MissingScope (audited) or TooManyAttempts (the key's limit a minute;
    audited)."""
    try:
        key = authenticate(presented)
    except KeyInvalid as exc:
        if exc.known is not None:
            record(Actor.api_key(exc.known.name, client_ip=client_ip, user_agent=user_agent), Tag.API_REFUSED,
                   outcome=Outcome.REFUSED, reason=Reason.EXPIRED if exc.known.revoked_at else Reason.WRONG_ANSWER,
                   detail={"operation": operation})
        raise
    staff = staff_of(key)
    actor = staff.actor(client_ip, user_agent)
    if scope not in key.scopes or staff.role not in SCOPES[scope]:
        record(actor, Tag.API_REFUSED, outcome=Outcome.REFUSED, reason=Reason.NOT_ALLOWED,
               detail={"operation": operation, "scope": scope})
        raise MissingScope(scope)
    decision = requests_per_minute().acquire(key.prefix)
    if not decision:
        record(actor, Tag.API_REFUSED, outcome=Outcome.REFUSED, reason=Reason.RATE_LIMITED,
               detail={"operation": operation})
        raise TooManyAttempts(decision.retry_after)
    return key, staff, actor


def all_keys() -> list[ApiKey]:
    """Every key, live and revoked, newest first (never the keys themselves)."""
    return list(ApiKey.objects.order_by("-created_at", "-id"))


def shown_as(key: ApiKey) -> str:
    """How a key is named where its secret must not be: its public beginning."""
    return f"{PREFIX}_{key.prefix}_…"
