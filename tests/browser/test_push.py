"""The authenticator app in Chromium: a computer (one browser context) and a phone (another, at
360 px) as the person uses them. The phone opens the QR code's link, makes its key with WebCrypto
and keeps it in IndexedDB, and answers by polling the portal (headless Chromium cannot receive a
real push; the server side of Web Push is tested against a local push service in
tests/methods/test_push.py). The same app takes an authenticator-app key from its registration
page and shows its codes, offline too. axe runs on every screen of the app and of the pages around
it, in English and Spanish."""

import json
import re
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from sspr.audit.models import AuditEvent, Reason, Tag
from sspr.demo.models import OutboxMessage
from sspr.methods.kinds.totp import code_at
from sspr.methods.models import Method, PushRequest

from ..places import write_places
from .helpers import PHONE, assert_accessible
from .test_security_info import assert_fits_a_phone, enter_password, open_security_info

SAY = {
    "en": {"add": "Add this phone", "approve": "Approve", "deny": "No, it's not me",
           "signin": "Are you trying to sign in?", "pairing": "Are you adding this phone?",
           "setup": "Set it up now", "label": "Authenticator app: approve sign-ins",
           "added": "Your phone was added", "number": "Enter the number shown on your sign-in screen",
           "portal_app": "Using the Test Unified School District authenticator app", "app": "Authenticator app",
           "codes_added": "Codes added"},
    "es": {"add": "Agregar este teléfono", "approve": "Aprobar", "deny": "No, no soy yo",
           "signin": "¿Está intentando iniciar sesión?", "pairing": "¿Está agregando este teléfono?",
           "setup": "Configurarlo ahora", "label": "Aplicación de autenticación: aprobar inicios de sesión",
           "added": "Se agregó su teléfono", "number": "Escriba el número que aparece en su pantalla de inicio",
           "portal_app": "¿Usa la aplicación de autenticación de Test Unified School District",
           "app": "Aplicación de autenticación", "codes_added": "Se agregaron los códigos"},
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


def test_pairing_from_the_qr_link_and_a_sign_in_approved_on_the_phone(page, phone, site, student, base_is_site,
                                                                      configure, tmp_path):
    from sspr.methods import places

    configure(push={"geoip_database": write_places(tmp_path / "places.mmdb")})
    places._reader.cache_clear()
    add_phone(page, phone, site, student)
    method = Method.objects.get(kind="push")
    assert method.name == "Pixel"
    # The key was made by WebCrypto on the phone, kept in IndexedDB and cannot be exported.
    kept = phone.evaluate("""() => new Promise(resolve => {
        const opening = indexedDB.open("sspr-authenticator");
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
    expect(phone.locator("dd[data-request-place]")).to_have_text("Shelbyville, United States")
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


def test_an_answer_after_60_seconds_is_refused(page, phone, site, student, base_is_site):
    add_phone(page, phone, site, student)
    start_signin(page, site, student)
    expect(phone.get_by_role("heading", name=SAY["en"]["signin"])).to_be_visible(timeout=10000)
    # The minute passes while the request is on the phone's screen (the portal's clock decides).
    waiting = PushRequest.objects.filter(pairing__isnull=True, answered_at__isnull=True)
    assert waiting.update(expires_at=timezone.now() - timedelta(seconds=1)) == 1
    approve_signin(page, phone)
    expect(phone.locator("[data-app-status]")).to_contain_text("That request ended before your answer arrived")
    expect(page).to_have_url(f"{site}/signin/verify/")
    assert not PushRequest.objects.filter(decision="approved", pairing__isnull=True).exists()


def add_codes(computer: Page, phone: Page, site: str, language: str = "en", check: bool = False) -> str:
    """The authenticator-app registration on the computer, its codes taken by the app on the phone
    through the page's one-time link; the key the page showed."""
    say = SAY[language]
    computer.get_by_role("link", name=re.compile(rf"^{say['setup']}\s*: {say['app']}$")).click()
    expect(computer).to_have_url(f"{site}/security-info/add/totp/")
    computer.get_by_text(say["portal_app"]).click()
    if check:
        assert_accessible(computer)
        assert_fits_a_phone(computer)
    link = computer.locator("#portal-app a").get_attribute("href")
    assert link.startswith(f"{site}/app/#code=")
    phone.goto(link)
    expect(phone.locator("[data-app-status]")).to_contain_text(say["codes_added"])
    expect(phone.locator("[data-code-digits]")).to_have_text(re.compile(r"^[0-9]{3} [0-9]{3}$"))
    assert phone.url == f"{site}/app/"  # the link left the address bar (and the history)
    computer.locator("details.setup-key").first.locator("summary").click()
    return computer.locator(".setup-key__secret").inner_text().replace(" ", "")


def codes_near_now(secret: str) -> set[str]:
    step = int(time.time() // 30)
    return {code_at(secret, each) for each in (step - 1, step, step + 1)}


def test_the_app_shows_the_codes_of_an_authenticator_app_method(page, phone, site, student, base_is_site):
    enter_password(page, site, student.user_id, student.password)
    open_security_info(page, site, student.password)
    secret = add_codes(page, phone, site)
    shown = phone.locator("[data-code-digits]").inner_text().replace(" ", "")
    assert shown in codes_near_now(secret)  # the app's code is the one the portal computes
    expect(phone.locator("[data-code-name]")).to_have_text(f"Test Unified School District ({student.user_id})")
    # The key is a WebCrypto HMAC key that not even the app's own page can read back.
    kept = phone.evaluate("""() => new Promise(resolve => {
        const opening = indexedDB.open("sspr-authenticator");
        opening.onsuccess = () => {
            const all = opening.result.transaction("codes").objectStore("codes").getAll();
            all.onsuccess = () => resolve(all.result.map(c => ({extractable: c.key.extractable,
                algorithm: c.key.algorithm.name, hash: c.key.algorithm.hash.name})));
        };
    })""")
    assert kept == [{"extractable": False, "algorithm": "HMAC", "hash": "SHA-1"}]
    # The link works once: taken again (by someone who saw it), it gives nothing.
    token = page.locator("#portal-app a").get_attribute("href").split("#code=")[1]
    again = phone.request.post(f"{site}/app/api/code", data={"token": token})
    assert again.status == 404 and again.json() == {"error": "unknown_offer"}
    assert secret not in json.dumps(again.json())
    # The code the app shows finishes the registration.
    page.get_by_label("Code").fill(phone.locator("[data-code-digits]").inner_text().replace(" ", ""))
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(f"{site}/security-info/")
    expect(page.get_by_role("status")).to_have_text("Authenticator app added.")
    assert AuditEvent.objects.filter(tag=Tag.APP_KEY_TAKEN, subject=student.user_id).count() == 1
    # Offline, the app still shows the codes: they are computed on the phone.
    phone.wait_for_function("() => navigator.serviceWorker.ready.then(() => true)")
    phone.reload()
    phone.wait_for_function("() => navigator.serviceWorker.controller !== null")
    phone.context.set_offline(True)
    phone.reload()
    expect(phone.locator("[data-offline]")).to_be_visible()
    expect(phone.locator("[data-code-digits]")).to_have_text(re.compile(r"^[0-9]{3} [0-9]{3}$"))
    assert phone.locator("[data-code-digits]").inner_text().replace(" ", "") in codes_near_now(secret)
    # Removed from the phone, they are gone from it (the method stays on the account).
    phone.once("dialog", lambda dialog: dialog.accept())
    phone.get_by_role("button", name="Remove").click()
    expect(phone.locator("[data-codes-section]")).to_be_hidden()
    assert Method.objects.filter(kind="totp").count() == 1


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_codes_screen_passes_axe_on_a_phone(page_in, site, student, base_is_site, language):
    computer, phone = page_in(language, **PHONE), page_in(language, **PHONE)
    enter_password(computer, site, student.user_id, student.password)
    open_security_info(computer, site, student.password)
    add_codes(computer, phone, site, language, check=True)
    assert_accessible(phone)
    assert_fits_a_phone(phone)
    # The app's page holds nothing of a sign-in, whoever was signed in when it was cached.
    computer.goto(f"{site}/app/")
    expect(computer.locator("form[action$='/signout/']")).to_have_count(0)
