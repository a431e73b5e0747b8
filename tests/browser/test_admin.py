"""The operators' admin (Django's own pages, with our audit trail in it)."""

from playwright.sync_api import expect

from sspr.actors import Actor
from sspr.audit.models import Tag, record

from .helpers import assert_accessible

PASSWORD = "Operator passphrase for the audit trail!"


def test_the_admin_sign_in_and_audit_trail_are_accessible(page_in, site, django_user_model, language):
    django_user_model.objects.create_superuser("operator", PASSWORD)
    record(Actor.cli(), Tag.SIGNIN_SUCCESS, subject="csmith1234@student.district.example")
    page = page_in(language)
    page.goto(f"{site}/admin/login/")
    assert_accessible(page)
    page.locator("#id_username").fill("operator")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("input[type=submit]").click()
    page.goto(f"{site}/admin/audit/auditevent/")
    expect(page.locator("#result_list")).to_contain_text("csmith1234@student.district.example")
    assert_accessible(page)
    page.locator("#result_list tbody a").first.click()
    expect(page.locator("h1")).to_be_visible()
    assert_accessible(page)
    page.goto(f"{site}/admin/")
    assert_accessible(page)
