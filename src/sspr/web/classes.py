"""The console for teachers: their classes, a class's students with what a teacher may do for
each, and the class sign-in sheet (one Temporary Access Pass per student, printed)."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sspr.roster import queries as roster
from sspr.roster.models import Section
from sspr.roster.sheet import SheetRow, class_sheet_pdf
from sspr.services import console
from sspr.services.errors import TooManyAttempts
from sspr.services.staff import NotAllowed

from .console import console_page, staff_actor, wait_text


def teacher_only(request) -> None:
    if not request.staff.teaches:
        raise PermissionDenied(_("My classes are for teachers."))


def taught_section(request, sourced_id: str) -> Section:
    try:
        return console.taught_section(request.staff, sourced_id)
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from None


@console_page
def classes(request):
    teacher_only(request)
    return render(request, "console/classes.html", {"sections": roster.sections_taught_by(request.staff.user_id)})


@console_page
def section(request, sourced_id: str, *, error: str = "", status: int = 200):
    teacher_only(request)
    taught = taught_section(request, sourced_id)
    return render(request, "console/section.html", {
        "section": taught, "students": console.students(request.staff, taught),
        "sheets": console.sheets(request.staff, taught), "error": error}, status=status)


@console_page
@require_POST
def sheet(request, sourced_id: str):
    teacher_only(request)
    taught = taught_section(request, sourced_id)
    try:
        _batch, entries = console.class_sheet(staff_actor(request), request.staff, taught)
    except TooManyAttempts as exc:
        return section(request, sourced_id, error=wait_text(exc), status=429)
    except NotAllowed as exc:
        return section(request, sourced_id, error=exc.message, status=403)
    pdf = class_sheet_pdf(taught.title, taught.school.name, [
        SheetRow(entry.person.display_name or entry.person.user_id, entry.person.user_id, entry.code, entry.expires_at)
        for entry in entries], signin_url=settings.BASE_URL + reverse("signin_pass"), language=get_language() or "en")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="sign-in-sheet.pdf"'
    return response


@console_page
@require_POST
def void(request, sourced_id: str, batch: str):
    teacher_only(request)
    taught_section(request, sourced_id)
    console.void_sheet(staff_actor(request), request.staff, batch)
    return redirect("console_section", sourced_id)
