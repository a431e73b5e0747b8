from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from sspr.directory import get_directory


def home(request):
    return redirect("profile" if request.user.is_authenticated else "signin")


@require_GET
def healthz(request):
    return HttpResponse("ok\n", content_type="text/plain")


@require_GET
def readyz(request):
    """Ready when the database answers and the directory reports no problem."""
    problems = []
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # any failure here means "not ready", and we say which
        problems.append(f"database: {exc.__class__.__name__}")
    else:
        problems += get_directory().check()
    status = 503 if problems else 200
    return JsonResponse({"ready": not problems, "problems": problems}, status=status)


def error_page(status):
    def view(request, exception=None):
        return render(request, f"errors/{status}.html", status=status)
    return view


def csrf_failure(request, reason=""):
    return render(request, "errors/403_csrf.html", status=403)
