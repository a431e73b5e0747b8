"""Errors as RFC 9457 problem details (`application/problem+json`): a stable `type` per kind of
problem (under the configured base URL, listed in docs/api.md), a `title` for the kind, the
`status`, a plain `detail`, and for refusals with several reasons an `errors` list naming the
field (validation, a refused password) or the line (an import)."""

import json
import logging
from math import ceil

from django.conf import settings
from django.http import HttpResponse

MEDIA_TYPE = "application/problem+json"
log = logging.getLogger(__name__)

# slug -> (status, title)
KINDS = {
    "bad-request": (400, "The request could not be read"),
    "unauthorized": (401, "A valid API key is required"),
    "missing-scope": (403, "The key does not have the scope this needs"),
    "not-allowed": (403, "Not allowed for this key's role"),
    "not-found": (404, "Not found"),
    "method-not-allowed": (405, "Method not allowed"),
    "wrong-directory": (409, "Not possible with this directory"),
    "too-large": (413, "The request is too large"),
    "unsupported-media-type": (415, "Unsupported media type"),
    "validation": (422, "The request is not valid"),
    "password-refused": (422, "The password was refused"),
    "import-rejected": (422, "Nothing was imported"),
    "rate-limited": (429, "Too many requests"),
    "server-error": (500, "Something went wrong on our side"),
    "directory-unavailable": (503, "The directory is unavailable"),
    "unavailable": (503, "Temporarily unavailable"),
}
BY_STATUS = {400: "bad-request", 401: "unauthorized", 403: "not-allowed", 404: "not-found", 405: "method-not-allowed",
             409: "wrong-directory", 413: "too-large", 415: "unsupported-media-type", 422: "validation",
             429: "rate-limited", 500: "server-error", 503: "unavailable"}
# What cannot be reached (sspr.web.outages) -> (kind, detail). Nothing internal is named: the log has it.
UNAVAILABLE = {
    "directory": ("directory-unavailable", "The directory cannot be reached; nothing was changed. "
                  "Try again in a few minutes."),
    "database": ("unavailable", "The portal cannot reach its database; nothing was changed. "
                 "Try again in a few minutes."),
    "limits": ("unavailable", "The portal cannot check its rate limits, so it accepts no calls; nothing was "
               "changed. Try again in a few minutes."),
}


def type_uri(slug: str) -> str:
    return f"{settings.BASE_URL}/api/v1/problems/{slug}"


class Problem(Exception):
    """Raised anywhere in the API to answer with a problem."""

    def __init__(self, slug: str, detail: str, *, errors: list[dict] | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(detail)
        self.slug, self.detail, self.errors, self.headers = slug, detail, errors, headers or {}


def response(slug: str, detail: str, *, errors: list[dict] | None = None,
             headers: dict[str, str] | None = None) -> HttpResponse:
    status, title = KINDS[slug]
    body: dict = {"type": type_uri(slug), "title": title, "status": status, "detail": detail}
    if errors is not None:
        body["errors"] = errors
    answer = HttpResponse(json.dumps(body), status=status, content_type=MEDIA_TYPE)
    for name, value in (headers or {}).items():
        answer[name] = value
    return answer


def of(exc: Problem) -> HttpResponse:
    return response(exc.slug, exc.detail, errors=exc.errors, headers=exc.headers)


def for_status(status: int, detail: str = "") -> HttpResponse:
    """Django's own error pages, for an address under /api/ (an unknown one, a bad Host...)."""
    slug = BY_STATUS.get(status, "server-error" if status >= 500 else "bad-request")
    return response(slug, detail or KINDS[slug][1] + ".")


def unavailable(what: str) -> HttpResponse:
    return response(*UNAVAILABLE[what])


def retry_after(wait) -> dict[str, str]:
    seconds = max(1, ceil(wait.total_seconds())) if wait else 60
    return {"Retry-After": str(seconds)}
