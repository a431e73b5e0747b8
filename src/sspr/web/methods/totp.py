from django import forms
from django.conf import settings
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sspr.methods.kinds import kind
from sspr.methods.kinds.totp import qr_svg
from sspr.services import methods

from ..actors import actor_of
from . import added

PENDING = "enrol_totp"  # session key: the sealed key shown, until its first code is entered
OFFERED = "enrol_totp_app"  # session key: the one-time link that hands that key to the portal's app
verify_template = "methods/totp_verify.html"


class AppCodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"), max_length=12,
        help_text=gettext_lazy("Enter the 6-digit code your authenticator app shows now."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "autocapitalize": "none", "spellcheck": "false"}))


def answer_form(display, data=None):
    return AppCodeForm(data)


def enrol(request):
    app = kind("totp")
    sealed = request.session.get(PENDING)
    form = AppCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if sealed is None:
            # The session ended or the setup was finished elsewhere: start again with a new key.
            form.add_error("code", _("Your setup timed out. Add your account to the app again with "
                                     "this new QR code, then enter the code it shows."))
        elif form.is_valid():
            fields = app.confirm_enrolment(sealed, form.cleaned_data["code"])
            if fields is not None:
                del request.session[PENDING]
                request.session.pop(OFFERED, None)
                app.withdraw_offers(request.user)
                return added(request, methods.add_method(actor_of(request), request.user, app.kind, **fields))
            form.add_error("code", _("That code didn't work. Make sure your phone sets its time "
                                     "automatically, then enter the code the app shows now."))
    if sealed is None:
        sealed = request.session[PENDING] = app.new_sealed_secret()
    shown = app.enrolment(sealed, request.user.user_id)
    app_link = f"{settings.BASE_URL}/app/#code={_offer(request, app, sealed)}"  # the fragment stays on the phone
    return render(request, "methods/totp_enrol.html", {
        "form": form,
        "qr_svg": mark_safe(shown["qr_svg"]),  # segno escapes the title; the rest is our own drawing
        "otpauth_uri": shown["otpauth_uri"],
        "app_link": app_link,
        "app_qr_svg": mark_safe(qr_svg(app_link, _("QR code for adding your codes to the %(org)s authenticator app")
                                       % {"org": settings.CONFIG.branding.org_name})),
        "secret": shown["secret"],
        "account": request.user.user_id,
        "issuer": settings.CONFIG.branding.org_name,
    }, status=400 if form.errors else 200)


def _offer(request, app, sealed: str) -> str:
    """The page's link for the portal's own app: the same one while it can still be taken, a new
    one (for the same key) once a phone took it or it expired."""
    offered = request.session.get(OFFERED)
    if offered and offered["sealed"] == sealed and app.offer_open(request.user, offered["token"]):
        return offered["token"]
    token = app.offer_to_app(request.user, sealed)
    request.session[OFFERED] = {"sealed": sealed, "token": token}
    return token
