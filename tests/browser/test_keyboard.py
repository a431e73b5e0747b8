"""A student signs in with the keyboard alone, and the skip link does what it says."""

import re

from playwright.sync_api import expect

from .helpers import TEXT

FOCUSED_ID = "() => document.activeElement && document.activeElement.id"


def account_url(site):
    # A fragment followed before the POST (#main from the skip link, #id_password from the error
    # summary) rides along through the redirect, as browsers do.
    return re.compile(re.escape(f"{site}/account/") + "(#[a-z_]+)?$")


def test_it_lets_a_student_sign_in_with_only_the_keyboard(page, site, student):
    page.goto(f"{site}/signin/")

    # The first Tab lands on the skip link, which becomes visible on screen.
    page.keyboard.press("Tab")
    skip = page.locator("a.skip-link")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box and box["x"] >= 0 and box["y"] >= 0 and box["width"] > 1, "skip link is not visible when focused"

    # Following it moves focus into <main>; the next Tab reaches the first field.
    page.keyboard.press("Enter")
    assert page.evaluate(FOCUSED_ID) == "main"
    page.keyboard.press("Tab")
    expect(page.locator("#id_user_id")).to_be_focused()
    page.keyboard.type(student.user_id)
    page.keyboard.press("Tab")
    expect(page.locator("#id_password")).to_be_focused()
    page.keyboard.type(student.password)
    page.keyboard.press("Enter")

    expect(page).to_have_url(account_url(site))
    expect(page.locator("h1")).to_have_text(TEXT["en"]["profile_heading"])

    # On "My account" the skip link jumps past the header and its sign-out button. (Loaded
    # afresh: with #main in the URL the browser starts Tab navigation at <main> already.)
    page.goto(f"{site}/account/")
    page.keyboard.press("Tab")
    expect(page.locator("a.skip-link")).to_be_focused()
    page.keyboard.press("Enter")
    assert page.evaluate(FOCUSED_ID) == "main"


def test_it_lets_a_keyboard_user_reach_the_error_and_fix_it(page, site, student):
    page.goto(f"{site}/signin/")
    page.locator("#id_user_id").focus()
    page.keyboard.type(student.user_id)
    page.keyboard.press("Enter")  # no password yet
    expect(page.locator(".error-summary")).to_be_visible()

    # The summary's link takes focus to the field at fault.
    link = page.locator('.error-summary a[href="#id_password"]')
    link.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#id_password")).to_be_focused()
    page.keyboard.type(student.password)
    page.keyboard.press("Enter")
    expect(page).to_have_url(account_url(site))
