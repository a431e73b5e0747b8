from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sspr.audit.models import Tag, record
from sspr.directory import get_directory
from sspr.directory.base import (
    AccountDisabled,
    AccountLocked,
    BadCredentials,
    DirectoryUnavailable,
    PasswordMustChange,
    UnknownUser,
)

from .auth import directory_profile, local_user, sign_in, sign_out
from .forms import SignInForm


def signin(request):
    if request.user.is_authenticated:
        return redirect("profile")
    form = SignInForm(request.POST or None)
    # Any POST that does not sign in answers 400, whatever the reason.
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        user_id = form.cleaned_data["user_id"]
        try:
            person = get_directory().authenticate(user_id, form.cleaned_data["password"])
            must_change = False
        except PasswordMustChange as exc:
            person, must_change = exc.user, True
        except (BadCredentials, AccountLocked, AccountDisabled) as exc:
            record(request, Tag.SIGNIN_FAILURE, subject=user_id, outcome="failure",
                   detail={"reason": type(exc).__name__})
            person = None
        except DirectoryUnavailable:
            record(request, Tag.SIGNIN_FAILURE, subject=user_id, outcome="error", detail={"reason": "unavailable"})
            form.add_error(None, _("We cannot check passwords right now. Please try again in a few minutes."))
            return render(request, "accounts/signin.html", {"form": form}, status=503)
        user = local_user(person) if person else None
        if user is not None:
            sign_in(request, user)
            request.session["must_change_password"] = must_change
            return redirect("profile")
        if person is not None:  # a directory account clashing with an operator's row
            record(request, Tag.SIGNIN_FAILURE, subject=user_id, outcome="failure", detail={"reason": "operator"})
        # One message for every failure, so the page never tells an unknown user, a wrong
        # password, a locked or a disabled account apart.
        form.add_error(None, _(
            "Your user ID or password is incorrect. If you forgot your password or your account is "
            "locked, contact your help desk."
        ))
    return render(request, "accounts/signin.html", {"form": form, "domain_hints": settings.CONFIG.directory.domains}, status=status)


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
