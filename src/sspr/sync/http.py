"""What an HTTP answer from a provider means for a sync: taken, worth another try later (a
timeout, 429, 5xx, with the Retry-After the provider asked for), or refused for good."""

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import requests

from . import SyncFailed

TRANSIENT = {408, 425, 429, 500, 502, 503, 504}
MAX_RETRY_AFTER = 6 * 3600  # a provider asking for longer is believed only this far


def retry_after(value: str | None) -> float | None:
    """RFC 9110 Retry-After: seconds, or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return min(max((when - datetime.now(UTC)).total_seconds(), 0.0), MAX_RETRY_AFTER)


def raise_for(response, provider: str, message: str) -> None:
    """Nothing for a 2xx; otherwise SyncFailed with the provider's own words (message, read
    from its documented error body by the caller) and whether another try may help."""
    if 200 <= response.status_code < 300:
        return
    status = response.status_code
    reason = f"{provider} answered {status}" + (f": {message}" if message else "")
    raise SyncFailed(reason[:300], permanent=status not in TRANSIENT,
                     retry_after=retry_after(response.headers.get("Retry-After")))


def error_message(response) -> str:
    """The message in a Google or Graph error body ({"error": {"message": ...}}), or ""."""
    try:
        body = response.json()
    except ValueError:
        return ""
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return " ".join(str(part) for part in (error.get("code", ""), error.get("message", "")) if part)[:200]
    return str(error or "")[:200]


class _Session(requests.Session):
    # requests lets REQUESTS_CA_BUNDLE (or CURL_CA_BUNDLE) override a session's own `verify` on
    # each call that does not pass one (google-auth's and MSAL's calls do not): a configured
    # ca_file must win, or the target would trust other CAs than the operator chose.
    def merge_environment_settings(self, url, proxies, stream, verify, cert):
        merged = super().merge_environment_settings(url, proxies, stream, verify, cert)
        if self.verify is not True:
            merged["verify"] = self.verify
        return merged


def session(ca_file: str) -> requests.Session:
    """An HTTP session that trusts ca_file's CAs ("" for the system's)."""
    made = _Session()
    made.verify = ca_file or True
    return made
