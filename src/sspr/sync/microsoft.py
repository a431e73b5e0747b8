"""Microsoft 365 / Entra ID: Microsoft Graph's PATCH /users/{id} with a passwordProfile, with a
token from the client credentials flow (MSAL, with a client secret or a certificate).

Graph takes only the password itself, so a retry keeps it sealed with the server's key
(methods.crypto), erased once written or given up (docs/sync.md).
"""

import threading
from urllib.parse import quote

import msal
import requests
from django.utils.translation import gettext as _

from . import Constraint, Prepared, SyncFailed, SyncTarget, http, unseal
from .google import printable_ascii
from .http import error_message, raise_for

DEFAULT_AUTHORITY = "https://login.microsoftonline.com"
MAX_LENGTH = 256  # Entra ID's limit

_apps: dict[tuple, msal.ConfidentialClientApplication] = {}
_apps_lock = threading.Lock()
# Token errors that say our app registration is wrong, not that Entra ID is busy.
PERMANENT_TOKEN_ERRORS = {"invalid_client", "unauthorized_client", "invalid_request", "invalid_scope",
                          "invalid_grant", "unsupported_grant_type"}


class MicrosoftTarget(SyncTarget):
    name = "microsoft"

    @property
    def label(self) -> str:
        return _("Microsoft 365")

    def constraints(self) -> list[Constraint]:
        # Entra ID takes letters, digits, ASCII symbols and spaces only, at most 256 of them.
        def label():
            return _("Your Microsoft 365 password can only use English letters, digits and punctuation")

        def problem(password: str) -> str | None:
            return label() if not printable_ascii(password) or len(password) > MAX_LENGTH else None
        return [Constraint("ascii", label, problem)]

    def deliver(self, prepared: Prepared, *, must_change: bool) -> None:
        password = unseal(prepared.secret)
        url = f"{self.settings.graph_url.rstrip('/')}/v1.0/users/{quote(prepared.account, safe='@')}"
        body: dict[str, dict[str, str | bool]] = {
            "passwordProfile": {"password": password, "forceChangePasswordNextSignIn": must_change}}
        try:
            response = self.http().patch(url, json=body, timeout=self.timeout,
                                         headers={"Authorization": f"Bearer {self.token()}"})
        except requests.RequestException as exc:
            raise SyncFailed(f"Microsoft Graph could not be reached ({exc.__class__.__name__})",
                             permanent=False) from None
        raise_for(response, "Microsoft Graph", error_message(response))

    def http(self) -> requests.Session:
        return http.session(self.settings.ca_file)

    def credential(self):
        settings = self.settings
        if settings.certificate_key:
            return {"private_key": settings.certificate_key, "thumbprint": settings.certificate_thumbprint}
        return settings.client_secret

    def app(self) -> msal.ConfidentialClientApplication:
        """One MSAL application per configuration: its token cache keeps the token until it expires."""
        settings = self.settings
        key = (settings.tenant, settings.client_id, settings.client_secret, settings.certificate_key,
               settings.certificate_thumbprint, settings.authority_url, settings.ca_file, settings.timeout)
        with _apps_lock:
            if key not in _apps:
                # Outside Microsoft's own clouds (a private or test endpoint) MSAL must not ask
                # Microsoft's public discovery endpoint about the authority first.
                _apps[key] = msal.ConfidentialClientApplication(
                    settings.client_id, client_credential=self.credential(),
                    authority=f"{settings.authority_url.rstrip('/')}/{settings.tenant}",
                    http_client=self.http(), timeout=settings.timeout,
                    instance_discovery=settings.authority_url.rstrip("/") == DEFAULT_AUTHORITY)
            return _apps[key]

    def token(self) -> str:
        try:
            result = self.app().acquire_token_for_client(scopes=[f"{self.settings.graph_url.rstrip('/')}/.default"])
        except requests.RequestException as exc:
            raise SyncFailed(f"Entra ID could not be reached ({exc.__class__.__name__})", permanent=False) from None
        except ValueError as exc:  # MSAL: the authority's metadata could not be read
            raise SyncFailed(f"Entra ID's sign-in address did not answer as expected ({exc})"[:300],
                             permanent=False) from None
        if "access_token" in result:
            return result["access_token"]
        error = result.get("error", "")
        description = (result.get("error_description") or "").splitlines()[0] if result.get("error_description") else ""
        raise SyncFailed(f"Entra ID refused our token request: {error} {description}".strip()[:300],
                         permanent=error in PERMANENT_TOKEN_ERRORS)

    def check(self) -> list[str]:
        settings = self.settings
        problems = [f"sync.microsoft.{key}: not set" for key in ("tenant", "client_id") if not getattr(settings, key)]
        if not settings.client_secret and not settings.certificate_key:
            problems.append("sync.microsoft: set client_secret, or certificate_key and certificate_thumbprint")
        if settings.certificate_key and not settings.certificate_thumbprint:
            problems.append("sync.microsoft.certificate_thumbprint: not set")
        if problems:
            return problems
        try:
            self.token()
        except SyncFailed as exc:
            return [f"sync.microsoft: {exc.message}"]
        return []
