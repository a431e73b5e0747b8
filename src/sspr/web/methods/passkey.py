from django import forms
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sspr.methods.base import VerificationFailed
from sspr.methods.kinds import kind
from sspr.methods.kinds.passkey import MAX_CREDENTIAL_JSON, guess_device
from sspr.services import methods

from ..actors import actor_of
from . import added

REGISTRATION = "enrol_passkey"  # session key: the registration challenge waiting for its answer
verify_template = "methods/passkey_verify.html"


class NameForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name this passkey"), max_length=60,
        help_text=gettext_lazy("So you can tell your passkeys apart, for example “School Chromebook” or "
                               "“My phone”."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}))
    # Filled in by passkey.js with the browser's answer.
    credential = forms.CharField(required=False, max_length=MAX_CREDENTIAL_JSON, widget=forms.HiddenInput)


def answer_form(display, data=None):
    return None  # passkey.js fills in the credential


def enrol(request):
    passkey = kind("passkey")
    if request.method == "POST":
        form = NameForm(request.POST)
        pending = request.session.pop(REGISTRATION, None)  # one answer per challenge
        if form.is_valid():
            if not form.cleaned_data["credential"]:
                form.add_error(None, _("Your browser didn't create a passkey. Select “Create passkey” "
                                       "and follow your browser's instructions."))
            else:
                try:
                    data = passkey.register(request.user, form.cleaned_data["credential"], pending)
                except VerificationFailed as exc:
                    form.add_error(None, exc.message)
                else:
                    return added(request, methods.add_method(actor_of(request), request.user, "passkey", data=data,
                                                             name=form.cleaned_data["name"].strip()))
    else:
        form = NameForm(initial={"name": guess_device(request.META.get("HTTP_USER_AGENT", ""))})
    options, request.session[REGISTRATION] = passkey.registration_options(request.user)
    return render(request, "methods/passkey_enrol.html", {"form": form, "passkey_options": options},
                  status=400 if form.errors else 200)
