"""At 360x740 (a small phone) nothing scrolls sideways and every button is a 44 px target."""

from playwright.sync_api import expect

from .helpers import PHONE, TEXT, sign_in

WIDTH = PHONE["viewport"]["width"]
MIN_TARGET = 44

SHORT_TARGETS = """minimum => [...document.querySelectorAll('button, input:not([type=hidden]), .button')]
    .filter(el => el.offsetParent !== null)
    .map(el => ({what: el.outerHTML.slice(0, 80), height: el.getBoundingClientRect().height}))
    .filter(t => t.height < minimum)"""


def assert_fits_a_phone(page):
    scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll_width <= WIDTH, f"{page.url} scrolls sideways: {scroll_width}px wide at {WIDTH}px"
    assert page.evaluate(SHORT_TARGETS, MIN_TARGET) == [], f"{page.url}: buttons shorter than {MIN_TARGET}px"


def test_it_fits_the_sign_in_page_on_a_phone(page_in, site, language):
    page = page_in(language, **PHONE)
    page.goto(f"{site}/signin/")
    expect(page.locator("h1")).to_have_text(TEXT[language]["signin_heading"])
    assert_fits_a_phone(page)
    # With errors shown the page is longest.
    page.locator("#id_user_id").fill("csmith1234")  # a bare name: the "add your domain" error
    page.locator("main form button[type=submit]:not(.button--secondary)").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert_fits_a_phone(page)


def test_it_fits_the_account_page_on_a_phone(page_in, site, language, student):
    page = page_in(language, **PHONE)
    sign_in(page, site, student.user_id, student.password)
    expect(page.locator("h1")).to_have_text(TEXT[language]["profile_heading"])
    assert_fits_a_phone(page)
