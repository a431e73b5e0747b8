"""The HTML adapter of the one verification step, shared by the sign-in second step,
re-authentication and reset pages: it turns a post into a call on flows.verification and the
stage that comes back into a page. The page itself (its template and surroundings) is the
caller's."""

from django.http import JsonResponse
from django.shortcuts import render

from sspr.flows.verification import Stage, Verification
from sspr.methods.base import VerificationFailed
from sspr.methods.models import Method

from .methods import adapter, with_error_at_field


def verification_page(request, verification: Verification, *, template: str, context: dict):
    """The passed Method once the answer is right; otherwise the page to show."""
    if request.method == "GET" and "progress" in request.GET:
        # The page asking whether a phone has answered (push-wait.js): nothing is changed.
        return JsonResponse({"progress": verification.progress()})
    context = {**context, "options": verification.options()}
    action = request.POST.get("action") if request.method == "POST" else None
    chosen = verification.chosen()
    try:
        if action == "choose":
            return show(request, verification.choose(request.POST.get("option", "")), template, context)
        if action == "number" and chosen is not None:
            form = adapter(chosen.kind).confirm_form(request.POST)
            if not form.is_valid():
                return show(request, verification.confirming(chosen), template, context, form=form, status=400)
            return show(request, verification.confirm(form.cleaned_data["destination"]), template, context)
        if action == "verify" and chosen is not None and verification.flow.scratch.get("ready"):
            return verification.answer(request.POST)
        if action == "status" and chosen is not None and verification.flow.scratch.get("ready"):
            # "Check again" while a code is being retried: the same challenge, nothing sent or counted.
            return show(request, verification.retry(), template, context)
    except VerificationFailed as exc:
        # The option they chose stays chosen: the chooser does not jump back to the first one.
        context |= {"error": exc.message, "selected": request.POST.get("option", "")}
        if action == "verify" and chosen is not None:
            stage = verification.retry()
            form = with_error_at_field(adapter(chosen.kind).answer_form(stage.display), exc.message, request.POST)
            return show(request, stage, template, context, form=form, status=400)
        return render(request, template, context, status=400)
    verification.another_way()
    return render(request, template, context)


def show(request, stage: Stage, template: str, context: dict, *, form=None, status: int = 200):
    method: Method | None = stage.method
    if stage.name == "confirm" and method is not None:
        confirm = adapter(method.kind)
        return render(request, confirm.confirm_template, {
            **context, "method": method, "choice": stage.display.get("choice", ""), "masked": stage.display["masked"],
            "form": form or confirm.confirm_form()}, status=status)
    if stage.name == "answer" and method is not None:
        answering = adapter(method.kind)
        context = {**context, **stage.display, "method": method, "verify_template": answering.verify_template,
                   "form": form or answering.answer_form(stage.display)}
    return render(request, template, context, status=status)

