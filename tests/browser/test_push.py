"""The authenticator app in Chromium: a computer (one browser context) and a phone (another, at
360 px) as the person uses them. The phone opens the QR code's link, makes its key with WebCrypto
and keeps it in IndexedDB, and answers by polling the portal (headless Chromium cannot receive a
real push; the server side of Web Push is tested against a local push service in
tests/methods/test_push.py, as are answers after 60 s). axe runs on every screen of the app and of
the pages around it, in English and Spanish."""

import json
import re

import pytest
from playwright.sync_api import Page, expect

from sspr.audit.models import AuditEvent, Reason, Tag
from sspr.demo.models import OutboxMessage
from sspr.methods.models import Method

from .helpers import PHONE, assert_accessible
from .test_security_info import assert_fits_a_phone, enter_password, open_security_info

SAY = {
    "en": {"add": "Add this phone", "approve": "Approve", "deny": "No, it's not me",
           "signin": "Are you trying to sign in?", "pairing": "Are you adding this phone?",
           "setup": "Set it up now", "label": "Authenticator app: approve sign-ins",
           "added": "Your phone was added", "number": "Enter the number shown on your sign-in screen"},
    "es": {"add": "Agregar este teléfono", "approve": "Aprobar", "deny": "No, no soy yo",
           "signin": "¿Está intentando iniciar sesión?", "pairing": "¿Está agregando este teléfono?",
           "setup": "Configurarlo ahora", "label": "Aplicación de autenticación: aprobar inicios de sesión",
           "added": "Se agregó su teléfono", "number": "Escriba el número que aparece en su pantalla de inicio"},
}


@pytest.fixture
def base_is_site(settings, site):
    settings.BASE_URL = site  # the QR code's link opens on the live server


def number_on(page: Page) -> str:
    return page.locator(".push-number strong").inner_text().strip()


def add_phone(computer: Page, phone: Page, site: str, persona, language="en", name="Pixel", check=False) -> None:
    """The whole pairing: security info on the computer, the QR code's link on the phone."""
    say = SAY[language]
    enter_password(computer, site, persona.user_id, persona.password)
    expect(computer).to_have_url(f"{site}/account/")
    open_security_info(computer, site, persona.password)
    computer.get_by_role("link", name=re.compile(rf"^{say['setup']}\s*: {say['label']}$")).click()
    expect(computer).to_have_url(f"{site}/security-info/add/push/")
    if check:
        assert_accessible(computer)
        assert_fits_a_phone(computer)
    link = computer.locator("details a").get_attribute("href")
    assert link.startswith(f"{site}/app/#pair=")
    phone.goto(link)
    expect(phone.get_by_role("heading", name=say["add"])).to_be_visible()
    if check:
        assert_accessible(phone)
        assert_fits_a_phone(phone)
    phone.get_by_label(re.compile("Name this phone|Asigne un nombre")).fill(name)
    phone.get_by_role("button", name=say["add"]).click()
    expect(phone.get_by_role("heading", name=say["pairing"])).to_be_visible(timeout=15000)
    phone.get_by_label(say["number"]).fill(number_on(computer))
    phone.get_by_role("button", name=say["approve"], exact=True).click()
    # The computer's page notices the approval by itself.
    expect(computer).to_have_url(f"{site}/security-info/", timeout=10000)
    expect(computer.locator(".messages")).to_contain_text(say["added"])


def start_signin(computer: Page, site: str, persona) -> None:
    computer.context.clear_cookies()
    enter_password(computer, site, persona.user_id, persona.password)
    expect(computer).to_have_url(f"{site}/signin/verify/")
    option = computer.get_by_label(re.compile("Approve a request on my authenticator app|Aprobar una solicitud"))
    if option.count():
        option.check()
        computer.locator("form button[type=submit]").first.click()
    expect(computer.locator(".push-number strong")).to_be_visible()


def approve_signin(computer: Page, phone: Page, language="en", number=None) -> None:
    say = SAY[language]
    expect(phone.get_by_role("heading", name=say["signin"])).to_be_visible(timeout=10000)
    phone.get_by_label(say["number"]).fill(number or number_on(computer))
    phone.get_by_role("button", name=say["approve"], exact=True).click()


@pytest.fixture
def phone(page_in):
    return page_in("en", **PHONE)


def test_pairing_from_the_qr_link_and_a_sign_in_approved_on_the_phone(page, phone, site, student, base_is_site):
    add_phone(page, phone, site, student)
    method = Method.objects.get(kind="push")
    assert method.name == "Pixel"
    # The key was made by WebCrypto on the phone, kept in IndexedDB and cannot be exported.
    kept = phone.evaluate("""() => new Promise(resolve => {
        const opening = indexedDB.open("sspr-authenticator", 1);
        opening.onsuccess = () => {
            const all = opening.result.transaction("phones").objectStore("phones").getAll();
            all.onsuccess = () => resolve(all.result.map(p => ({device: p.device,
                extractable: p.keys.privateKey.extractable, algorithm: p.keys.privateKey.algorithm.namedCurve})));
        };
    })""")
    assert kept == [{"device": method.data["device_id"], "extractable": False, "algorithm": "P-256"}]
    expect(phone.locator("[data-app-status]")).to_contain_text("This phone now approves your sign-ins")

    start_signin(page, site, student)
    assert_accessible(page)
    expect(phone.locator("[data-request-application]")).to_have_text("Sign in to Test Unified School District",
                                                                      timeout=10000)
    assert student.user_id not in phone.content()
    approve_signin(page, phone)
    expect(page).to_have_url(f"{site}/account/", timeout=10000)
    expect(phone.locator("[data-app-status]")).to_contain_text("Go back to the page you were signing in on")


def test_a_wrong_number_is_refused(page, phone, site, student, base_is_site):
    add_phone(page, phone, site, student)
    start_signin(page, site, student)
    wrong = "10" if number_on(page) != "10" else "11"
    approve_signin(page, phone, number=wrong)
    expect(phone.locator("[data-app-status]")).to_contain_text("That isn't the number on your sign-in screen")
    expect(page.locator(".error-summary")).to_contain_text("didn't match", timeout=10000)
    expect(page).to_have_url(f"{site}/signin/verify/")
    # A number that is not two digits is not even sent.
    start_signin(page, site, student)
    expect(phone.get_by_role("heading", name=SAY["en"]["signin"])).to_be_visible(timeout=10000)
    phone.get_by_role("button", name="Approve", exact=True).click()
    expect(phone.locator("[data-number-error]")).to_have_text("Enter the two-digit number shown on your sign-in "
                                                               "screen.")
    expect(phone.get_by_label(SAY["en"]["number"])).to_have_attribute("aria-invalid", "true")


def test_no_its_not_me_denies_and_notifies(page, phone, site, student, base_is_site, outbox):
    add_phone(page, phone, site, student)
    OutboxMessage.objects.all().delete()
    start_signin(page, site, student)
    expect(phone.get_by_role("heading", name=SAY["en"]["signin"])).to_be_visible(timeout=10000)
    phone.get_by_role("button", name="No, it's not me").click()
    expect(phone.locator("[data-app-status]")).to_contain_text("Request denied and stopped")
    expect(page.locator(".error-summary")).to_contain_text("No, it's not me", timeout=10000)
    assert not page.url.endswith("/account/")
    assert AuditEvent.objects.filter(tag=Tag.PUSH_DENIED, reason=Reason.SUSPECTED_ATTACK,
                                     subject=student.user_id).count() == 1
    notice = OutboxMessage.objects.get(channel="email", to=student.account.email)
    assert "Someone may be trying to sign in" in notice.subject


def test_a_replayed_answer_and_another_phones_key_are_refused(page, phone, page_in, site, student, staff,
                                                              base_is_site):
    add_phone(page, phone, site, student)
    other_computer, other_phone = page_in("en"), page_in("en", **PHONE)
    add_phone(other_computer, other_phone, site, staff, name="Staff phone")
    start_signin(page, site, student)
    with phone.expect_request(re.compile(r"/app/api/answer$")) as answered:
        approve_signin(page, phone)
    signed = json.loads(answered.value.post_data)
    expect(page).to_have_url(f"{site}/account/", timeout=10000)
    # The very answer the app signed, sent again: refused.
    replayed = phone.request.post(f"{site}/app/api/answer", data=signed)
    assert replayed.status == 409 and replayed.json() == {"error": "answered"}
    # A new request, answered with that signature under another phone's device: refused.
    start_signin(page, site, student)
    waiting = phone.evaluate("() => document.querySelector('[data-request-heading]') !== null")
    assert waiting
    staff_device = Method.objects.get(kind="push", name="Staff phone").data["device_id"]
    forged = phone.request.post(f"{site}/app/api/answer", data={**signed, "device": staff_device})
    assert forged.status == 403 and forged.json() == {"error": "bad_signature"}
    # The staff member's phone, signing for itself, cannot see nor answer the student's request.
    expect(other_phone.locator("[data-screen=request]")).to_be_hidden()
    approve_signin(page, phone)
    expect(page).to_have_url(f"{site}/account/", timeout=10000)


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_app_and_its_pages_pass_axe_on_a_phone(page_in, site, student, base_is_site, language):
    computer, phone = page_in(language, **PHONE), page_in(language, **PHONE)
    phone.goto(f"{site}/app/")
    expect(phone.locator("[data-screen=home]")).to_be_visible()
    assert phone.locator("html").get_attribute("lang") == language
    assert_accessible(phone)
    assert_fits_a_phone(phone)
    add_phone(computer, phone, site, student, language, check=True)
    # Each screen of the app, and the computer's pages, at 360 px too.
    start_signin(computer, site, student)
    expect(phone.get_by_role("heading", name=SAY[language]["signin"])).to_be_visible(timeout=10000)
    assert_accessible(phone)
    assert_fits_a_phone(phone)
    phone.get_by_role("button", name=SAY[language]["approve"], exact=True).click()  # no number: the error
    expect(phone.locator("[data-number-error]")).not_to_be_empty()
    assert_accessible(phone)
    assert_accessible(computer)  # the sign-in page waiting, with its number
    assert_fits_a_phone(computer)


def test_the_app_opens_offline(phone, site, context):
    phone.goto(f"{site}/app/")
    phone.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller !== null "
                            "|| navigator.serviceWorker.ready.then(() => true)")
    phone.reload()
    phone.wait_for_function("() => navigator.serviceWorker.controller !== null")
    phone.context.set_offline(True)
    phone.reload()
    expect(phone.get_by_role("heading", name="Authenticator")).to_be_visible()
    expect(phone.locator("[data-offline]")).to_be_visible()
