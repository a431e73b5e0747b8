"""The console in a real browser, as staff and students use it: a technician finds a locked
student, verifies them with a code sent to their phone, unlocks them and resets their password with
a generated passphrase, which the student then signs in with and must change; a teacher resets a
student of their class and prints a sign-in sheet, and the student signs in with the pass from the
sheet's QR code and registers security info. Every page is checked by axe, in English and Spanish,
on a phone's screen, and the technician's journey is driven by the keyboard alone."""

import re
from urllib.parse import urlsplit

import pypdf
import pytest
import zxingcpp
from django.conf import settings as django_settings
from playwright.sync_api import Page, expect

from sspr.directory.embedded.models import Account
from sspr.roster.importer import import_roster
from sspr.services import people

from ..console.conftest import ROLES, current_code, staff_member
from ..methods.conftest import give_method
from ..roster.bundles import Bundle, enrol, org, section, user
from .helpers import PHONE, assert_accessible
from .test_security_info import assert_fits_a_phone, enter_password, sign_out

NEW_PASSWORD = "Seven purple comets rest by moonlight!"


@pytest.fixture(autouse=True)
def console_roles(configure, captcha_off):
    configure(roles=ROLES)


def checked(page: Page) -> None:
    assert_accessible(page)
    assert_fits_a_phone(page)


def staff_sign_in(page: Page, site: str, person) -> None:
    """Password, then the authenticator app (the only method, so already chosen)."""
    enter_password(page, site, person.user_id, person.password)
    expect(page).to_have_url(f"{site}/signin/verify/")
    page.locator("main form button[type=submit]:not(.button--secondary)").click()
    page.locator("input[name=code]").fill(current_code())
    page.locator("main form button[type=submit]:not(.button--secondary)").click()
    expect(page).to_have_url(f"{site}/account/")


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_technician_verifies_unlocks_and_resets_a_locked_student(page_in, site, student, outbox, language):
    phone = give_method(student, "phone", "+15550200")
    Account.objects.filter(user_id=student.user_id).update(locked_until="2999-01-01T00:00:00Z")
    technician = staff_member("grace.kim@district.example", ["Help Desk"])
    page = page_in(language, **PHONE)

    staff_sign_in(page, site, technician)
    page.locator("a[href='/console/']").click()
    expect(page).to_have_url(f"{site}/console/")
    checked(page)

    # Find the student by the start of their name, by keyboard.
    page.locator("#id_q").fill("chris")
    page.keyboard.press("Enter")
    result = page.locator(f"a[href='/console/people/{student.user_id}/']")
    result.focus()
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Chris Smith")
    expect(page.locator("main strong").first).to_be_visible()  # "Locked", whatever the language
    checked(page)

    # Verify the caller: a code to their phone, read back.
    page.locator(f"a[href='/console/people/{student.user_id}/check/']").click()
    checked(page)
    page.locator(f"input[value='{phone.pk}:sms']").check()
    page.locator("main form button[type=submit]:not(.button--secondary)").click()
    checked(page)
    page.locator("input[name=code]").fill(outbox("+15550200"))
    page.keyboard.press("Enter")
    expect(page.locator("p.message[role=status]")).to_be_visible()
    checked(page)
    page.locator(f"a[href='/console/people/{student.user_id}/']").click()

    # Unlock: a confirmation, no reason asked (the caller is verified).
    page.locator(f"a[href^='/console/people/{student.user_id}/unlock/']").click()
    expect(page.locator("#id_reason")).to_have_count(0)
    checked(page)
    page.locator("main form button[type=submit]:not(.button--secondary)").click()
    checked(page)
    assert not people.find(student.user_id).locked

    # Reset with a generated passphrase, must change at next sign-in.
    page.goto(f"{site}/console/people/{student.user_id}/reset/")
    expect(page.locator("#how-generate")).to_be_checked()
    expect(page.locator("#id_must_change")).to_be_checked()
    checked(page)
    page.locator("main form button[type=submit]:not(.button--secondary)").click()
    password = page.locator("[data-secret]").inner_text().strip()
    checked(page)
    sign_out(page)

    enter_password(page, site, student.user_id, password)  # then their phone, as every sign-in of theirs
    page.locator("main form button[type=submit]:not(.button--secondary)").click()
    page.locator("input[name=code]").fill(outbox("+15550200"))
    page.locator("main form button[type=submit]:not(.button--secondary)").click()
    expect(page).to_have_url(f"{site}/account/password/")


@pytest.fixture
def classroom(student, tmp_path):
    teacher = staff_member("lucia.fernandez@district.example", ["Teachers"], department="Washington Elementary")
    bundle = Bundle(
        orgs=[org("wes", "Washington Elementary")],
        users=[user("t1", teacher.user_id, role="teacher", orgSourcedIds="wes"),
               user("s1", student.user_id, orgSourcedIds="wes")],
        classes=[section("read-3", "Reading 3", school="wes")],
        enrollments=[enrol("e1", "read-3", "t1", role="teacher", schoolSourcedId="wes"),
                     enrol("e2", "read-3", "s1", schoolSourcedId="wes")],
    )
    domains = django_settings.CONFIG.directory.domains
    import_roster(bundle.folder(tmp_path / "roster"), find=people.find, domains=domains)
    return teacher


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_teacher_resets_a_student_and_the_sheet_signs_them_in(page_in, site, student, classroom, outbox, settings,
                                                                configure, language):
    settings.BASE_URL = site  # the sheet's QR codes carry the address the student's browser opens
    page = page_in(language, **PHONE)
    staff_sign_in(page, site, classroom)
    configure(methods={"require_registration": True})  # for the student, who has no security info yet
    page.locator("a[href='/console/']").click()
    expect(page).to_have_url(f"{site}/console/classes/")
    checked(page)
    page.locator("a[href='/console/classes/read-3/']").click()
    checked(page)

    # Reset the student's password, from the class list.
    page.locator(f"a[href^='/console/people/{student.user_id}/']").click()
    checked(page)
    page.locator(f"a[href^='/console/people/{student.user_id}/reset/']").click()
    expect(page.locator("#id_reason")).to_have_count(0)  # a teacher is with their class
    page.locator("main form button[type=submit]:not(.button--secondary)").click()
    expect(page.locator("[data-secret]")).to_be_visible()
    checked(page)

    # The class sign-in sheet.
    page.goto(f"{site}/console/classes/read-3/")
    with page.expect_download() as download:
        page.locator("form[action='/console/classes/read-3/sheet/'] button").click()
    pdf = pypdf.PdfReader(download.value.path())
    codes = [found.text for sheet in pdf.pages for image in sheet.images
             for found in zxingcpp.read_barcodes(image.image)]
    assert len(codes) == 1 and urlsplit(codes[0]).path == "/signin/pass/"
    page.reload()
    checked(page)
    sign_out(page)

    # The student scans the code: the form fills itself from the address's fragment.
    student_page = page_in(language, **PHONE)
    student_page.goto(codes[0])
    expect(student_page.locator("#id_user_id")).to_have_value(student.user_id)
    expect(student_page).to_have_url(f"{site}/signin/pass/")  # the pass leaves the address bar and history
    checked(student_page)
    student_page.locator("main form button[type=submit]:not(.button--secondary)").click()

    # A new password without the old one, then security info without re-entering a password.
    expect(student_page).to_have_url(f"{site}/account/password/")
    expect(student_page.locator("#id_old_password")).to_have_count(0)
    checked(student_page)
    student_page.locator("#id_new_password").fill(NEW_PASSWORD)
    student_page.locator("#id_confirm_password").fill(NEW_PASSWORD)
    student_page.locator("main form button[type=submit]:not(.button--secondary)").click()
    expect(student_page).to_have_url(f"{site}/security-info/register/")
    student_page.goto(f"{site}/security-info/add/email/")
    expect(student_page).to_have_url(f"{site}/security-info/add/email/")
    student_page.locator("input[type=email]").fill("chris@personal.example")
    student_page.locator("main form button[type=submit]:not(.button--secondary)").click()
    student_page.locator("input[name=code]").fill(outbox("chris@personal.example"))
    student_page.locator("main form button[type=submit]:not(.button--secondary)").click()
    expect(student_page).to_have_url(f"{site}/security-info/")
    assert re.search("chris@personal.example", student_page.locator("main").inner_text())


@pytest.mark.parametrize("language", ["en", "es"])
def test_an_admin_makes_an_api_key_on_an_accessible_page(page_in, site, language):
    admin = staff_member("riley.morgan@district.example", ["IT Admins"])
    page = page_in(language, **PHONE)
    staff_sign_in(page, site, admin)
    page.goto(f"{site}/console/api-keys/")
    checked(page)
    page.locator("#id_name").fill("ticketing")
    page.locator("input[value='people:read']").check()
    page.locator("main form.stack button[type=submit]").click()
    expect(page.locator("[data-secret]")).to_contain_text("sspr_")
    checked(page)


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_text_message_sign_in_proves_the_authenticator_on_an_accessible_console_page(page_in, site, outbox,
                                                                                          language):
    technician = staff_member("grace.kim@district.example", ["Help Desk"])
    phone = give_method(technician, "phone", "+15550155")
    page = page_in(language, **PHONE)
    enter_password(page, site, technician.user_id, technician.password)
    page.locator(f"input[value='{phone.pk}:sms']").check()
    page.locator("main form button[type=submit]:not(.button--secondary)").click()
    page.locator("input[name=code]").fill(outbox("+15550155"))
    page.locator("main form button[type=submit]:not(.button--secondary)").click()
    expect(page).to_have_url(f"{site}/account/")
    page.goto(f"{site}/console/")
    expect(page).to_have_url(re.compile(r"/console/verify/"))
    checked(page)
    page.locator(f"input[value='{technician.method.pk}:']").check()
    page.locator("main form button[type=submit]:not(.button--secondary)").click()
    page.locator("input[name=code]").fill(current_code())
    page.locator("main form button[type=submit]:not(.button--secondary)").click()
    expect(page).to_have_url(f"{site}/console/")


def test_staff_without_an_authenticator_are_sent_to_security_info_accessibly(page_in, site, outbox):
    texter = staff_member("pat.lee@district.example", ["Help Desk"], authenticator=False)
    give_method(texter, "phone", "+15550156")
    for language in ("en", "es"):
        page = page_in(language, **PHONE)
        enter_password(page, site, texter.user_id, texter.password)
        page.locator("main form button[type=submit]:not(.button--secondary)").click()
        page.locator("input[name=code]").fill(outbox("+15550156"))
        page.locator("main form button[type=submit]:not(.button--secondary)").click()
        page.goto(f"{site}/console/")
        expect(page.locator("a[href='/security-info/']")).to_be_visible()
        checked(page)
