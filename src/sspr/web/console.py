"""The console's pages for the help desk, school help desks and auditors: finding a person,
their page, verifying a caller, and each action. Staff are people of the directory who signed in
like everyone else; a console page also needs this session's second step to be of a kind in
`console.second_step` (flows.console_access). Every decision about rights is the services'."""

import csv
import ipaddress
import itertools
from datetime import date, datetime, time, timedelta
from functools import wraps
from math import ceil
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from sspr.audit.models import Outcome, Reason, Tag, record
from sspr.directory.base import DirectoryUnavailable, DirectoryUser, UnknownUser
from sspr.flows import caller_check, console_access
from sspr.methods.models import Method
from sspr.services import audit_trail, console, people, staff, sync
from sspr.services.errors import PasswordRefused, TooManyAttempts

from .actors import actor_of
from .exports import safe_cell
from .verification import verification_page

PAGE_SIZE = 25


def staff_actor(request):
    return request.staff.actor(request.client_ip, request.META.get("HTTP_USER_AGENT", ""))


def staff_of(request) -> staff.Staff:
    """The signed-in person as staff, read fresh from the directory (a role taken away ends at
    the next page); a 403, audited, for someone without a console role. A directory that cannot
    answer is a 503 (UnavailableMiddleware)."""
    try:
        me = staff.Staff.of(people.profile(request.user))
    except UnknownUser:
        me = None
    if me is None:
        record(actor_of(request), Tag.CONSOLE_REFUSED, subject=request.user.user_id, outcome=Outcome.REFUSED,
               reason=Reason.NOT_ALLOWED, detail={"action": "console"})
        raise PermissionDenied(_("The console is for staff with a help-desk, teacher or auditor role."))
    return me


def console_page(view):
    """Signed in, with a console role, and this session's second step strong enough."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        request.staff = staff_of(request)
        if not console_access.is_open(request.session):
            return redirect(f"{reverse('console_verify')}?next={request.path}")
        return view(request, *args, **kwargs)

    return wrapper


def wait_text(exc: TooManyAttempts) -> str:
    minutes = ceil(exc.retry_after.total_seconds() / 60) if exc.retry_after else 60
    return ngettext("You have reached the limit of actions for now. Try again in %(minutes)d minute.",
                    "You have reached the limit of actions for now. Try again in %(minutes)d minutes.",
                    minutes) % {"minutes": minutes}


# The console's own second step
@login_required
def verify(request):
    me = staff_of(request)
    target = request.GET.get("next", "")
    target = target if target.startswith("/console/") else reverse("console")
    if console_access.is_open(request.session):
        return redirect(target)
    groups = me.person.groups
    if not console_access.methods(request.user, groups):
        return render(request, "console/verify_missing.html", status=403)
    flow = console_access.begin(request.session, request.user, groups)
    verification = console_access.verification(flow, actor_of(request), request.user, language=get_language() or "")
    outcome = verification_page(request, verification, template="console/verify.html", context={"next": target})
    if not isinstance(outcome, Method):
        return outcome
    console_access.finish(flow, outcome)
    request.session.cycle_key()  # more rights from here on: a new session key
    return redirect(target)


# Finding people
@console_page
def home(request):
    me = request.staff
    if not me.finds_people:
        return redirect("console_classes" if me.teaches else "console_audit")
    query = request.GET.get("q", "").strip()[:100]
    try:
        page = max(1, min(int(request.GET.get("page", "1")), 40))
    except ValueError:
        page = 1
    context = {"q": query, "query": urlencode({"q": query}), "page": page, "results": None}
    if query and me.school_only and not me.school:
        context["error"] = _("Your account has no school in the directory, so there is nobody you can help yet. "
                             "Ask an administrator.")
    elif query:
        try:
            staff.count_search(staff_actor(request), me)
            found = people.search(query, department=me.school if me.school_only else "",
                                  offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
        except TooManyAttempts as exc:
            context["error"] = wait_text(exc)
            return render(request, "console/home.html", context, status=429)
        except DirectoryUnavailable:
            context["error"] = _("The directory cannot be searched right now. Please try again in a few minutes.")
            return render(request, "console/home.html", context, status=503)
        context |= {"results": found.people, "more": found.more}
    return render(request, "console/home.html", context)


def target_of(request, user_id: str, action: staff.Action) -> DirectoryUser:
    """The person a console page is about, once the operator may take action on them (a 403
    with the reason otherwise, audited); 404 for a user ID the directory does not know."""
    try:
        return console.person_for(staff_actor(request), request.staff, user_id, action)
    except UnknownUser:
        raise Http404 from None
    except staff.NotAllowed as exc:
        raise PermissionDenied(exc.message) from None


@console_page
def person(request, user_id: str):
    target = target_of(request, user_id, staff.Action.VIEW)
    status = console.status(target)
    allowed = {action.name.lower(): not staff.refusal(request.staff, target, action) for action in staff.Action}
    return render(request, "console/person.html", {
        "status": status, "target": target, "allowed": allowed,
        "refusal": staff.refusal(request.staff, target, staff.Action.UNLOCK),
        "verified": caller_check.verified_kind(request.session, target.user_id),
        "can_check": bool(caller_check.methods(status.user)),
        "back": back_link(request, target),
        "sync": sync.states_for(target.user_id),
    })


def back_link(request, target: DirectoryUser) -> str:
    section = request.GET.get("section", "")
    if request.staff.teaches and section and "/" not in section:
        return reverse("console_section", args=[section])
    return reverse("console_person", args=[target.user_id]) if request.staff.finds_people else reverse("console")


# Verifying the caller
@console_page
def check(request, user_id: str):
    target = target_of(request, user_id, staff.Action.VERIFY_CALLER)
    user = people.existing_user(target.user_id)
    if user is None or not caller_check.methods(user):
        return redirect("console_person", target.user_id)
    flow = caller_check.begin(request.session, user)
    verification = caller_check.verification(flow, staff_actor(request), user, language=get_language() or "")
    outcome = verification_page(request, verification, template="console/check.html",
                                context={"target": target, "for_staff": True})
    if not isinstance(outcome, Method):
        return outcome
    caller_check.finish(flow, outcome)
    return render(request, "console/checked.html", {"target": target})


# Actions
# The address of each action, and its button.
ACTIONS = {
    "unlock": (staff.Action.UNLOCK, gettext_lazy("Unlock")),
    "reset": (staff.Action.RESET, gettext_lazy("Reset password")),
    "pass": (staff.Action.ISSUE_PASS, gettext_lazy("Issue the pass")),
    "clear": (staff.Action.CLEAR_METHODS, gettext_lazy("Clear security info")),
    "forget-devices": (staff.Action.FORGET_DEVICES, gettext_lazy("Forget remembered devices")),
    "end-sessions": (staff.Action.END_SESSIONS, gettext_lazy("End sessions")),
}


def proof_of(request, target: DirectoryUser) -> console.Proof:
    if request.staff.teaches and not request.staff.finds_people:
        return console.in_class()
    return console.Proof(verified=caller_check.verified_kind(request.session, target.user_id),
                         reason=request.POST.get("reason", ""))


@console_page
def act(request, user_id: str, name: str):
    if name not in ACTIONS:
        raise Http404
    action, button_label = ACTIONS[name]
    target = target_of(request, user_id, action)
    proof = proof_of(request, target)
    context = {"target": target, "name": name, "action_label": Tag(str(action)).label, "button_label": button_label,
               "needs_reason": not proof.verified, "verified": proof.verified, "back": back_link(request, target),
               "section": request.GET.get("section", ""),
               "methods": console.status(target, events=0).methods if action == staff.Action.CLEAR_METHODS else []}
    if request.method != "POST":
        return render(request, "console/confirm.html", context)
    actor = staff_actor(request)
    try:
        result = perform(request, actor, target, action, proof)
    except console.ProofMissing as exc:
        return render(request, "console/confirm.html", {**context, "error": str(exc)}, status=400)
    except PasswordRefused as exc:
        return render(request, "console/confirm.html", {**context, "problems": exc.reasons}, status=400)
    except TooManyAttempts as exc:
        return render(request, "console/confirm.html", {**context, "error": wait_text(exc)}, status=429)
    except DirectoryUnavailable:
        return render(request, "console/confirm.html", {
            **context, "error": _("The directory cannot be changed right now. Nothing was changed.")}, status=503)
    return render(request, "console/done.html", {**context, **result})


def perform(request, actor, target: DirectoryUser, action: staff.Action, proof: console.Proof) -> dict:
    """Carry out one action; what the result page shows (a password or pass, once)."""
    me = request.staff
    if action == staff.Action.UNLOCK:
        console.unlock(actor, me, target, proof)
        return {"done": _("The account is unlocked.")}
    if action == staff.Action.RESET:
        typed = request.POST.get("new_password", "") if request.POST.get("how") == "type" else ""
        new = console.reset_password(actor, me, target, proof, typed=typed,
                                     must_change=request.POST.get("must_change") == "on")
        return {"done": _("The password is reset."), "password": new.password if new.generated else "",
                "must_change": request.POST.get("must_change") == "on", "sync": new.synced}
    if action == staff.Action.ISSUE_PASS:
        row, code = console.issue_pass(actor, me, target, proof)
        return {"done": _("A Temporary Access Pass is ready."), "pass_code": code, "pass_row": row,
                "signin_url": settings.BASE_URL + reverse("signin_pass")}
    if action == staff.Action.CLEAR_METHODS:
        method = request.POST.get("method", "all")
        removed = console.clear_methods(actor, me, target, proof,
                                        method_pk=int(method) if method.isdigit() else None)
        return {"done": ngettext("%(n)d method removed. They must register security info again at their next "
                                 "sign-in.",
                                 "%(n)d methods removed. They must register security info again at their next "
                                 "sign-in.", removed) % {"n": removed}}
    if action == staff.Action.FORGET_DEVICES:
        forgotten = console.forget_devices(actor, me, target, proof)
        return {"done": ngettext("%(n)d remembered device forgotten.", "%(n)d remembered devices forgotten.",
                                 forgotten) % {"n": forgotten}}
    console.end_sessions(actor, me, target, proof)
    return {"done": _("Every session of this person has ended.")}


@console_page
def revoke_pass(request, user_id: str, pk: int):
    target = target_of(request, user_id, staff.Action.REVOKE_PASS)
    if request.method == "POST":
        console.revoke_pass(staff_actor(request), request.staff, target, pk)
    return redirect(f"{reverse('console_person', args=[target.user_id])}?{request.GET.urlencode()}")


# The audit trail, for auditors and admins: search, pages, exports (reports have their own pages)
def _moment(text: str, *, end: bool = False):
    try:
        day = date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None
    return timezone.make_aware(datetime.combine(day + timedelta(days=1) if end else day, time.min))


def _address(text: str) -> str:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return ""


@console_page
def audit(request):
    if not request.staff.reads_audit:
        raise PermissionDenied(_("Your role does not read the audit trail."))
    get = request.GET
    form = {name: get.get(name, "").strip()[:254] for name in ("person", "actor", "tag", "outcome", "ip", "start",
                                                               "end")}
    wanted = audit_trail.Search(subject=form["person"], actor=form["actor"], tag=form["tag"],
                                outcome=form["outcome"], client_ip=_address(form["ip"]),
                                since=_moment(form["start"]), until=_moment(form["end"], end=True))
    bad_address = bool(form["ip"]) and not wanted.client_ip
    export = get.get("export", "")
    if export in ("csv", "jsonl") and not bad_address:
        return audit_export(request, wanted, export)
    try:
        number = max(1, min(int(get.get("page", "1")), 10_000))
    except ValueError:
        number = 1
    entries, more = ([], False) if bad_address else audit_trail.page(request.staff, wanted, number)
    query = urlencode({name: value for name, value in form.items() if value})
    return render(request, "console/audit.html", {
        "form": form, "entries": entries, "more": more, "page": number, "query": query, "bad_address": bad_address,
        "tags": Tag.choices, "outcomes": Outcome.choices})


def audit_export(request, wanted, export: str) -> StreamingHttpResponse:
    records = audit_trail.records(request.staff, wanted)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if export == "jsonl":
        response = StreamingHttpResponse((audit_trail.json_line(record) for record in records),
                                         content_type="application/x-ndjson; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.jsonl"'
        return response

    class Echo:
        def write(self, value):
            return value

    writer = csv.writer(Echo())
    rows = (writer.writerow([safe_cell(cell) for cell in row]) for row in
            itertools.chain([audit_trail.CSV_HEADERS], (audit_trail.csv_row(record) for record in records)))
    response = StreamingHttpResponse(itertools.chain(["\ufeff"], rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    return response
