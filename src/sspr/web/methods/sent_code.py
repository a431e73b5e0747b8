"""Registration of a method proved by a code we send (phone, email): the destination, then the
code sent there. Shared by the phone and email adapters."""

from django.shortcuts import redirect, render
from django.utils.translation import get_language

from sspr.methods.base import VerificationFailed
from sspr.methods.kinds import kind
from sspr.services import methods, people

from ..actors import actor_of
from . import CodeForm, added

verify_template = "methods/code_verify.html"


def answer_form(display, data=None):
    return CodeForm(data)


def enrol(request, kind_name: str, destination_form):
    the_kind = kind(kind_name)
    session_key, template = f"enrol_{the_kind.kind}", f"methods/{the_kind.kind}_enrol.html"
    pending = request.session.get(session_key)
    actor = actor_of(request)
    if request.method == "POST" and request.POST.get("action") in the_kind.channels:
        form = destination_form(request.POST)
        if form.is_valid():
            channel, destination = the_kind.channels[request.POST["action"]], form.cleaned_data["destination"]
            try:
                the_kind.send_enrolment_code(actor, request.user, channel, destination, language=get_language() or "")
            except VerificationFailed as exc:
                form.add_error(None, exc.message)
            else:
                request.session[session_key] = {"destination": destination, "channel": channel}
                return redirect("method_add", kind_name=the_kind.kind)
        return render(request, template, {"form": form, "kind": the_kind}, status=400)
    if pending and request.GET.get("change") is None:
        code_form = CodeForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and code_form.is_valid():
            try:
                destination = the_kind.confirm_enrolment(request.user, code_form.cleaned_data["code"])
            except VerificationFailed as exc:
                code_form.add_error("code", exc.message)
            else:
                del request.session[session_key]
                return added(request, methods.add_method(actor, request.user, the_kind.kind, destination=destination))
        context = {"form": code_form, "sent_to": the_kind.mask(pending["destination"]), "kind": the_kind,
                   "channel": pending["channel"]}
        return render(request, "methods/code_enrol.html", context, status=400 if code_form.errors else 200)
    request.session.pop(session_key, None)
    form = destination_form(initial=the_kind.prefill(people.profile(request.user)))
    return render(request, template, {"form": form, "kind": the_kind})
