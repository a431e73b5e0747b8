"""Changing a known password in a real browser: the live checklist, the result, and what it does
to the old password, other sessions and the person's inbox."""

import re

import pytest
from playwright.sync_api import expect

from sspr.demo.models import OutboxMessage

from .helpers import assert_accessible, sign_in

NEW = "Purple lanterns drift over quiet harbors!"

HEADINGS = {"en": "Change password", "es": "Cambiar contraseña"}
ERRORS = {"en": "At least 15 characters", "es": "Al menos 15 caracteres"}


@pytest.fixture
def demo_outbox(settings):
    settings.DEMO = True  # notifications land in the demo outbox, as in `make demo`


def test_it_changes_a_password_end_to_end(page, page_in, site, student, demo_outbox):
    elsewhere = page_in("en")
    sign_in(elsewhere, site, student.user_id, student.password)

    sign_in(page, site, student.user_id, student.password)
    page.get_by_role("link", name="Change password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change password")
    expect(page.locator("#id_user_id")).to_have_value(student.user_id)
    page.locator("#id_old_password").fill(student.password)

    new_password = page.locator("#id_new_password")
    new_password.press_sequentially("chris")
    rules = page.locator("#password-rules")
    expect(rules.locator("[data-rule=length]")).to_have_class(re.compile("rule--unmet"))
    expect(rules.locator("[data-rule=context]")).to_contain_text("Must not contain “Chris”")
    new_password.fill(NEW)
    new_password.dispatch_event("input")
    for rule in ("length", "common", "published", "context", "strength"):  # no breach source configured
        expect(rules.locator(f"[data-rule={rule}]")).to_have_class(re.compile("rule--met"))
    assert_accessible(page)

    page.locator("#id_confirm_password").fill(NEW)
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_role("status")).to_contain_text("You have successfully changed your password")
    expect(page.locator(".profile")).to_contain_text(student.user_id)

    elsewhere.reload()  # the other browser was signed out
    expect(elsewhere.get_by_role("heading", level=1)).to_have_text("Sign in with your organizational account")

    page.get_by_role("button", name="Sign out").click()
    page.locator("#id_user_id").fill(student.user_id)
    page.locator("#id_password").fill(student.password)
    page.locator("main form button[type=submit]:not(.button--secondary)").click()
    expect(page.get_by_role("alert")).to_contain_text("Your user ID or password is incorrect.")
    sign_in(page, site, student.user_id, NEW)

    mail = OutboxMessage.objects.get(to=student.user_id)
    assert "password was changed" in mail.subject and NEW not in mail.body


def test_it_explains_refusals_without_javascript(browser, site, student, language):
    context = browser.new_context(java_script_enabled=False, locale={"en": "en-US", "es": "es-ES"}[language])
    page = context.new_page()
    sign_in(page, site, student.user_id, student.password)
    page.goto(f"{site}/account/password/")
    expect(page.get_by_role("heading", level=1)).to_have_text(HEADINGS[language])
    page.locator("#id_old_password").fill(student.password)
    page.locator("#id_new_password").fill("chris")
    page.locator("#id_confirm_password").fill("chris")
    page.locator("main form button[type=submit]:not(.button--secondary)").click()
    expect(page.get_by_role("alert")).to_contain_text(ERRORS[language])
    context.close()  # no axe here: it runs as a script, which this page does not allow


def test_the_change_page_and_the_idea_page_are_accessible(lang_page, site, student, language):
    sign_in(lang_page, site, student.user_id, student.password)
    lang_page.goto(f"{site}/account/password/")
    expect(lang_page.get_by_role("heading", level=1)).to_have_text(HEADINGS[language])
    assert_accessible(lang_page)
    lang_page.locator("#id_old_password").fill(student.password)
    lang_page.locator("#id_new_password").fill("chris")
    lang_page.locator("main form button[type=submit]:not(.button--secondary)").click()
    expect(lang_page.get_by_role("alert")).to_be_visible()
    assert_accessible(lang_page)  # with the errors shown
    lang_page.goto(f"{site}/password/idea/")
    assert_accessible(lang_page)


def test_need_an_idea_fills_in_a_suggestion(page, site, student):
    sign_in(page, site, student.user_id, student.password)
    page.goto(f"{site}/account/password/")
    page.get_by_role("link", name="Need an idea?").click()
    idea = page.locator("[data-password-idea-output]")
    expect(idea).to_have_text(re.compile(r"^\S+( \S+){3,}$"))
