"""The verification page of the sign-in second step and of re-authentication before security
info, and where a fresh sign-in goes next."""

from datetime import timedelta

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language

from sspr.flows import console_access, reauth, signin
from sspr.methods import devices
from sspr.methods.models import Method
from sspr.methods.rules import registered_count, rules_for
from sspr.services import people

from .actors import actor_of
from .sessions import sign_in
from .verification import verification_page

DEVICE_COOKIE = "__Host-sspr_device" if settings.SECURE else "sspr_device"


def groups_of(user):
    """The person's directory groups, looked up once per request: one user object serves one
    request, and a page may ask for several rules (allowed methods, remembering, registration)."""
    if not hasattr(user, "_directory_groups"):
        user._directory_groups = tuple(people.profile(user).groups)
    return user._directory_groups


def start_signin(request, user, must_change: bool, groups: tuple[str, ...]):
    """After the password: sign in at once, or ask for the second step first. groups: the
    person's, as the directory said them with the password (not read a second time)."""
    user._directory_groups = groups
    if not signin.needs_second_step(user, groups, request.COOKIES.get(DEVICE_COOKIE, "")):
        sign_in(request, user, must_change=must_change)
        return redirect(after_signin(request, user))
    request.session.cycle_key()
    signin.begin(request.session, user, groups, must_change=must_change)
    return redirect("verify")


def verify(request):
    actor, language = actor_of(request), get_language() or ""
    flow = reauth.pending(request.session, request.user) if request.user.is_authenticated else None
    plan = reauth if flow is not None else signin
    flow = flow or signin.pending(request.session)
    if flow is None:
        return redirect("signin")
    verification = plan.verification(flow, actor, language=language)
    remember_days = devices.may_remember(actor, flow.get("groups", [])) if plan is signin else 0
    outcome = verification_page(request, verification, template="methods/verify.html",
                                context={"purpose": plan.PLAN, "remember_days": remember_days})
    if not isinstance(outcome, Method):
        return outcome
    if plan is reauth:
        reauth.finish(flow, outcome)
        request.session.cycle_key()  # the session may now change security info: a new key
        return redirect("security_info")
    must_change = flow.get("must_change", False)
    user = signin.finish(flow, outcome)
    if user is None:
        return redirect("signin")
    sign_in(request, user, must_change=must_change)
    console_access.proved(request.session, outcome)
    # A sign-in that has just passed a second step is fresh enough for security info: asking for
    # the password and a code again, a minute later, is four prompts in a row.
    reauth.grant(request.session)
    response = redirect(after_signin(request, user))
    if remember_days and request.POST.get("remember") == "on":
        token = devices.remember(actor, user, remember_days)
        response.set_cookie(DEVICE_COOKIE, token, max_age=remember_days * 86400, secure=settings.SECURE,
                            httponly=True, samesite="Lax")
    return response


def after_signin(request, user) -> str:
    """Where a fresh sign-in goes: change an expired password, register missing security info
    (skippable a few times), confirm old security info, or My account."""
    if request.session.get("must_change_password"):
        return reverse("password_change")
    rules, config = rules_for(groups_of(user)), settings.CONFIG.methods
    count = registered_count(user.methods.values_list("kind", flat=True), rules)
    if config.require_registration and count < rules.required:
        return reverse("security_info_interrupt")
    confirmed = user.security_info_confirmed_at
    if count and config.reconfirm_days and (confirmed is None or
                                            confirmed < timezone.now() - timedelta(days=config.reconfirm_days)):
        return reverse("security_info_reconfirm")
    return reverse("profile")
