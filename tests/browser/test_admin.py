"""The operators' admin (Django's own pages, with our audit trail in it), behind our two-step sign-in."""

from playwright.sync_api import expect

from sspr.actors import Actor
from sspr.audit.models import Tag, record

from ..conftest import Operator
from .helpers import assert_accessible

PASSWORD = "Operator passphrase for the audit trail!"
CODE_HEADING = {"en": "Verification code", "es": "Código de verificación"}


def test_the_admin_sign_in_and_audit_trail_are_accessible(page_in, site, transactional_db, language):
    operator = Operator("operator", PASSWORD)
    record(Actor.cli(), Tag.SIGNIN_SUCCESS, subject="csmith1234@student.district.example")
    page = page_in(language)
    page.goto(f"{site}/admin/login/")
    assert_accessible(page)
    page.locator("#id_username").fill("operator")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("input[type=submit]").click()
    # The second step: the code of the operator's authenticator app.
    expect(page).to_have_url(f"{site}/admin/login/code/")
    expect(page.locator("h1")).to_have_text(CODE_HEADING[language])
    assert_accessible(page)
    page.locator("#id_code").fill("000000" if operator.code() != "000000" else "111111")
    page.locator("input[type=submit]").click()
    expect(page.locator(".errorlist")).to_be_visible()
    assert_accessible(page)
    page.locator("#id_code").fill(operator.code())
    page.locator("input[type=submit]").click()
    expect(page).to_have_url(f"{site}/admin/")
    page.goto(f"{site}/admin/audit/auditevent/")
    expect(page.locator("#result_list")).to_contain_text("csmith1234@student.district.example")
    assert_accessible(page)
    page.locator("#result_list tbody a").first.click()
    expect(page.locator("h1")).to_be_visible()
    assert_accessible(page)
    page.goto(f"{site}/admin/")
    assert_accessible(page)


def test_a_wrong_password_at_the_admin_is_explained_accessibly(page_in, site, transactional_db, language):
    Operator("operator", PASSWORD)
    page = page_in(language)
    page.goto(f"{site}/admin/login/")
    page.locator("#id_username").fill("operator")
    page.locator("#id_password").fill("Not the operator's passphrase!")
    page.locator("input[type=submit]").click()
    expect(page.locator(".errornote")).to_be_visible()
    assert_accessible(page)
