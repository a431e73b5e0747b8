"""Helpers shared by the browser tests: axe checks, signing in, and the text each page shows."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
LOCALES = {"en": "en-US", "es": "es-ES"}

_axe = Axe()


def assert_accessible(page: Page, context=None) -> None:
    """Run axe-core on the page as it is now; fail listing every violation."""
    violations = _axe.run(page, context=context).response["violations"]
    if not violations:
        return
    lang = page.locator("html").get_attribute("lang")
    lines = [f"{len(violations)} accessibility violation(s) on {page.url} (lang={lang}):"]
    for violation in violations:
        impact, link = violation.get("impact"), violation.get("helpUrl", "")
        lines.append(f"- {violation['id']} [{impact}]: {violation['help']} ({link})")
        for node in violation["nodes"]:
            summary = (node.get("failureSummary") or "").strip().replace("\n", " | ")
            lines.append(f"    target {node['target']}: {summary}")
    pytest.fail("\n".join(lines), pytrace=False)


def sign_in(page: Page, base: str, user_id: str, password: str) -> None:
    """Sign in through the form as a person would, and wait for "My account"."""
    page.goto(f"{base}/signin/")
    page.locator("#id_user_id").fill(user_id)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]:not(.button--secondary)").click()
    expect(page).to_have_url(f"{base}/account/")


# What a person sees, per language; the Spanish comes from src/sspr/locale/es.
TEXT = {
    "en": {
        "signin_heading": "Sign in with your organizational account",
        "profile_heading": "My account",
        "problem": "There is a problem",
        "incorrect": "Your user ID or password is incorrect.",
        "not_found": "We cannot find that page",
        "expired": "This page has expired",
        "outbox": "Demo outbox",
        "language_name": "English",
    },
    "es": {
        "signin_heading": "Inicie sesión con la cuenta de su organización",
        "profile_heading": "Mi cuenta",
        "problem": "Hay un problema",
        "incorrect": "El Id. de usuario o la contraseña no son correctos.",
        "not_found": "No encontramos esa página",
        "expired": "Esta página expiró",
        "outbox": "Bandeja de salida de la demostración",
        "language_name": "Español",
    },
}
