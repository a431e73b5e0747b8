import re
import sys
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from sspr import limits
from sspr.config.schema import LOGO_TYPES
from sspr.demo.models import OutboxMessage
from sspr.ops.checks import directory_problems
from sspr.web import outages


@require_GET
def logo(request, suffix):
    """The logo file named by branding.logo, read once per process (it is small: the schema caps it)."""
    path = settings.CONFIG.branding.logo_file
    if not path or Path(path).suffix.lower() != "." + suffix:
        raise Http404
    response = HttpResponse(_logo_bytes(path), content_type=LOGO_TYPES[Path(path).suffix.lower()])
    # An SVG opened on its own is a document: it may not run anything.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    return response


@cache
def _logo_bytes(path: str) -> bytes:
    return Path(path).read_bytes()


def home(request):
    return redirect("profile" if request.user.is_authenticated else "signin")


@require_GET
def healthz(request):
    return HttpResponse("ok\n", content_type="text/plain")


@require_GET
def readyz(request):
    """Ready when the database and the rate limits' Redis (if any) answer and the directory
    reports no problem."""
    problems = []
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # any failure here means "not ready", and we say which
        problems.append(f"database: {exc.__class__.__name__}")
    else:
        problems += limits.backend().problems() + directory_problems()
    status = 503 if problems else 200
    return JsonResponse({"ready": not problems, "problems": problems}, status=status)


def error_page(status):
    def view(request, exception=None):
        # An outage met outside a view (a middleware reading the session, say), page or problem.
        if status == 500 and isinstance(failure := sys.exc_info()[1], outages.OUTAGES):
            return outages.unavailable(request, failure)
        if request.path.startswith("/api/"):  # a program is asking: a problem, not a page
            from sspr.api import problems

            return problems.for_status(status)
        # A refusal of ours carries the plain sentence to show (the console's role checks);
        # Django's own carry nothing meant for a person, and a 404 never says what was looked for.
        reason = str(exception) if status == 403 and isinstance(exception, PermissionDenied) else ""
        return render(request, f"errors/{status}.html", {"reason": reason}, status=status)
    return view


def csrf_failure(request, reason=""):
    if request.path.startswith("/api/"):
        from sspr.api import problems

        return problems.for_status(403, "Cross-site request refused.")
    return render(request, "errors/403_csrf.html", status=403)


# A code as messages write it: 482913, or spelt out by a call (4, 8, 2, 9, 1, 3); never a phone
# number (+15550100) or a time.
DEMO_CODE = re.compile(r"\b\d(?:, \d){5,9}\b|(?<![\d+])\b\d{6,10}\b")


def demo_outbox(request):
    """Routed only in demo mode: what would have been sent, newest first, each message's code
    large enough to read off a phone."""
    sent = list(OutboxMessage.objects.all()[:50])
    for message in sent:
        found = DEMO_CODE.search(message.body)
        message.code = found.group(0).replace(", ", "") if found else ""
    return render(request, "demo/outbox.html", {"messages_sent": sent})
