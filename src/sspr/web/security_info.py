"""Security info: registering and removing methods, opened by re-entering the password (plus a
second step for someone who has one)."""

from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from sspr.flows import reauth
from sspr.methods.kinds import KINDS, kind
from sspr.methods.rules import registered_count, rules_for
from sspr.services import methods, signin

from .actors import actor_of
from .methods import adapter
from .second_step import groups_of


def fresh_security_info(view):
    """Security info opens only after the password was re-entered (and a second factor passed,
    for someone who has one) within the last few minutes."""
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not reauth.is_fresh(request.session):
            return redirect("security_info_confirm")
        return view(request, *args, **kwargs)
    return login_required(wrapper)


class ConfirmPasswordForm(forms.Form):
    password = forms.CharField(label=gettext_lazy("Password"), strip=False, max_length=1024,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


@login_required
def security_info_confirm(request):
    form = ConfirmPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not signin.confirm_password(actor_of(request), request.user, form.cleaned_data["password"]):
            form.add_error("password", _("Your password is incorrect."))
            return render(request, "methods/confirm_password.html", {"form": form}, status=400)
        if reauth.password_confirmed(request.session, request.user, groups_of(request.user)) is not None:
            return redirect("verify")
        return redirect("security_info")
    return render(request, "methods/confirm_password.html", {"form": form})


@fresh_security_info
def security_info(request):
    rules = rules_for(groups_of(request.user))
    registered = list(request.user.methods.all())
    rows = [{"kind": kind(name), "methods": [m for m in registered if m.kind == name]} for name in KINDS
            if name in rules.allowed]
    return render(request, "methods/security_info.html", {
        "rows": rows, "required": rules.required, "count": registered_count((m.kind for m in registered), rules),
        "devices": request.user.devices.filter(expires_at__gt=timezone.now()),
    })


@fresh_security_info
@require_POST
def security_info_finish(request):
    rules = rules_for(groups_of(request.user))
    if registered_count(request.user.methods.values_list("kind", flat=True), rules) < rules.required:
        messages.error(request, ngettext("Set up at least %(n)d method before you finish.",
                                         "Set up at least %(n)d methods before you finish.",
                                         rules.required) % {"n": rules.required})
        return redirect("security_info")
    methods.confirm_current(actor_of(request), request.user)
    messages.success(request, _("You have successfully completed registration."))
    return redirect("profile")


@fresh_security_info
def method_add(request, kind_name):
    if kind_name not in KINDS or kind_name not in rules_for(groups_of(request.user)).allowed:
        raise Http404
    return adapter(kind_name).enrol(request)


@fresh_security_info
@require_POST
def method_remove(request, pk):
    method = methods.remove_method(actor_of(request), request.user, pk)
    if method is None:
        raise Http404
    messages.success(request, _("%(method)s was removed.") % {"method": kind(method.kind).label})
    return redirect("security_info")


@fresh_security_info
@require_POST
def device_forget(request, pk):
    if not methods.forget_device(actor_of(request), request.user, pk):
        raise Http404
    messages.success(request, _("That device will ask for the second step again."))
    return redirect("security_info")


@login_required
def security_info_interrupt(request):
    if request.method == "POST" and methods.skip_registration(actor_of(request), request.user):
        return redirect("profile")
    left = methods.skips_left(request.user)
    return render(request, "methods/interrupt.html", {"left": left,
                                                       "required": rules_for(groups_of(request.user)).required})


@login_required
def security_info_reconfirm(request):
    if request.method == "POST":
        methods.confirm_current(actor_of(request), request.user)
        return redirect("profile")
    registered = [(kind(m.kind), m) for m in request.user.methods.all()]
    return render(request, "methods/reconfirm.html", {"methods": registered})
