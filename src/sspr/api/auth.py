"""Who calls: `Authorization: Bearer <key>`, and nothing else. A session cookie is never read
here, so a signed-in browser cannot be made to call the API on its owner's behalf (and the API's
views are exempt from the CSRF check for the same reason: no cookie carries rights to them).
The key is never logged: on a refusal only the key's name is recorded, when its prefix was ours."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest
from ninja.security import HttpBearer

from sspr.accounts.models import ApiKey
from sspr.actors import Actor
from sspr.audit.models import Outcome, Reason, Tag, record
from sspr.limits import Limit
from sspr.services import apikeys
from sspr.services.errors import TooManyAttempts
from sspr.services.staff import Staff

from .problems import Problem


@dataclass(frozen=True)
class Caller:
    key: ApiKey
    staff: Staff
    actor: Actor


def requests_per_minute() -> Limit:
    return Limit("api-requests", settings.CONFIG.api.requests_per_minute, timedelta(minutes=1))


def operation_of(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    return match.url_name if match and match.url_name else request.path[:100]


class KeyAuth(HttpBearer):
    """A live key holding `scope`, within its limit per minute."""

    def __init__(self, scope: str):
        super().__init__()
        self.scope = scope

    def __call__(self, request: HttpRequest):
        # HttpBearer's own __call__ logs an unexpected header whole in DEBUG: never a key in a log.
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        return self.authenticate(request, token)

    def authenticate(self, request: HttpRequest, token: str):
        client_ip, agent = getattr(request, "client_ip", None), request.headers.get("User-Agent", "")
        try:
            key = apikeys.authenticate(token)
        except apikeys.KeyInvalid as exc:
            if exc.known is not None:  # our prefix: a revoked key in use, or a guessed secret
                record(Actor.api_key(exc.known.name, client_ip=client_ip, user_agent=agent), Tag.API_REFUSED,
                       outcome=Outcome.REFUSED, reason=Reason.EXPIRED if exc.known.revoked_at else Reason.WRONG_ANSWER,
                       detail={"operation": operation_of(request)})
            return None
        staff = apikeys.staff_of(key)
        caller = Caller(key, staff, staff.actor(client_ip, agent))
        if self.scope not in key.scopes or staff.role not in apikeys.SCOPES[self.scope]:
            record(caller.actor, Tag.API_REFUSED, outcome=Outcome.REFUSED, reason=Reason.NOT_ALLOWED,
                   detail={"operation": operation_of(request), "scope": self.scope})
            raise Problem("missing-scope", f"This needs a key with the scope {self.scope}.")
        decision = requests_per_minute().acquire(key.prefix)
        if not decision:
            raise TooManyAttempts(decision.retry_after)
        request.caller = caller  # type: ignore[attr-defined]
        return caller
