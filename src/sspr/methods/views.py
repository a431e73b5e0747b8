"""Security info (registering methods) and the verification page shared by the sign-in second
step and by re-authentication before security info changes."""

import time
from datetime import timedelta
from functools import wraps

from django import forms
from django.contrib import messages
from django.db.models import F
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from sspr.accounts.auth import directory_profile, sign_in
from sspr.accounts.models import User
from sspr.audit.models import Tag, record
from sspr.directory import get_directory
from sspr.directory.base import DirectoryError, PasswordMustChange

from . import devices, events
from .base import VerificationFailed, attach_error
from .kinds import KINDS, kind
from .models import Method, RememberedDevice
from .rules import rules_for

FRESH_SECONDS = 15 * 60      # how long a re-entered password opens security info
PENDING_SECONDS = 10 * 60    # how long a half-finished sign-in waits for its second step


def groups_of(user):
    """The person's directory groups, looked up once per request: one user object serves one
    request, and a page may ask for several rules (allowed methods, remembering, registration)."""
    if not hasattr(user, "_directory_groups"):
        user._directory_groups = tuple(directory_profile(user).groups)
    return user._directory_groups


def usable_methods(user, purpose: str):
    allowed = set(rules_for(groups_of(user)).allowed)
    methods = [m for m in user.methods.all() if m.kind in allowed]
    if purpose == "signin" or purpose == "security-info":
        methods = [m for m in methods if kind(m.kind).usable_for_signin]
    return sorted(methods, key=lambda m: -kind(m.kind).strength)


def fresh_security_info(view):
    """Security info opens only after the password was re-entered (and a second factor passed,
    for someone who has one) within the last few minutes."""
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.session.get("security_info_until", 0) < time.time():
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
        try:
            get_directory().authenticate(request.user.user_id, form.cleaned_data["password"])
        except PasswordMustChange:
            pass
        except DirectoryError:
            form.add_error("password", _("Your password is incorrect."))
            return render(request, "methods/confirm_password.html", {"form": form}, status=400)
        if usable_methods(request.user, "security-info"):
            request.session["verification"] = {"purpose": "security-info", "user": request.user.pk,
                                               "started": time.time()}
            return redirect("verify")
        request.session["security_info_until"] = time.time() + FRESH_SECONDS
        return redirect("security_info")
    return render(request, "methods/confirm_password.html", {"form": form})


@fresh_security_info
def security_info(request):
    rules = rules_for(groups_of(request.user))
    methods = list(request.user.methods.all())
    registered = {m.kind for m in methods}
    rows = [{"kind": kind(name), "methods": [m for m in methods if m.kind == name]} for name in KINDS
            if name in rules.allowed]
    return render(request, "methods/security_info.html", {
        "rows": rows, "required": rules.required, "count": len(registered & set(rules.allowed)),
        "devices": request.user.devices.filter(expires_at__gt=timezone.now()),
    })


@fresh_security_info
@require_POST
def security_info_finish(request):
    rules = rules_for(groups_of(request.user))
    count = len({m.kind for m in request.user.methods.all()} & set(rules.allowed))
    if count < rules.required:
        messages.error(request, ngettext("Set up at least %(n)d method before you finish.",
                                         "Set up at least %(n)d methods before you finish.",
                                         rules.required) % {"n": rules.required})
        return redirect("security_info")
    User.objects.filter(pk=request.user.pk).update(security_info_confirmed_at=timezone.now())
    messages.success(request, _("You have successfully completed registration."))
    return redirect("profile")


@fresh_security_info
def method_add(request, kind_name):
    if kind_name not in KINDS or kind_name not in rules_for(groups_of(request.user)).allowed:
        raise Http404
    return kind(kind_name).enrol(request)


@fresh_security_info
@require_POST
def method_remove(request, pk):
    method = get_object_or_404(Method, pk=pk, user=request.user)
    method.delete()
    events.method_removed(request, method)
    messages.success(request, _("%(method)s was removed.") % {"method": kind(method.kind).label})
    return redirect("security_info")


@fresh_security_info
@require_POST
def device_forget(request, pk):
    get_object_or_404(RememberedDevice, pk=pk, user=request.user).delete()
    messages.success(request, _("That device will ask for the second step again."))
    return redirect("security_info")


def verification_state(request):
    """The verification in progress and whose it is; None when there is none (or it expired)."""
    state = request.session.get("verification")
    if not state or state["started"] + PENDING_SECONDS < time.time():
        request.session.pop("verification", None)
        return None, None
    if state["purpose"] == "security-info" and (not request.user.is_authenticated or
                                                 request.user.pk != state["user"]):
        return None, None
    return state, User.objects.filter(pk=state["user"], is_active=True).first()


def verify(request):
    state, user = verification_state(request)
    if state is None or user is None:
        return redirect("signin")
    purpose, options = state["purpose"], []
    methods = usable_methods(user, purpose)
    for method in methods:
        options += [(f"{method.pk}:{choice}", label) for choice, label in kind(method.kind).options(method)]
    context = {"options": options, "purpose": purpose, "state": state,
               "remember_days": devices.may_remember(request, user, groups_of(user)) if purpose == "signin" else 0}
    chosen = next((m for m in methods if m.pk == state.get("method")), None)
    try:
        if request.method == "POST" and request.POST.get("action") == "choose":
            method_id, _sep, choice = request.POST.get("option", "").partition(":")
            chosen = next((m for m in methods if str(m.pk) == method_id), None)
            if chosen is None:
                raise VerificationFailed(_("Choose how you want to verify your identity."))
            state.update(method=chosen.pk, choice=choice)
            request.session["verification"] = state
            context.update(kind(chosen.kind).challenge(request, chosen, purpose, choice))
            return render(request, "methods/verify.html", context | {"method": chosen, "kind": kind(chosen.kind)})
        if request.method == "POST" and request.POST.get("action") == "verify" and chosen is not None:
            kind(chosen.kind).verify(request, chosen, purpose)
            return verified(request, user, chosen, state)
    except VerificationFailed as exc:
        record(request, Tag.VERIFY_FAILURE, subject=user.user_id, outcome="failure",
               detail={"purpose": purpose, "kind": chosen.kind if chosen else ""})
        context["error"] = exc.message
        if chosen is not None and request.POST.get("action") == "verify":
            context |= {"method": chosen, "kind": kind(chosen.kind)}
            context |= attach_error(kind(chosen.kind).retry_context(request, chosen, purpose), exc.message, request.POST)
        return render(request, "methods/verify.html", context, status=400)
    if request.GET.get("another") is not None:
        state.pop("method", None)
        request.session["verification"] = state
    return render(request, "methods/verify.html", context)


def verified(request, user, method, state):
    Method.objects.filter(pk=method.pk).update(last_used_at=timezone.now())
    request.session.pop("verification", None)
    record(request, Tag.VERIFY_SUCCESS, subject=user.user_id, detail={"purpose": state["purpose"],
                                                                          "kind": method.kind})
    if state["purpose"] == "security-info":
        request.session["security_info_until"] = time.time() + FRESH_SECONDS
        return redirect("security_info")
    pending = request.session.pop("pending_signin", None) or {}
    sign_in(request, user)
    request.session["must_change_password"] = pending.get("must_change", False)
    response = redirect(after_signin(request, user))
    days = devices.may_remember(request, user, groups_of(user))
    if days and request.POST.get("remember") == "on":
        devices.remember(request, response, user, days)
    return response


def start_signin(request, user, must_change: bool):
    """After the password: sign in at once, or ask for the second step first."""
    if not usable_methods(user, "signin") or devices.is_remembered(request, user):
        sign_in(request, user)
        request.session["must_change_password"] = must_change
        return redirect(after_signin(request, user))
    request.session.cycle_key()
    request.session["pending_signin"] = {"user": user.pk, "must_change": must_change}
    request.session["verification"] = {"purpose": "signin", "user": user.pk, "started": time.time()}
    return redirect("verify")


def after_signin(request, user) -> str:
    """Where a fresh sign-in goes: change an expired password, register missing security info
    (skippable a few times), confirm old security info, or My account."""
    from django.conf import settings
    from django.urls import reverse

    if request.session.get("must_change_password"):
        return reverse("password_change")
    rules, config = rules_for(groups_of(user)), settings.CONFIG.methods
    count = len({m.kind for m in user.methods.all()} & set(rules.allowed))
    if config.require_registration and count < rules.required:
        return reverse("security_info_interrupt")
    confirmed = user.security_info_confirmed_at
    if count and config.reconfirm_days and (confirmed is None or
                                            confirmed < timezone.now() - timedelta(days=config.reconfirm_days)):
        return reverse("security_info_reconfirm")
    return reverse("profile")


@login_required
def security_info_interrupt(request):
    from django.conf import settings

    left = max(settings.CONFIG.methods.registration_skips - request.user.registration_skips, 0)
    if request.method == "POST" and left > 0:
        User.objects.filter(pk=request.user.pk).update(registration_skips=F("registration_skips") + 1)
        return redirect("profile")
    return render(request, "methods/interrupt.html", {"left": left, "required": rules_for(groups_of(request.user)).required})


@login_required
def security_info_reconfirm(request):
    if request.method == "POST":
        User.objects.filter(pk=request.user.pk).update(security_info_confirmed_at=timezone.now())
        return redirect("profile")
    methods = [(kind(m.kind), m) for m in request.user.methods.all()]
    return render(request, "methods/reconfirm.html", {"methods": methods})
