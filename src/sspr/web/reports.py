"""The console's reports: registration coverage (and who has not registered), activity over time,
and the help desk's load. Each table is drawn once from the figures services.reports gives, shown
with its chart and offered as CSV with the same numbers; nothing here computes a figure."""

import csv
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from sspr.services import reports
from sspr.services.staff import NotAllowed

from . import charts
from .console import console_page
from .exports import safe_cell

UNREGISTERED_PAGE = 50


@dataclass
class Table:
    key: str                 # its name in the CSV download's address and file name
    caption: str
    headers: list[str]
    rows: list[list]
    chart: str = ""          # a data: URI, or no chart
    note: str = ""
    numeric: set[int] = field(default_factory=set)   # columns that hold numbers (aligned right)


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip()[:10]) if text else None
    except ValueError:
        return None


def scope_of(request) -> reports.Scope:
    """The filters asked for, as the reader's role allows them (a school help desk's own school
    whatever the address says)."""
    try:
        return reports.scope_for(request.staff, start=_date(request.GET.get("start", "")),
                                 end=_date(request.GET.get("end", "")), school=request.GET.get("school", ""),
                                 period=request.GET.get("period", "day"))
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from None


def filters(scope: reports.Scope, **extra) -> dict:
    query = {"start": scope.start.isoformat(), "end": scope.end.isoformat(), "period": scope.period}
    if scope.school and not scope.fixed_school:
        query["school"] = scope.school
    return {**query, **{key: value for key, value in extra.items() if value}}


def page(request, template: str, scope: reports.Scope, tables: list[Table], **context):
    """The report's page, or one of its tables as CSV when ?download= names it."""
    wanted = request.GET.get("download", "")
    if wanted:
        table = next((table for table in tables if table.key == wanted), None)
        if table is None:
            raise PermissionDenied(_("There is no such table."))
        return csv_response(f"{table.key}-{scope.start}-{scope.end}.csv", table.headers, table.rows)
    return render(request, template, {
        "scope": scope, "tables": tables, "query": urlencode(filters(scope, **context.pop("keep", {}))),
        "schools": [] if scope.fixed_school else reports.schools(), "periods": reports.PERIOD_LABELS.items(),
        **context})


def csv_response(filename: str, headers: list[str], rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # so that spreadsheets read the accents as UTF-8
    writer = csv.writer(response)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([cell.isoformat() if isinstance(cell, date) else safe_cell(cell) for cell in row])
    return response


@console_page
def coverage(request):
    scope = scope_of(request)
    report = reports.coverage(scope)
    figures = report.figures
    headers = [_("Registered"), _("People"), _("Registered (%)"), _("Not registered")]

    def table(key, caption, first, rows, chart=True):
        body = [[row.label or _("(none)"), row.registered, row.total, row.percent, row.missing] for row in rows]
        drawn = charts.bars([line[0] for line in body], [(_("Registered (%)"), [line[3] for line in body])],
                            horizontal=True, percent=True) if chart and body else ""
        return Table(key, caption, [first, *headers], body, drawn, numeric={1, 2, 3, 4})

    overall = figures.overall
    tables = [
        Table("overall", _("Everyone"), headers, [[overall.registered, overall.total, overall.percent,
                                                   overall.missing]], numeric={0, 1, 2, 3}),
        table("by_school", _("By school"), _("School"), figures.by_school),
        table("by_group", _("By group"), _("Group"), figures.by_group),
        *([table("by_grade", _("By grade"), _("Grade"), figures.by_grade)] if figures.by_grade else []),
        Table("by_method", _("By method"), [_("Method"), _("People who registered it"), _("People"),
                                            _("Share (%)")],
              [[row.label, row.registered, row.total, row.percent] for row in figures.by_kind],
              charts.bars([row.label for row in figures.by_kind],
                          [(_("People who registered it"), [row.registered for row in figures.by_kind])],
                          horizontal=True) if figures.overall.total else "", numeric={1, 2, 3}),
        Table("reminders", _("Reminders in the period"), [_("Reminders"), _("Number")],
              [[_("Reminders to register security info sent"), report.reminders.registration_sent],
               [_("Password expiry reminders sent"), report.reminders.expiry_sent],
               [_("People first reminded to register"), report.reminders.people_reminded],
               [_("Of them, registered since"), report.reminders.registered_after]], numeric={1}),
    ]
    return page(request, "console/reports/coverage.html", scope, tables, report=report, current="coverage")


@console_page
def unregistered(request):
    scope = scope_of(request)
    group, text = request.GET.get("group", "").strip()[:200], request.GET.get("q", "").strip()[:100]
    people = reports.unregistered(scope, group=group, text=text)
    headers = [_("User ID"), _("Name"), _("School"), _("Groups"), _("Methods registered"), _("Methods required")]
    if request.GET.get("download") == "unregistered":
        return csv_response(f"unregistered-{scope.end}.csv", headers,
                            ([person.user_id, person.display_name, person.department, "; ".join(person.groups),
                              person.registered, person.required] for person in people))
    try:
        number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        number = 1
    shown = people[(number - 1) * UNREGISTERED_PAGE:number * UNREGISTERED_PAGE]
    return page(request, "console/reports/unregistered.html", scope, [], people=shown, count=len(people),
                page=number, more=len(people) > number * UNREGISTERED_PAGE, group=group, q=text,
                headers=headers, current="coverage", keep={"group": group, "q": text})


def _bucket_label(bucket: date, period: str) -> str:
    if period == "month":
        return date_format(bucket, "YEAR_MONTH_FORMAT")
    return date_format(bucket, "SHORT_DATE_FORMAT")


@console_page
def activity(request):
    scope = scope_of(request)
    report = reports.activity(scope)
    labels = [_bucket_label(bucket, scope.period) for bucket, _counts in report.rows]
    names = [label for _name, label in report.series]
    period_label = str(reports.PERIOD_LABELS[scope.period])
    tables = [
        Table("over_time", _("Activity over time"), [period_label, *names],
              [[bucket, *counts] for bucket, counts in report.rows] + [[_("Total"), *report.totals]],
              charts.lines(labels, [(name, [counts[index] for _bucket, counts in report.rows])
                                    for index, name in enumerate(names)]) if report.rows else "",
              numeric=set(range(1, len(names) + 1))),
        Table("verifications", _("Verifications by method"), [_("Method"), _("Succeeded"), _("Failed")],
              [[row["kind"], row["succeeded"], row["failed"]] for row in report.verifications],
              charts.bars([row["kind"] for row in report.verifications],
                          [(_("Succeeded"), [row["succeeded"] for row in report.verifications]),
                           (_("Failed"), [row["failed"] for row in report.verifications])],
                          horizontal=True, stacked=True) if report.verifications else "", numeric={1, 2}),
        Table("failures", _("Failures by reason"), [_("What"), _("Reason"), _("Times")],
              [[row["what"], row["reason"], row["count"]] for row in report.failures],
              charts.bars([f"{row['reason']} ({row['what']})" for row in report.failures],
                          [(_("Times"), [row["count"] for row in report.failures])], horizontal=True)
              if report.failures else "", numeric={2}),
        Table("deliveries", _("Messages by channel"), [_("Channel"), _("Sent"), _("Failed"), _("Waiting"),
                                                       _("Estimated cost")],
              [[row["channel"], row["sent"], row["failed"], row["waiting"], round(row["cost"], 2)]
               for row in report.deliveries],
              charts.bars([row["channel"] for row in report.deliveries],
                          [(_("Sent"), [row["sent"] for row in report.deliveries]),
                           (_("Failed"), [row["failed"] for row in report.deliveries])], stacked=True)
              if report.deliveries else "", numeric={1, 2, 3, 4}),
        Table("spending", _("Spending against the daily cap"), [_("Day"), _("Channel"), _("Estimated spending"),
                                                                _("Daily cap")],
              [[row["day"], row["channel"], row["spent"], row["cap"] or _("No cap")] for row in report.spending],
              note=_("Texts and calls that were not given up, as the daily cap counts them."), numeric={2, 3}),
    ]
    return page(request, "console/reports/activity.html", scope, tables, report=report, current="activity")


@console_page
def helpdesk(request):
    scope = scope_of(request)
    report = reports.load(scope)
    tables = [
        Table("self_service", _("Resets and unlocks"), [_("What"), _("By people themselves"), _("By staff")],
              [[_("Password resets"), report.self_resets, report.staff_resets],
               [_("Unlocks"), report.self_unlocks, report.staff_unlocks]],
              charts.bars([_("Password resets"), _("Unlocks")],
                          [(_("By people themselves"), [report.self_resets, report.self_unlocks]),
                           (_("By staff"), [report.staff_resets, report.staff_unlocks])]), numeric={1, 2}),
        Table("by_operator", _("Actions by operator"), [_("Operator"), _("Role"), _("Actions")],
              [[row["actor"], row["role"], row["count"]] for row in report.by_operator],
              charts.bars([row["actor"] for row in report.by_operator[:15]],
                          [(_("Actions"), [row["count"] for row in report.by_operator[:15]])], horizontal=True)
              if report.by_operator else "", numeric={2}),
        Table("actions", _("Actions by operator and kind"), [_("Operator"), _("Role"), _("Action"), _("Times")],
              [[row["actor"], row["role"], row["action"], row["count"]] for row in report.actions], numeric={3}),
    ]
    return page(request, "console/reports/helpdesk.html", scope, tables, report=report, current="helpdesk")
