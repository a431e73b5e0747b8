"""Google Workspace: the Admin SDK Directory API's users.update, acting through a service account
with domain-wide delegation.

The password never leaves us: Google is sent its SHA-512 crypt hash (hashFunction "crypt"), and
a retry keeps only that hash. The token comes from a JWT that google-auth signs with the service
account's key (RFC 7523 bearer grant), cached with its credentials until it expires.
"""

import json
import threading
from urllib.parse import quote

import requests
from django.utils.translation import gettext as _
from google.auth.exceptions import GoogleAuthError, RefreshError
from google.auth.exceptions import TransportError as GoogleTransportError
from google.auth.transport.requests import AuthorizedSession, Request
from google.oauth2 import service_account
from passlib.hash import sha512_crypt

from . import Constraint, Prepared, SyncFailed, SyncTarget, http
from .http import error_message, raise_for

SCOPE = "https://www.googleapis.com/auth/admin.directory.user"
MAX_LENGTH = 100  # Google's limit; its minimum (8) is below the policy's own floor
# SHA-512 crypt's standard rounds: what every crypt(3) reads, and the hash is kept only while a
# retry needs it. (Google documents "crypt" as C crypt's formats, $6$ among them.)
ROUNDS = 5000

_sessions: dict[tuple, AuthorizedSession] = {}
_sessions_lock = threading.Lock()


def printable_ascii(password: str) -> bool:
    return all(" " <= ch <= "~" for ch in password)


class GoogleTarget(SyncTarget):
    name = "google"
    seals_secret = False  # the crypt hash Google takes, not the password

    @property
    def label(self) -> str:
        return _("Google")

    def constraints(self) -> list[Constraint]:
        def label():
            return _("Your Chromebook password can only use English letters, digits and punctuation")

        def problem(password: str) -> str | None:
            if not printable_ascii(password):
                return label()
            if len(password) > MAX_LENGTH:
                return _("At most %(max)d characters: Google's limit") % {"max": MAX_LENGTH}
            return None
        return [Constraint("ascii", label, problem)]

    def prepare(self, person, new_password: str) -> Prepared:
        if not printable_ascii(new_password) or len(new_password) > MAX_LENGTH:
            # The policy refused these already (constraints()); a caller that skipped it is told here.
            raise SyncFailed("Google accepts 8 to 100 printable ASCII characters", permanent=True)
        return Prepared(self.account_for(person), sha512_crypt.using(rounds=ROUNDS).hash(new_password))

    def deliver(self, prepared: Prepared, *, must_change: bool) -> None:
        url = f"{self.settings.api_url.rstrip('/')}/admin/directory/v1/users/{quote(prepared.account, safe='@')}"
        body: dict[str, str | bool] = {"password": prepared.secret, "hashFunction": "crypt",
                                       "changePasswordAtNextLogin": must_change}
        try:
            # verify on the call itself: a session's own would lose to REQUESTS_CA_BUNDLE (http.session).
            response = self.session().put(url, json=body, timeout=self.timeout,
                                          verify=self.settings.ca_file or True)
        except RefreshError as exc:
            # Google's token endpoint said no: a key, a subject or a delegation to fix, not a moment's trouble.
            raise SyncFailed(f"Google refused our token request: {exc.args[0] if exc.args else exc}"[:300],
                             permanent=not getattr(exc, "retryable", False)) from None
        except (GoogleTransportError, requests.RequestException) as exc:
            raise SyncFailed(f"Google could not be reached ({exc.__class__.__name__})", permanent=False) from None
        raise_for(response, "Google", error_message(response))

    def session(self) -> AuthorizedSession:
        """One authorized session per configuration, so its token is reused until it expires."""
        settings = self.settings
        key = (settings.key, settings.subject, settings.token_uri, settings.ca_file, settings.timeout)
        with _sessions_lock:
            if key not in _sessions:
                _sessions[key] = self._new_session()
            return _sessions[key]

    def _new_session(self) -> AuthorizedSession:
        settings = self.settings
        try:
            info = {**json.loads(settings.key), "token_uri": settings.token_uri}
            credentials = service_account.Credentials.from_service_account_info(
                info, scopes=[SCOPE], subject=settings.subject)
        except (ValueError, KeyError, GoogleAuthError) as exc:
            raise SyncFailed(f"sync.google.key: not a service account key ({exc.__class__.__name__})",
                             permanent=True) from None
        session = AuthorizedSession(credentials, auth_request=self.token_request(),
                                    refresh_timeout=settings.timeout)
        return session

    def token_request(self) -> Request:
        return Request(http.session(self.settings.ca_file))

    def check(self) -> list[str]:
        settings = self.settings
        problems = [f"sync.google.{key}: not set" for key in ("key", "subject") if not getattr(settings, key)]
        if problems:
            return problems
        try:
            self.session().credentials.refresh(self.token_request())
        except SyncFailed as exc:
            return [exc.message]
        except (GoogleAuthError, requests.RequestException) as exc:
            return [f"sync.google: cannot get a token from {settings.token_uri} ({exc.__class__.__name__}: {exc})"]
        return []
