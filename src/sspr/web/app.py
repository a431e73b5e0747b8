"""The portal's own authenticator app, at /app/: an installable web app (manifest and service
worker) that approves sign-ins. Its page is rendered here like any other, in the person's
language; its questions and answers are small JSON calls signed by the phone's own key, so they
carry no cookie and need no CSRF token: a call is worth only what its signature proves."""

import json
from pathlib import Path

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from sspr.methods import webpush
from sspr.methods.kinds.push import AnswerRefused
from sspr.services import push

from .actors import actor_of

MAX_BODY = 8 * 1024
STATIC = Path(__file__).resolve().parent / "static" / "sspr" / "app"
# How each refusal is answered: the phone learns only what it needs to tell its person.
STATUS = {"unknown_device": 404, "unknown_pairing": 404, "unknown_request": 404, "bad_key": 400,
          "bad_answer": 400, "bad_signature": 403, "stale": 403, "answered": 409, "expired": 410,
          "unknown_offer": 404}


def app_text() -> dict:
    """What app.js says, in the page's language (the app is rendered like any other page)."""
    org = settings.CONFIG.branding.org_name
    return {
        "applications": {
            "signin": _("Sign in to %(org)s") % {"org": org},
            "security-info": _("Open your security info"),
            "reset": _("Reset your password or unlock your account"),
            "console": _("Open the staff console"),
            "pair": _("Add this phone"),
        },
        "paired": _("This phone approves sign-ins for %(org)s.") % {"org": org},
        "added": _("Now approve the request with the number shown on the page where you added this phone."),
        "approved": _("Approved. Go back to the page you were signing in on."),
        "approved_pair": _("Approved. This phone now approves your sign-ins."),
        "denied": _("Request denied and stopped. We have emailed you about it. If you didn't try to sign in, "
                    "change your password now."),
        "wrong_number": _("That isn't the number on your sign-in screen, so the request was stopped. Start again "
                          "on the sign-in page to get a new number."),
        "number_needed": _("Enter the two-digit number shown on your sign-in screen."),
        "expired": _("That request ended before your answer arrived. Start again on the sign-in page."),
        "answered": _("That request was already answered."),
        "removed": _("This phone is no longer added to your account."),
        "pair_failed": _("That link was used already or has expired. In your security info, start adding your "
                         "phone again to get a new QR code."),
        "code_added": _("Codes added. Enter the code shown here on the page where you set up your authenticator app."),
        "code_failed": _("That link was used already or has expired. On the page where you set up your "
                         "authenticator app, scan the new QR code."),
        "code_removed": _("Codes removed from this phone."),
        # {account} and {seconds} are filled in by app.js.
        "confirm_remove": _("Remove the codes for {account} from this phone? You won't see them here any more."),
        "seconds_left": _("New code in {seconds} s"),
        "error": _("Something went wrong. Check your connection and try again."),
    }


@require_GET
def shell(request):
    return render(request, "app/app.html", {"application_server_key": webpush.application_server_key(),
                                            "app_text": app_text()})


@require_GET
def manifest(request):
    org = settings.CONFIG.branding.org_name
    body = {
        "name": _("%(org)s authenticator") % {"org": org},
        "short_name": _("Authenticator"),
        "description": _("Approve your sign-ins with a number."),
        "lang": request.LANGUAGE_CODE,
        "start_url": "/app/",
        "scope": "/app/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": settings.CONFIG.branding.primary_color,
        "icons": [{"src": static("sspr/app/icon.svg"), "sizes": "any", "type": "image/svg+xml", "purpose": "any"}],
    }
    return HttpResponse(json.dumps(body), content_type="application/manifest+json")


@require_GET
def service_worker(request):
    # Served from /app/ (not /static/) so that it may control the app's pages.
    response = HttpResponse((STATIC / "sw.js").read_text(), content_type="text/javascript")
    response["Cache-Control"] = "no-cache"
    return response


def _body(request) -> dict:
    if len(request.body) > MAX_BODY:
        return {}
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def _text(data: dict, key: str, limit: int = 200) -> str:
    value = data.get(key, "")
    return value[:limit] if isinstance(value, str) else ""


def _refused(exc: AnswerRefused) -> JsonResponse:
    return JsonResponse({"error": exc.why}, status=STATUS[exc.why])


@csrf_exempt  # no cookie is read: the token or the signature is the whole authority of a call
@require_POST
def api_pair(request):
    data = _body(request)
    try:
        device = push.register_phone(actor_of(request), _text(data, "token"), _text(data, "public_key"),
                                     data.get("subscription"), _text(data, "name", 60), _text(data, "language", 10))
    except AnswerRefused as exc:
        return _refused(exc)
    return JsonResponse({"device": device, "org": settings.CONFIG.branding.org_name})


@csrf_exempt
@require_POST
def api_code(request):
    try:
        key = push.take_code_key(actor_of(request), _text(_body(request), "token"))
    except AnswerRefused as exc:
        return _refused(exc)
    return JsonResponse(key)


@csrf_exempt
@require_POST
def api_requests(request):
    data = _body(request)
    try:
        waiting = push.waiting(actor_of(request), _text(data, "device"), _text(data, "time", 20),
                               _text(data, "signature"))
    except AnswerRefused as exc:
        return _refused(exc)
    return JsonResponse({"requests": [w.__dict__ for w in waiting]})


@csrf_exempt
@require_POST
def api_answer(request):
    data = _body(request)
    try:
        decision = push.answer(actor_of(request), _text(data, "device"), _text(data, "request"),
                               _text(data, "number", 10), _text(data, "decision", 10), _text(data, "signature"))
    except AnswerRefused as exc:
        return _refused(exc)
    return JsonResponse({"result": decision})
