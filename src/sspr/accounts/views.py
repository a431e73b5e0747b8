from datetime import timedelta
from math import ceil

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from sspr.audit.models import Tag, record
from sspr.directory import get_directory
from sspr.directory.base import (
    AccountDisabled,
    AccountLocked,
    BadCredentials,
    DirectoryUnavailable,
    PasswordMustChange,
    PasswordRejected,
    UnknownUser,
)
from sspr.limits.limit import Limit
from sspr.methods.views import start_signin
from sspr.passwords import policy
from sspr.passwords.wordlists import suggest_passphrase

from .auth import directory_profile, local_user, password_was_set, sign_out
from .forms import PasswordChangeForm, SignInForm
from .models import User


# Generous: one check per pause in typing; the point is to stop a script using us as an oracle.
password_checks_per_user = Limit("password-check:user", 300, timedelta(minutes=10))


def signin_failures_per_ip() -> Limit:
    limits = settings.CONFIG.limits
    return Limit("signin:ip", limits.signin_failures_per_ip, timedelta(minutes=limits.signin_window_minutes))


def signin(request):
    if request.user.is_authenticated:
        return redirect("profile")
    form = SignInForm(request.POST or None)
    if request.method != "POST":
        return render_signin(request, form)
    ip, ip_limit = request.client_ip or "unknown", signin_failures_per_ip()
    if wait := ip_limit.retry_after(ip):
        record(request, Tag.SIGNIN_FAILURE, subject=request.POST.get("user_id", ""), outcome="refused",
               detail={"reason": "too many failures from this address"})
        minutes = ceil(wait.total_seconds() / 60)
        form.add_error(None, ngettext(
            "Too many failed sign-ins from your network. Please try again in %(minutes)d minute.",
            "Too many failed sign-ins from your network. Please try again in %(minutes)d minutes.",
            minutes) % {"minutes": minutes})
        return render_signin(request, form, status=429)
    if not form.is_valid():
        return render_signin(request, form, status=400)
    try:
        user, must_change = authenticate(request, form.cleaned_data["user_id"], form.cleaned_data["password"])
    except DirectoryUnavailable:
        form.add_error(None, _("We cannot check passwords right now. Please try again in a few minutes."))
        return render_signin(request, form, status=503)
    if user is None:
        ip_limit.hit(ip)
        # One message for every failure, so the page never tells an unknown user, a wrong
        # password, a locked or a disabled account apart.
        form.add_error(None, _(
            "Your user ID or password is incorrect. If you forgot your password or your account is "
            "locked, contact your help desk."
        ))
        return render_signin(request, form, status=400)
    return start_signin(request, user, must_change)


def authenticate(request, user_id, password) -> tuple[User | None, bool]:
    """(the local user, must change password); (None, False) for every kind of refusal."""
    try:
        person, must_change = get_directory().authenticate(user_id, password), False
    except PasswordMustChange as exc:
        person, must_change = exc.user, True
    except (BadCredentials, AccountLocked, AccountDisabled) as exc:
        record(request, Tag.SIGNIN_FAILURE, subject=user_id, outcome="failure", detail={"reason": type(exc).__name__})
        return None, False
    except DirectoryUnavailable:
        record(request, Tag.SIGNIN_FAILURE, subject=user_id, outcome="error", detail={"reason": "unavailable"})
        raise
    user = local_user(person)
    if user is None:
        record(request, Tag.SIGNIN_FAILURE, subject=user_id, outcome="failure", detail={"reason": "operator account"})
    return user, must_change


def render_signin(request, form, status=200):
    context = {"form": form, "domain_hints": settings.CONFIG.directory.domains}
    return render(request, "accounts/signin.html", context, status=status)


@login_required
def profile(request):
    try:
        person = directory_profile(request.user)
    except DirectoryUnavailable:
        messages.error(request, _("Your account details cannot be read right now. Please try again later."))
        person = None
    except UnknownUser:  # removed from the directory since signing in
        sign_out(request)
        return redirect("signin")
    return render(request, "accounts/profile.html", {
        "person": person,
        "must_change_password": request.session.get("must_change_password", False),
    })


@require_POST
def signout(request):
    sign_out(request)
    messages.info(request, _("You have signed out."))
    return redirect("signin")


def policy_person(person) -> policy.Person:
    return policy.Person(user_id=person.user_id, display_name=person.display_name, groups=tuple(person.groups))


@login_required
def password_change(request):
    person = directory_profile(request.user)
    form = PasswordChangeForm(policy_person(person), request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            get_directory().change_password(person.user_id, form.cleaned_data["old_password"],
                                            form.cleaned_data["new_password"])
        except BadCredentials:
            record(request, Tag.PASSWORD_CHANGE, subject=person.user_id, actor=person.user_id, outcome="failure",
                   detail={"reason": "old password incorrect"})
            form.add_error("old_password", _("Your old password is incorrect."))
        except (AccountLocked, AccountDisabled):
            record(request, Tag.PASSWORD_CHANGE, subject=person.user_id, actor=person.user_id, outcome="failure",
                   detail={"reason": "account locked"})
            sign_out(request)
            messages.error(request, _("Your account is locked after too many incorrect passwords. Contact your "
                                      "help desk, or try again later."))
            return redirect("signin")
        except PasswordRejected as exc:
            for reason in exc.reasons:
                form.add_error("new_password", reason)
        else:
            password_was_set(request, person, Tag.PASSWORD_CHANGE, keep_this_session=True)
            request.session.pop("must_change_password", None)
            messages.success(request, _("You have successfully changed your password."))
            return redirect("profile")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/password_change.html", {
        "form": form, "person": person, "rules": policy.requirements(policy_person(person)),
    }, status=status)


@login_required
@require_POST
def password_check(request):
    return live_check(request, str(request.user.pk), policy_person(directory_profile(request.user)))


def live_check(request, key: str, person: policy.Person):
    """The live checklist: the same rules as on submit, asked while the person types, with a
    limit per person so the endpoint cannot serve a script as an oracle."""
    if password_checks_per_user.retry_after(key):
        return JsonResponse({"error": _("Too many checks; the rules are checked again when you submit.")},
                            status=429)
    password_checks_per_user.hit(key)
    results = policy.check(request.POST.get("password", "")[:2048], person)
    return JsonResponse({"rules": [{"rule": r.rule, "passed": r.passed, "message": r.message} for r in results]})


def password_idea(request):
    idea = suggest_passphrase()
    if request.GET.get("format") == "json":
        return JsonResponse({"idea": idea})
    return render(request, "accounts/password_idea.html", {"idea": idea})
