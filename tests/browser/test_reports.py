"""The reports and the audit search in a real browser, as an auditor reads them: every page passes
axe in English and Spanish and fits a 360-pixel phone; the charts are images with alternative
text, and the tables beside them carry the same numbers."""

from dataclasses import replace

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from sspr.actors import Actor
from sspr.audit.models import Outcome, Reason, Tag, record
from sspr.directory import get_directory
from sspr.reports import people as snapshot
from sspr.reports.models import Person
from sspr.services import reports

from ..console.conftest import ROLES, staff_member
from ..methods.conftest import give_method
from ..reports.conftest import LINCOLN, ROOSEVELT, person
from .helpers import PHONE, assert_accessible
from .test_console import staff_sign_in
from .test_security_info import assert_fits_a_phone

HEADINGS = {"en": ("Reports", "Audit trail", "People who have not registered yet"),
            "es": ("Informes", "Registro de auditoría", "Personas que todavía no se registraron")}

ROW_WITHOUT = {"en": "(none)", "es": "(ninguno)"}


@pytest.fixture(autouse=True)
def console_roles(configure, captcha_off):
    configure(roles=ROLES)


@pytest.fixture
def seeded(db):
    ana, ben = person("ana", LINCOLN, ["Students"]), person("ben", ROOSEVELT, ["Students"])
    give_method(ana, "phone", "+15550101")
    give_method(ana, "email", "ana@home.example")
    reports.refresh_people()
    directory = get_directory()
    for who, grade in ((ana, "9"), (ben, "10")):  # as an LDAP directory with [directory.attributes] grade gives
        snapshot.remember(replace(directory.lookup(who.user_id), grade=grade))
    record(Actor.system(), Tag.REMINDER_REGISTRATION, subject=ben.user_id, detail={"channel": "email"})
    Person.objects.filter(user_id=ben.user_id).update(reminded_at=timezone.now(), first_reminded_at=timezone.now())
    record(Actor.person(ana.user_id), Tag.PASSWORD_RESET, subject=ana.user_id)
    record(Actor.person(ben.user_id, client_ip="192.0.2.7"), Tag.VERIFY_FAILURE, subject=ben.user_id,
           outcome=Outcome.FAILURE, reason=Reason.WRONG_ANSWER, detail={"kind": "phone", "purpose": "reset"})
    record(Actor.staff("helpdesk", "grace.kim@district.example"), Tag.ACCOUNT_UNLOCK, subject=ben.user_id)


def checked(page: Page) -> None:
    assert_accessible(page)
    assert_fits_a_phone(page)


@pytest.mark.parametrize("language", ["en", "es"])
def test_an_auditor_reads_every_report_and_searches_the_trail(page_in, site, seeded, language):
    auditor = staff_member("audit.office@district.example", ["Auditors"])
    reports_heading, audit_heading, unregistered_heading = HEADINGS[language]
    page = page_in(language, **PHONE)
    staff_sign_in(page, site, auditor)
    page.goto(f"{site}/console/")
    page.locator("nav.console-nav a[href='/console/reports/']").click()
    expect(page.locator("h1")).to_have_text(reports_heading)
    charts = page.locator("figure.chart img")
    assert charts.count() >= 2
    assert all(len(charts.nth(index).get_attribute("alt") or "") > 20 for index in range(charts.count()))
    expect(page.locator("section:has(#t-by_school) tbody th").first).to_have_text(LINCOLN)
    grades = page.locator("section:has(#t-by_grade) tbody th")
    expect(grades).to_have_text(["9", "10", ROW_WITHOUT[language]])  # the auditor has no grade
    expect(page.locator("section:has(#t-reminders) tbody td")).to_have_text(["1", "0", "1", "0"])
    checked(page)

    page.locator("#id_school").select_option(LINCOLN)
    page.locator("form.report-filters button[type=submit]").click()
    expect(page.locator("section:has(#t-by_school) tbody th")).to_have_text([LINCOLN])
    checked(page)

    page.locator("a[href^='/console/reports/unregistered/']").first.click()
    expect(page.locator("h2#unregistered")).to_have_text(unregistered_heading)
    checked(page)

    for path in ("activity", "helpdesk"):
        page.goto(f"{site}/console/reports/{path}/")
        expect(page.locator("h1")).to_have_text(reports_heading)
        checked(page)

    page.goto(f"{site}/console/audit/")
    expect(page.locator("h1")).to_have_text(audit_heading)
    page.locator("#id_person").fill("ben@district.example")
    page.locator("main form[role=search] button[type=submit]").click()
    expect(page.locator("tbody tr")).to_have_count(3)  # a failed verification, an unlock, a reminder
    checked(page)
