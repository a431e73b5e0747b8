""""Try again later": the one answer, a page or (under /api/) a problem, while something every
request may need does not answer: the directory, the database (restarting, failed over,
SQLite's write lock held too long) or the limits' Redis. Status 503 with Retry-After, not an
error page: nothing was changed (the transaction was rolled back; a limit that cannot be checked
refuses before anything is done), so nothing is lost by retrying, and the next request after it
is back goes through (a stale database connection is checked and replaced before use, the Redis
client reconnects by itself)."""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.shortcuts import render

from sspr.api import problems
from sspr.directory.base import DirectoryUnavailable
from sspr.limits import LimitsUnavailable

log = logging.getLogger("sspr.web")
# Anything else (an IntegrityError, say) is a bug and stays an error.
OUTAGES = (DirectoryUnavailable, OperationalError, InterfaceError, LimitsUnavailable)
RETRY_AFTER_SECONDS = 30


def what_is_down(exception: Exception) -> str:
    """"directory", "limits" or "database", for one of OUTAGES."""
    if isinstance(exception, DirectoryUnavailable):
        return "directory"
    return "limits" if isinstance(exception, LimitsUnavailable) else "database"


def unavailable(request, exception: Exception) -> HttpResponse:
    """The answer to a request that met one of OUTAGES, logged once; what went wrong inside is
    in the log only."""
    what = what_is_down(exception)
    log.error("%s unavailable: %s", what, exception)
    if request.path.startswith("/api/"):  # a program is asking: a problem, never a page
        response = problems.unavailable(what)
    else:
        try:
            response = render(request, "errors/503.html", {"unavailable": what}, status=503)
        except Exception:  # rendering may need the database too (a message stored in the session)
            response = HttpResponse("Please try again later.\n", content_type="text/plain", status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
