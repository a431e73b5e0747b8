"""Who calls: `Authorization: Bearer <key>`, and nothing else. A session cookie is never read
here, so a signed-in browser cannot be made to call the API on its owner's behalf (and the API's
views are exempt from the CSRF check for the same reason: no cookie carries rights to them).
The key is never logged: on a refusal only the key's name is recorded, when its prefix was ours."""

from dataclasses import dataclass

from django.http import HttpRequest
from ninja.security import HttpBearer

from sspr.accounts.models import ApiKey
from sspr.actors import Actor
from sspr.services import apikeys
from sspr.services.staff import Staff

from .problems import Problem


@dataclass(frozen=True)
class Caller:
    key: ApiKey
    staff: Staff
    actor: Actor


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
        try:
            key, staff, actor = apikeys.admit(token, self.scope, client_ip=getattr(request, "client_ip", None),
                                              user_agent=request.headers.get("User-Agent", ""),
                                              operation=operation_of(request))
        except apikeys.KeyInvalid:
            return None
        except apikeys.MissingScope as exc:
            raise Problem("missing-scope", exc.message) from None
        return Caller(key, staff, actor)
