"""Registering a phone for "approve sign-ins": the page shows a QR code with a one-time link to
the portal's own app (/app/) and the number the phone is to type; the phone becomes a method
when it approves that first request (services.push), and this page, asking every few seconds
(push-wait.js) or when "I approved it, continue" is pressed, then goes back to security info."""

from django.conf import settings
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from sspr.methods.kinds import kind
from sspr.methods.kinds.totp import qr_svg

PAIRING = "enrol_push"  # session key: the pairing this page shows, its link's token and its number
verify_template = "methods/push_verify.html"


def answer_form(display, data=None):
    return None  # the answer comes from the phone; the page only says "continue"


def pairing_link(token: str) -> str:
    # In the fragment: the token never reaches a server log or a Referer header.
    return f"{settings.BASE_URL}/app/#pair={token}"


def enrol(request):
    push = kind("push")
    shown = request.session.get(PAIRING)
    status = push.pairing_status(shown and shown["pairing"], request.user)
    if request.method == "GET" and "progress" in request.GET:
        return JsonResponse({"progress": "waiting" if status == "waiting" else "answered"})
    error = ""
    if request.method == "POST" and status == "paired":
        del request.session[PAIRING]
        messages.success(request, _("Your phone was added. It will ask you to approve your sign-ins."))
        return redirect("security_info")
    if request.method == "POST" and status == "waiting":
        error = _("We haven't had the approval from your phone yet. Scan the QR code with your phone, "
                  "then enter the number below in the app and approve.")
    elif request.method == "POST" and shown:
        error = _("That didn't work: the phone didn't approve with this number, or it took too long. "
                  "Scan this new QR code to try again.")
    # A new QR code unless the one shown can still be finished (another phone after one was added, too).
    if status != "waiting" or "new" in request.GET:
        token, number, pairing = push.begin_pairing(request.user)
        shown = request.session[PAIRING] = {"pairing": pairing.pk, "token": token, "number": number}
    link = pairing_link(shown["token"])
    return render(request, "methods/push_enrol.html", {
        "link": link, "number": shown["number"], "error": error,
        "qr_svg": mark_safe(qr_svg(link, _("QR code for adding your phone"))),
    }, status=400 if error else 200)
