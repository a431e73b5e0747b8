"""Sign-in, sign-out, My account and changing one's own password."""

from math import ceil

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sspr.directory.base import DirectoryUnavailable, UnknownUser
from sspr.flows import reauth
from sspr.flows import signin as signin_flow
from sspr.passwords import policy
from sspr.passwords.wordlists import suggest_passphrase
from sspr.reset import captcha
from sspr.services import passwords, people, signin, staff
from sspr.services.errors import (
    AccountBlocked,
    LockedOut,
    OldPasswordWrong,
    PasswordRefused,
    SignInRefused,
    TooManyAttempts,
)

from .actors import actor_of
from .forms import NewPasswordForm, PassSignInForm, PasswordChangeForm, SignInForm
from .second_step import after_signin, start_signin
from .sessions import SIGNED_IN_WITH_PASS, keep_this_session, sign_in, sign_out

FAMILIAR_COOKIE = "__Host-sspr_familiar" if settings.SECURE else "sspr_familiar"
PROOF_FORM = "signin"


def signin_page(request):
    if request.user.is_authenticated:
        return redirect("profile")
    if "cancel" in request.GET and (pending := signin_flow.pending(request.session)) is not None:
        pending.end()  # "Cancel" on the second step: the half-made sign-in is forgotten
    form = SignInForm(request.POST or None)
    actor = actor_of(request)
    if request.method != "POST":
        return render_signin(request, form, proof=signin.address_over_budget(actor, lately=True))
    try:
        familiar = form.is_valid() and signin.is_familiar(request.COOKIES.get(FAMILIAR_COOKIE, ""),
                                                          form.cleaned_data["user_id"])
        # A browser that solved the page's proof of work, or signed in here before, is let through
        # a busy address. Whether the address is busy, check_password decides with a fresh look
        # before any password is tried; a recent answer is enough to refuse early.
        vouched = familiar or solved_proof(request)
        if signin.address_over_budget(actor, lately=True):
            signin.refuse_if_address_blocked(actor, request.POST.get("user_id", ""), vouched=vouched)
        if not form.is_valid():
            return render_signin(request, form, status=400)
        user_id = form.cleaned_data["user_id"]
        user, must_change, groups = signin.check_password(actor, user_id, form.cleaned_data["password"],
                                                          vouched=vouched, familiar=familiar)
    except TooManyAttempts as exc:
        minutes = ceil(exc.retry_after.total_seconds() / 60) if exc.retry_after else 1
        form.add_error(None, ngettext(
            "Too many failed sign-ins from your network. Please try again in %(minutes)d minute, or sign in "
            "again now: your browser first does a short check.",
            "Too many failed sign-ins from your network. Please try again in %(minutes)d minutes, or sign in "
            "again now: your browser first does a short check.",
            minutes) % {"minutes": minutes})
        return render_signin(request, form, status=429, proof=True)
    except DirectoryUnavailable:
        form.add_error(None, _("We cannot check passwords right now. Please try again in a few minutes."))
        return render_signin(request, form, status=503)
    except LockedOut:
        return render_signin(request, form, status=400, locked=True)
    except SignInRefused:
        # One message for every failure, so the page never tells an unknown user, a wrong
        # password, a locked or a disabled account apart.
        form.add_error(None, _(
            "Your user ID or password is incorrect. If you forgot your password or your account is "
            "locked, contact your help desk."
        ))
        return render_signin(request, form, status=400, proof=signin.address_over_budget(actor))
    response = start_signin(request, user, must_change, groups)
    # The right password was shown from this browser: it is familiar from now on.
    token = signin.familiar_token(request.COOKIES.get(FAMILIAR_COOKIE, ""), user.user_id)
    response.set_cookie(FAMILIAR_COOKIE, token, max_age=signin.FAMILIAR_DAYS * 86400, secure=settings.SECURE,
                        httponly=True, samesite="Lax")
    return response


def solved_proof(request) -> bool:
    """On a busy address, a browser that did not sign this user ID in before goes on only with
    the proof of work the page gave it (spent, whatever the answer)."""
    return captcha.verify(request.session, PROOF_FORM, request.POST, mode="pow")


def render_signin(request, form, status=200, *, proof: bool = False, locked: bool = False):
    context = {"form": form, "domain_hints": settings.CONFIG.directory.domains, "locked": locked}
    if proof:
        context |= captcha.issue(request.session, PROOF_FORM, request.get_full_path(), mode="pow")
    return render(request, "accounts/signin.html", context, status=status)


def signin_pass(request):
    """Sign in with a Temporary Access Pass: the user ID and the pass, in place of the password
    and the second step. The sheet's QR code fills both from the address's fragment."""
    if request.user.is_authenticated:
        return redirect("profile")
    form = PassSignInForm(request.POST or None)
    actor = actor_of(request)
    if request.method != "POST":
        return render(request, "accounts/signin_pass.html", {"form": form})
    try:
        if not form.is_valid():
            signin.refuse_if_address_blocked(actor, request.POST.get("user_id", ""))
            return render(request, "accounts/signin_pass.html", {"form": form}, status=400)
        user, must_change = signin.check_pass(actor, form.cleaned_data["user_id"], form.cleaned_data["pass_code"])
    except TooManyAttempts:
        form.add_error(None, _("Too many failed sign-ins from your network. Please try again later."))
        return render(request, "accounts/signin_pass.html", {"form": form}, status=429)
    except DirectoryUnavailable:
        form.add_error(None, _("We cannot check passes right now. Please try again in a few minutes."))
        return render(request, "accounts/signin_pass.html", {"form": form}, status=503)
    except SignInRefused:
        form.add_error(None, _("That user ID and pass don't work together. Check both, or ask your teacher or "
                               "the help desk for a new pass."))
        return render(request, "accounts/signin_pass.html", {"form": form}, status=400)
    sign_in(request, user, must_change=must_change, detail=signin.WITH_PASS)
    request.session[SIGNED_IN_WITH_PASS] = True
    reauth.grant(request.session)  # the pass is a fresh proof: security info opens without asking again
    return redirect(after_signin(request, user))


@login_required
def profile(request):
    try:
        person = people.profile(request.user)
    except DirectoryUnavailable:
        messages.error(request, _("Your account details cannot be read right now. Please try again later."))
        person = None
    except UnknownUser:  # removed from the directory since signing in
        sign_out(request)
        return redirect("signin")
    return render(request, "accounts/profile.html", {
        "person": person, "staff": staff.Staff.of(person) if person is not None else None,
        "must_change_password": request.session.get("must_change_password", False),
    })


@require_POST
def signout(request):
    sign_out(request)
    messages.info(request, _("You have signed out."))
    return redirect("signin")


def sync_news(states) -> dict[str, list[str]]:
    """What the person is told of each sync target after a new password: "fine" (taken, or to
    follow in a few minutes) and "refused" sentences. The target's own words are for staff."""
    fine, refused = [], []
    for state in states:
        if state.done:
            fine.append(_("%(target)s was updated too.") % {"target": state.label})
        elif state.pending:
            fine.append(_("%(target)s will follow in a few minutes.") % {"target": state.label})
        else:
            refused.append(_("%(target)s did not take the new password, so your password there is still the old "
                             "one. Your help desk has been told.") % {"target": state.label})
    return {"fine": fine, "refused": refused}


def new_password_problems(form, person, *, old: str | None = None) -> None:
    """A form refused for another reason (the two passwords differ) still shows what the
    policy says of the new one, so the person fixes everything at once."""
    new = form.cleaned_data.get("new_password")
    if form.errors and new is not None and "new_password" not in form.errors:
        for problem in passwords.problems(person, new, old=old):
            form.add_error("new_password", problem)


@login_required
def password_change(request):
    person = people.profile(request.user)
    # Signed in with a Temporary Access Pass: the pass proved who they are, and they may not know
    # their password (that is often why they have a pass), so it is set without the old one, once.
    with_pass = request.session.get(SIGNED_IN_WITH_PASS, False)
    form = (NewPasswordForm if with_pass else PasswordChangeForm)(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                result = passwords.set_password(actor_of(request), person, form.cleaned_data["new_password"],
                                                old=form.cleaned_data.get("old_password"))
            except OldPasswordWrong:
                form.add_error("old_password", _("Your old password is incorrect."))
            except AccountBlocked:
                sign_out(request)
                messages.error(request, _("Your account is locked after too many incorrect passwords. Contact your "
                                          "help desk, or try again later."))
                return redirect("signin")
            except PasswordRefused as exc:
                for reason in exc.reasons:
                    form.add_error("new_password", reason)
            else:
                keep_this_session(request, request.user)
                forced = request.session.pop("must_change_password", False) or with_pass
                request.session.pop(SIGNED_IN_WITH_PASS, None)
                if result.targets:
                    told = sync_news(result.targets)
                    messages.success(request, " ".join([_("Your password was changed."), *told["fine"]]))
                    for trouble in told["refused"]:
                        messages.warning(request, trouble)
                else:
                    messages.success(request, _("You have successfully changed your password."))
                # A change the sign-in asked for goes on where the sign-in would have (registering
                # security info, for a new student); a change of one's own accord, back to My account.
                return redirect(after_signin(request, request.user) if forced else "profile")
        else:
            new_password_problems(form, person, old=form.cleaned_data.get("old_password"))
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/password_change.html", {
        "form": form, "person": person, "rules": policy.requirements(people.policy_person(person)),
        "with_pass": with_pass, "must_change": request.session.get("must_change_password", False),
    }, status=status)


@login_required
@require_POST
def password_check(request):
    return live_check(request, str(request.user.pk), people.profile(request.user))


def live_check(request, key: str, person):
    try:
        results = passwords.live_check(key, person, request.POST.get("password", ""))
    except TooManyAttempts:
        return JsonResponse({"error": _("Too many checks; the rules are checked again when you submit.")},
                            status=429)
    return JsonResponse({"rules": [{"rule": r.rule, "passed": r.passed, "message": r.message} for r in results]})


def password_idea(request):
    idea = suggest_passphrase(language=get_language() or "en")
    if request.GET.get("format") == "json":
        return JsonResponse({"idea": idea})
    return render(request, "accounts/password_idea.html", {"idea": idea})
