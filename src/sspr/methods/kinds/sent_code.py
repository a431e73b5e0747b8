"""Methods proved by a code we send: the authentication phone (text or call) and email."""

from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .. import codes, events
from ..base import MethodKind, VerificationFailed
from ..forms import CodeForm
from ..models import Method


class SentCodeMethod(MethodKind):
    verify_template = "methods/code_verify.html"
    destination_form = None   # a form whose cleaned_data["destination"] is the normalised address
    channels = {}             # the submit button's action -> the delivery channel it sends on

    def mask(self, destination: str) -> str:
        raise NotImplementedError

    def prefill(self, person) -> dict:
        """Initial form values from the directory: offered for confirmation, never trusted."""
        return {}

    def describe(self, method):
        return self.mask(method.destination)

    def enrol(self, request):
        session_key, template = f"enrol_{self.kind}", f"methods/{self.kind}_enrol.html"
        pending = request.session.get(session_key)
        if request.method == "POST" and request.POST.get("action") in self.channels:
            form = self.destination_form(request.POST)
            if form.is_valid():
                channel, destination = self.channels[request.POST["action"]], form.cleaned_data["destination"]
                try:
                    codes.send(request, request.user, f"enrol:{self.kind}", channel, destination)
                except VerificationFailed as exc:
                    form.add_error(None, exc.message)
                else:
                    request.session[session_key] = {"destination": destination, "channel": channel}
                    return redirect("method_add", kind_name=self.kind)
            return render(request, template, {"form": form, "kind": self}, status=400)
        if pending and request.GET.get("change") is None:
            code_form = CodeForm(request.POST if request.method == "POST" else None)
            if request.method == "POST" and code_form.is_valid():
                try:
                    destination = codes.check(request.user, f"enrol:{self.kind}", code_form.cleaned_data["code"])
                except VerificationFailed as exc:
                    code_form.add_error("code", exc.message)
                else:
                    del request.session[session_key]
                    Method.objects.filter(user=request.user, kind=self.kind).delete()
                    method = Method.objects.create(user=request.user, kind=self.kind, destination=destination)
                    events.method_added(request, method)
                    return redirect("security_info")
            context = {"form": code_form, "sent_to": self.mask(pending["destination"]), "kind": self}
            return render(request, "methods/code_enrol.html", context, status=400 if code_form.errors else 200)
        request.session.pop(session_key, None)
        from sspr.accounts.auth import directory_profile

        form = self.destination_form(initial=self.prefill(directory_profile(request.user)))
        return render(request, template, {"form": form, "kind": self})

    def challenge(self, request, method, purpose, choice=""):
        channel = choice if choice in self.channels.values() else next(iter(self.channels.values()))
        codes.send(request, method.user, purpose, channel, method.destination)
        return {"form": CodeForm(), "sent_to": self.mask(method.destination), "channel": channel}

    def retry_context(self, request, method, purpose):
        return {"form": CodeForm(), "sent_to": self.mask(method.destination)}

    def verify(self, request, method, purpose):
        form = CodeForm(request.POST)
        if not form.is_valid():
            raise VerificationFailed(_("Enter the code we sent you."))
        if codes.check(method.user, purpose, form.cleaned_data["code"]) != method.destination:
            raise VerificationFailed(_("That code didn't work. Check it and try again, or ask for a new one."))
