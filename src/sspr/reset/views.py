"""Get back into your account: "Who are you?", "Why are you having trouble signing in?", one or
two verification steps, then a new password (or the unlock). Each view asks the plan whether its
step is the current one; a flow for a user ID we cannot help runs on stand-in methods."""

from datetime import timedelta
from functools import wraps

from django import forms
from django.conf import settings
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from sspr.accounts.auth import password_was_set
from sspr.accounts.forms import NewPasswordForm, complete_user_id
from sspr.accounts.models import User
from sspr.accounts.notify import notify_account_change
from sspr.accounts.views import live_check, policy_person
from sspr.audit.models import Tag, record
from sspr.directory import get_directory
from sspr.directory.base import DirectoryUnavailable, PasswordRejected, UnknownUser
from sspr.limits.limit import Limit
from sspr.methods.base import VerificationFailed, attach_error
from sspr.methods.kinds import kind
from sspr.methods.kinds.phone import PhoneForm
from sspr.methods.models import Method
from sspr.methods.codes import wait_message
from sspr.methods.rules import failures_per_account, rules_for, sends_per_account
from sspr.passwords import policy

from . import captcha, plan
from .decoys import decoy_methods

STRONG = {"totp", "passkey"}
NOT_RECEIVED = gettext_lazy("That code didn't work. Check it and try again, or ask for a new one.")


def resets_per_user_id() -> Limit:
    config = settings.CONFIG.reset
    return Limit("reset:user", config.resets_per_day, timedelta(hours=24))


def resets_per_ip() -> Limit:
    config = settings.CONFIG.reset
    return Limit("reset:ip", config.resets_per_ip_per_hour, timedelta(hours=1))


def step(name):
    """Run the view only when the flow is at this step; anything else starts over."""
    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                flow = plan.current(request)
                flow.require(name)
            except plan.StepRefused:
                return redirect("reset_start")
            return view(request, flow, *args, **kwargs)
        return wrapper
    return decorator


class WhoAreYouForm(forms.Form):
    user_id = forms.CharField(label=gettext_lazy("User ID"), max_length=254,
                              widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none",
                                                            "spellcheck": "false"}))

    def clean_user_id(self):
        return complete_user_id(self.cleaned_data["user_id"], settings.CONFIG.directory.domains).lower()


def start(request):
    form = WhoAreYouForm(request.POST or None)
    status, captcha_error = 200, ""
    if request.method == "POST":
        status = 400
        solved = captcha.verify(request, "reset-start")  # always spent, right or wrong
        if not solved:
            captcha_error = _("The characters you entered didn't match. Try again with the new ones.")
            form.add_error(None, captcha_error)
        elif form.is_valid():
            user_id, ip = form.cleaned_data["user_id"], request.client_ip or "unknown"
            wait = resets_per_user_id().retry_after(user_id) or resets_per_ip().retry_after(ip)
            if wait:
                form.add_error(None, _("You have tried to reset your password too many times. Please try again "
                                       "later or contact your help desk."))
            else:
                resets_per_user_id().hit(user_id)
                resets_per_ip().hit(ip)
                user, groups = helpable_user(user_id)
                plan.start(request, user_id, user.pk if user else None, groups)
                record(request, Tag.RESET_START, subject=user_id, outcome="started" if user else "cannot help")
                return redirect("reset_reason")
    return render(request, "reset/start.html", {"form": form, **captcha.issue(request, "reset-start", captcha_error)},
                  status=status)


def helpable_user(user_id: str) -> tuple[User | None, tuple[str, ...]]:
    """The local user behind a user ID and their groups, when the directory knows it, it is
    enabled and it has a registered method; otherwise (None, ()), and the flow runs on stand-ins."""
    try:
        person = get_directory().lookup(user_id)
    except (UnknownUser, DirectoryUnavailable):
        return None, ()
    user = User.objects.filter(user_id=person.user_id.lower(), is_operator=False).first()
    if not person.enabled or user is None or not user.methods.exists():
        return None, ()
    return user, tuple(person.groups)


class ReasonForm(forms.Form):
    reason = forms.ChoiceField(widget=forms.RadioSelect, label=gettext_lazy("Why are you having trouble signing in?"),
                               choices=[("forgot", gettext_lazy("I forgot my password")),
                                        ("unlock", gettext_lazy("I know my password, but still can't sign in"))],
                               initial="forgot")


@step("reason")
def reason(request, flow):
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        choice = form.cleaned_data["reason"]
        verifications = [f"verify{n}" for n in range(1, steps_required(flow) + 1)]
        flow.passed("reason", reason=choice)
        flow.state["steps"] += verifications + ["new_password" if choice == "forgot" else "unlock"]
        plan.save(request, flow)
        return redirect("reset_verify")
    return render(request, "reset/reason.html", {"form": form, "flow": flow})


def progress(flow) -> dict:
    """verification step 1 > verification step 2 > choose a new password."""
    number = flow.verification_number if flow.current.startswith("verify") else None
    return {"step_range": range(1, flow.verification_count + 1), "step_number": number}


def steps_required(flow) -> int:
    if set(flow.groups) & set(settings.CONFIG.reset.admin_groups):
        return 2  # administrators always prove two things
    return rules_for(flow.groups).reset_steps


def methods_for(flow) -> list[Method]:
    """What this verification step may use: registered methods not yet used, and, on the last
    of two steps, a strong method when the person has one and has not used it yet."""
    if flow.user_pk is None:
        methods = decoy_methods(flow.user_id)
    else:
        allowed = set(rules_for(flow.groups).allowed)
        methods = [m for m in Method.objects.filter(user_id=flow.user_pk) if m.kind in allowed]
    used = {entry["kind"] for entry in flow.used}
    methods = [m for m in methods if m.kind not in used]
    last_step = flow.verification_number == flow.verification_count > 1
    if last_step and not used & STRONG and any(m.kind in STRONG for m in methods):
        methods = [m for m in methods if m.kind in STRONG]
    return sorted(methods, key=lambda m: -kind(m.kind).strength)


def verify_step(flow) -> str:
    return f"verify{flow.verification_number}"


def verify(request):
    try:
        flow = plan.current(request)
        if not flow.current.startswith("verify"):
            raise plan.StepRefused(flow.current)
    except plan.StepRefused:
        return redirect("reset_start")
    methods = methods_for(flow)
    options = [(f"{m.pk}:{choice}", label) for m in methods for choice, label in kind(m.kind).options(m)]
    context = {"flow": flow, "options": options, **progress(flow)}
    action, scratch = request.POST.get("action"), flow.scratch
    chosen = next((m for m in methods if m.pk == scratch.get("method")), None)
    try:
        if request.method == "POST" and action == "choose":
            method_id, _sep, choice = request.POST.get("option", "").partition(":")
            chosen = next((m for m in methods if str(m.pk) == method_id), None)
            if chosen is None:
                raise VerificationFailed(_("Choose how you want to verify your identity."))
            flow.state["scratch"] = {"method": chosen.pk, "choice": choice}
            plan.save(request, flow)
            if chosen.kind == "phone":
                return render(request, "reset/phone_number.html", context | phone_context(chosen, choice))
            return render(request, "reset/verify.html", context | challenge(request, flow, chosen, choice))
        if request.method == "POST" and action == "number" and chosen is not None and chosen.kind == "phone":
            return confirm_number(request, flow, chosen, context)
        if request.method == "POST" and action == "verify" and chosen is not None and scratch.get("ready"):
            check_answer(request, flow, chosen)
            return verification_passed(request, flow, chosen)
    except VerificationFailed as exc:
        record(request, Tag.VERIFY_FAILURE, subject=flow.user_id, outcome="failure",
               detail={"purpose": "reset", "kind": chosen.kind if chosen else ""})
        context["error"] = exc.message
        if chosen is not None and action == "verify":
            context |= {"method": chosen, "kind": kind(chosen.kind)}
            retry = (kind(chosen.kind).retry_context(request, chosen, "reset") if flow.user_pk is not None
                     else decoy_context(chosen))
            context |= attach_error(retry, exc.message, request.POST)
        return render(request, "reset/verify.html", context, status=400)
    flow.state["scratch"] = {}
    plan.save(request, flow)
    return render(request, "reset/verify.html", context)


def phone_context(method, choice):
    number = kind("phone").mask(method.destination)
    return {"method": method, "choice": choice, "masked": number,
            "form": PhoneForm(initial={"region": settings.CONFIG.server.country})}


def confirm_number(request, flow, method, context):
    """The full number first: only a match sends anything, and a mismatch looks the same."""
    form = PhoneForm(request.POST)
    choice = flow.scratch.get("choice", "sms")
    if not form.is_valid():
        return render(request, "reset/phone_number.html", context | phone_context(method, choice) | {"form": form},
                      status=400)
    if flow.user_pk is not None and form.cleaned_data["destination"] == method.destination:
        fragment = kind("phone").challenge(request, method, "reset", choice)
    else:
        if flow.user_pk is None:
            decoy_limits(request, flow, sending=True)
        fragment = decoy_context(method) | {"channel": "voice" if choice == "voice" else "sms"}
    flow.scratch["ready"] = True
    plan.save(request, flow)
    return render(request, "reset/verify.html", context | fragment | {"method": method, "kind": kind("phone")})


def challenge(request, flow, method, choice):
    if flow.user_pk is None:
        decoy_limits(request, flow, sending=True)
        fragment = decoy_context(method)
    else:
        fragment = kind(method.kind).challenge(request, method, "reset", choice)
    flow.scratch["ready"] = True
    plan.save(request, flow)
    return fragment | {"method": method, "kind": kind(method.kind)}


def decoy_context(method):
    from sspr.methods.forms import CodeForm

    return {"form": CodeForm(), "sent_to": kind(method.kind).describe(method), "channel": method.kind}


def check_answer(request, flow, method):
    if flow.user_pk is None:
        decoy_limits(request, flow, sending=False)
        raise VerificationFailed(str(NOT_RECEIVED))
    kind(method.kind).verify(request, method, "reset")


def decoy_limits(request, flow, *, sending: bool):
    """Stand-ins meet the same limits as real methods (sends, then wrong answers and the
    cool-down), or their absence would tell which user IDs are real."""
    key = f"user-id:{flow.user_id}"
    if wait := failures_per_account().retry_after(key):
        raise VerificationFailed(wait_message(wait))
    if sending:
        if wait := sends_per_account().retry_after(key):
            raise VerificationFailed(wait_message(wait))
        sends_per_account().hit(key)
    else:
        failures_per_account().hit(key)


def verification_passed(request, flow, method):
    record(request, Tag.VERIFY_SUCCESS, subject=flow.user_id, detail={"purpose": "reset", "kind": method.kind})
    flow.passed(verify_step(flow), used=flow.used + [{"method": method.pk, "kind": method.kind}])
    plan.save(request, flow)
    if flow.current == "unlock":
        return unlock(request, flow)
    return redirect("reset_verify" if flow.current.startswith("verify") else "reset_password")


def unlock(request, flow):
    person = get_directory().lookup(flow.user_id)
    get_directory().unlock(flow.user_id)
    notify_account_change(request, person, "reset/email/account_unlocked")
    record(request, Tag.ACCOUNT_UNLOCK, subject=flow.user_id, actor=flow.user_id)
    plan.end(request)
    return render(request, "reset/done.html", {"unlocked": True})


@step("new_password")
def new_password(request, flow):
    person = get_directory().lookup(flow.user_id)
    form = NewPasswordForm(policy_person(person), request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            get_directory().reset_password(flow.user_id, form.cleaned_data["new_password"], must_change=False)
        except PasswordRejected as exc:
            for problem in exc.reasons:
                form.add_error("new_password", problem)
        else:
            password_was_set(request, person, Tag.PASSWORD_RESET, keep_this_session=False)
            plan.end(request)
            return render(request, "reset/done.html", {"unlocked": False})
    return render(request, "reset/new_password.html", {
        "form": form, "flow": flow, "rules": policy.requirements(policy_person(person)), **progress(flow),
    }, status=400 if form.errors else 200)


@require_POST
@step("new_password")
def check_new_password(request, flow):
    """The live checklist for the new password, for a flow at that step only."""
    return live_check(request, f"reset:{flow.user_id}", policy_person(get_directory().lookup(flow.user_id)))


@require_POST
def cancel(request):
    plan.end(request)
    return redirect("signin")
