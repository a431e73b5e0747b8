"""Spanish for browsers that ask for it, and the footer button that switches language."""

import pytest
from playwright.sync_api import expect

from .helpers import TEXT


@pytest.mark.parametrize("locale", ["es-ES", "es-MX", "es-419"])
def test_it_greets_a_spanish_browser_in_spanish(new_context, site, locale):
    page = new_context(locale=locale).new_page()
    page.goto(f"{site}/signin/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator("h1")).to_have_text(TEXT["es"]["signin_heading"])
    expect(page.get_by_label("Id. de usuario", exact=True)).to_be_visible()
    expect(page.get_by_label("Contraseña", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Iniciar sesión")).to_be_visible()
    assert page.title().startswith("Iniciar sesión | ")


def test_it_switches_language_with_the_footer_button(page, site):
    page.goto(f"{site}/signin/")
    expect(page.locator("h1")).to_have_text(TEXT["en"]["signin_heading"])

    switch = page.locator("footer .language-switch button")
    expect(switch).to_have_text(TEXT["es"]["language_name"])
    expect(switch).to_have_attribute("lang", "es")
    switch.click()
    expect(page).to_have_url(f"{site}/signin/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator("h1")).to_have_text(TEXT["es"]["signin_heading"])

    # The choice is remembered in a Secure, __Host- cookie, over the browser's own preference.
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["__Host-sspr_language"]["value"] == "es"
    assert cookies["__Host-sspr_language"]["secure"]
    page.goto(f"{site}/no/such/page/")
    expect(page.locator("h1")).to_have_text(TEXT["es"]["not_found"])

    page.locator("footer .language-switch button").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text(TEXT["en"]["not_found"])
