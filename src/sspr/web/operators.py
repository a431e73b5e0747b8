"""The operators' admin: Django's admin pages behind our own sign-in. The password (with its
limits and lockout) and then the code of an authenticator app, both checked by
sspr.services.operators; only then does Django's login() make the session, with
OperatorBackend. The admin itself is for operators who are superusers, signed in this way."""

from math import ceil

from django import forms
from django.contrib import admin, auth, messages
from django.contrib.auth import BACKEND_SESSION_KEY, REDIRECT_FIELD_NAME
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from sspr.accounts.auth import OPERATOR_BACKEND
from sspr.actors import Actor
from sspr.audit.models import Reason
from sspr.flows import operator_signin
from sspr.flows.engine import FlowRefused
from sspr.services import operators
from sspr.services.errors import (
    OperatorLocked,
    SecondStepFailed,
    SecondStepMissing,
    SignInRefused,
    TooManyAttempts,
)

from .methods.totp import AppCodeForm

# Set when both steps passed; the admin asks for it (with the operators' backend) on every page.
VERIFIED = "operator_second_step"


class OperatorSignInForm(forms.Form):
    # Named as Django's admin/login.html expects.
    username = forms.CharField(
        label=gettext_lazy("User ID"), max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username", "autocapitalize": "none",
                                      "spellcheck": "false"}))
    password = forms.CharField(label=gettext_lazy("Password"), max_length=1024, strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


def operator_actor(request, user_id: str = "") -> Actor:
    return Actor.operator(user_id, client_ip=getattr(request, "client_ip", None),
                          user_agent=request.META.get("HTTP_USER_AGENT", ""))


def minutes(wait) -> int:
    return max(1, ceil(wait.total_seconds() / 60)) if wait else 1


def too_many_from_network(wait) -> str:
    return ngettext(
        "Too many sign-in attempts from your network. Please try again in %(minutes)d minute.",
        "Too many sign-in attempts from your network. Please try again in %(minutes)d minutes.",
        minutes(wait)) % {"minutes": minutes(wait)}


def locked(wait) -> str:
    return ngettext(
        "Too many failed sign-ins for this operator account. Its sign-in is locked; please try again in "
        "%(minutes)d minute.",
        "Too many failed sign-ins for this operator account. Its sign-in is locked; please try again in "
        "%(minutes)d minutes.",
        minutes(wait)) % {"minutes": minutes(wait)}


def code_problem(reason: Reason) -> str:
    if reason == Reason.ALREADY_USED:
        return _("That code was already used. Wait for your app to show a new code, then enter it.")
    if reason == Reason.WRONG_ANSWER:
        return _("That code didn't work. Enter the code your authenticator app shows now.")
    return _("The authenticator app of this operator account cannot be checked. Set it up again on the "
             "server with: sspr createadmin --authenticator USER_ID")


class OperatorAdminSite(admin.AdminSite):
    login_template = "admin/login.html"
    code_template = "admin/login_code.html"

    def has_permission(self, request):
        user = request.user
        return bool(user.is_active and user.is_authenticated and getattr(user, "is_operator", False)
                    and user.is_staff and user.is_superuser
                    and request.session.get(BACKEND_SESSION_KEY) == OPERATOR_BACKEND
                    and request.session.get(VERIFIED))

    def get_urls(self):
        return [path("login/code/", self.login_code, name="login_code"), *super().get_urls()]

    def next_url(self, request) -> str:
        """Where to go once signed in: an admin page of ours, or the admin's index."""
        index = reverse("admin:index", current_app=self.name)
        wanted = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME) or ""
        if wanted.startswith(index) and url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()},
                                                                        require_https=request.is_secure()):
            return wanted
        return index

    @method_decorator(sensitive_post_parameters("password"))
    @method_decorator(never_cache)
    def login(self, request, extra_context=None):
        """The first step: user ID and password."""
        next_url = self.next_url(request)
        if request.method == "GET" and self.has_permission(request):
            return redirect(next_url)
        form = OperatorSignInForm(request.POST if request.method == "POST" else None)
        if request.method != "POST":
            return self.render_login(request, form, next_url, extra_context)
        if not form.is_valid():
            return self.render_login(request, form, next_url, extra_context, status=400)
        user_id, password = form.cleaned_data["username"], form.cleaned_data["password"]
        try:
            operator = operators.check_password(operator_actor(request), user_id, password)
        except TooManyAttempts as exc:
            form.add_error(None, too_many_from_network(exc.retry_after))
            status = 429
        except OperatorLocked as exc:
            form.add_error(None, locked(exc.retry_after))
            status = 429
        except SignInRefused:
            form.add_error(None, _("Your user ID or password is incorrect, or this account may not use the admin."))
            status = 400
        except SecondStepMissing:
            form.add_error(None, _("No authenticator app is set up for this operator account. Set one up on the "
                                   "server with: sspr createadmin --authenticator %(user_id)s")
                           % {"user_id": operators.operator_key(user_id)})
            status = 403
        else:
            request.session.cycle_key()
            operator_signin.begin(request.session, operator, next_url=next_url)
            return redirect(reverse("admin:login_code", current_app=self.name))
        return self.render_login(request, form, next_url, extra_context, status=status)

    def render_login(self, request, form, next_url, extra_context=None, status=200):
        context = {
            **self.each_context(request),
            "title": _("Log in"),
            "subtitle": None,
            "app_path": request.get_full_path(),
            "username": request.user.get_username(),
            "form": form,
            REDIRECT_FIELD_NAME: next_url,
            **(extra_context or {}),
        }
        request.current_app = self.name
        return render(request, self.login_template, context, status=status)

    @method_decorator(never_cache)
    def login_code(self, request):
        """The second step: the code the operator's authenticator app shows."""
        flow = operator_signin.pending(request.session)
        login_url = reverse("admin:login", current_app=self.name)
        if flow is None:
            if request.method == "POST":
                messages.error(request, _("Your sign-in timed out. Please sign in again."))
            return redirect(login_url)
        form = AppCodeForm(request.POST if request.method == "POST" else None)
        status = 200
        if request.method == "POST":
            status = 400
            if form.is_valid():
                try:
                    operator = operator_signin.check_code(flow, operator_actor(request), form.cleaned_data["code"])
                except TooManyAttempts as exc:
                    form.add_error(None, too_many_from_network(exc.retry_after))
                    status = 429
                except OperatorLocked as exc:
                    # The flow has ended: the password is asked for again, once the lock is over.
                    return self.render_login(request, OperatorSignInForm(initial={"username": flow.user_id}),
                                             flow.get("next") or login_url, {"refusal": locked(exc.retry_after)},
                                             status=429)
                except SecondStepFailed as exc:
                    form.add_error("code", code_problem(exc.reason))
                except FlowRefused:
                    return redirect(login_url)
                else:
                    auth.login(request, operator, backend=OPERATOR_BACKEND)  # a new session key
                    request.session[VERIFIED] = "totp"
                    return redirect(flow.get("next") or reverse("admin:index", current_app=self.name))
        request.current_app = self.name
        return render(request, self.code_template, {
            **self.each_context(request),
            "title": _("Verification code"),
            "subtitle": None,
            "app_path": request.get_full_path(),
            "form": form,
            "operator": flow.user_id,
            "restart_url": login_url,
        }, status=status)

    def logout(self, request, extra_context=None):
        if request.method == "POST" and request.user.is_authenticated and getattr(request.user, "is_operator", False):
            operators.signed_out(operator_actor(request, request.user.user_id), request.user)
        return super().logout(request, extra_context)
