"""Get back into your account: "Who are you?", "Why are you having trouble signing in?", one or
two verification steps, then a new password (or the unlock). Each view asks the flow whether its
step is the current one; anything else starts over."""

from functools import wraps

from django import forms
from django.conf import settings
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sspr.flows import reset
from sspr.flows.engine import FlowRefused
from sspr.methods.models import Method
from sspr.passwords import policy
from sspr.reset import captcha
from sspr.services import people
from sspr.services.errors import NotRegistered, PasswordRefused, TooManyAttempts

from .accounts import live_check, new_password_problems, sync_news
from .actors import actor_of
from .forms import NewPasswordForm, complete_user_id
from .verification import verification_page


def at_step(name):
    """Run the view only when the flow is at this step ("verify": any verification step)."""
    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                flow = reset.resume(request.session)
                if not (flow.current == name or (name == "verify" and reset.at_verification(flow))):
                    raise FlowRefused(name)
            except FlowRefused:
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
        solved = captcha.verify(request.session, "reset-start", request.POST)  # always spent, right or wrong
        if not solved:
            captcha_error = _("The characters you entered didn't match. Try again with the new ones.")
            form.add_error(None, captcha_error)
        elif form.is_valid():
            try:
                reset.start(request.session, actor_of(request), form.cleaned_data["user_id"])
            except TooManyAttempts:
                form.add_error(None, _("You have tried to reset your password too many times. Please try again "
                                       "later or contact your help desk."))
            except NotRegistered:
                form.add_error(None, _("You haven't registered security info; contact the help desk."))
            else:
                return redirect("reset_reason")
    challenge = captcha.issue(request.session, "reset-start", request.get_full_path(), captcha_error)
    return render(request, "reset/start.html", {"form": form, **challenge}, status=status)


class ReasonForm(forms.Form):
    reason = forms.ChoiceField(widget=forms.RadioSelect, label=gettext_lazy("Why are you having trouble signing in?"),
                               choices=[("forgot", gettext_lazy("I forgot my password")),
                                        ("unlock", gettext_lazy("I know my password, but still can't sign in"))],
                               initial="forgot")


@at_step("reason")
def reason(request, flow):
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reset.give_reason(flow, form.cleaned_data["reason"])
        return redirect("reset_verify")
    return render(request, "reset/reason.html", {"form": form, "flow": flow.state})


def progress(flow) -> dict:
    """verification step 1 > verification step 2 > choose a new password."""
    number = reset.verification_number(flow) if reset.at_verification(flow) else None
    return {"flow": flow.state, "step_range": range(1, reset.verification_count(flow) + 1), "step_number": number}


@at_step("verify")
def verify(request, flow):
    actor = actor_of(request)
    verification = reset.verification(flow, actor, language=get_language() or "")
    outcome = verification_page(request, verification, template="reset/verify.html",
                                context={**progress(flow), "purpose": "reset"})
    if not isinstance(outcome, Method):
        return outcome
    reset.verified(flow, outcome)
    request.session.cycle_key()  # each passed step raises what the session may do: a new key
    if flow.current == "unlock":
        reset.unlock(flow, actor)
        return render(request, "reset/done.html", {"unlocked": True})
    return redirect("reset_verify" if reset.at_verification(flow) else "reset_password")


@at_step("new_password")
def new_password(request, flow):
    person = reset.person_of(flow)
    form = NewPasswordForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                result = reset.set_new_password(flow, actor_of(request), form.cleaned_data["new_password"])
            except PasswordRefused as exc:
                for problem in exc.reasons:
                    form.add_error("new_password", problem)
            else:
                return render(request, "reset/done.html", {"unlocked": False, "sync": sync_news(result.targets)})
        else:
            new_password_problems(form, person)
    return render(request, "reset/new_password.html", {
        "form": form, "rules": policy.requirements(people.policy_person(person)), **progress(flow),
    }, status=400 if form.errors else 200)


@require_POST
@at_step("new_password")
def check_new_password(request, flow):
    """The live checklist for the new password, for a flow at that step only."""
    return live_check(request, f"reset:{flow.user_id}", reset.person_of(flow))


@require_POST
def cancel(request):
    reset.cancel(request.session)
    return redirect("signin")
