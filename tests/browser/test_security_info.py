"""Security info and the sign-in second step in a real browser: registering methods, signing in
with each of them, "don't ask again", the password re-entry guarding the page, and every new
page checked by axe (English and Spanish), on a phone's screen and with the keyboard alone.

Codes sent by text, call or email land in the demo outbox (the `outbox` fixture reads them);
authenticator codes are computed from the key the page shows; passkeys come from Chromium's
virtual authenticator (driven over CDP, as in tests/methods/test_passkey.py)."""

import re
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from sspr.demo.models import OutboxMessage
from sspr.methods.crypto import seal
from sspr.methods.kinds.totp import code_at, new_secret
from sspr.methods.models import Method, RememberedDevice

from ..methods.conftest import give_method, local_user
from .helpers import PHONE, assert_accessible, sign_in

NUMBER, MASKED = "+12025550143", "+X XXXXXXXX43"
PERSONAL = "chris@personal.example"
NEW_PASSWORD = "Purple lanterns drift over quiet harbors!"
MIN_TARGET = 44
WIDTH = PHONE["viewport"]["width"]
PHONE_LABEL = {"en": "Authentication phone", "es": "Teléfono de autenticación"}
ADDED_PHONE = {"en": "Authentication phone added: +1 202-555-0143.",
               "es": "Método agregado: Teléfono de autenticación, +1 202-555-0143."}

# Buttons (and text fields) shorter than a 44 px target; radios and checkboxes are measured with
# their labels, which take the tap too, against WCAG 2.5.8's 24 px.
SHORT_TARGETS = """minimum => {
  const shown = el => el.offsetParent !== null;
  const height = el => el.getBoundingClientRect().height;
  const short = [];
  for (const el of document.querySelectorAll(
      'button, .button, input:not([type=hidden]):not([type=radio]):not([type=checkbox]), select')) {
    if (shown(el) && height(el) < minimum) short.push(el.outerHTML.slice(0, 80) + ': ' + height(el));
  }
  for (const el of document.querySelectorAll('input[type=radio], input[type=checkbox]')) {
    const label = el.labels[0];
    if (shown(el) && Math.max(height(el), label ? height(label) : 0) < 24) short.push(el.outerHTML.slice(0, 80));
  }
  return short;
}"""


def assert_fits_a_phone(page: Page) -> None:
    scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll_width <= WIDTH, f"{page.url} scrolls sideways: {scroll_width}px wide at {WIDTH}px"
    assert page.evaluate(SHORT_TARGETS, MIN_TARGET) == [], f"{page.url}: targets too small"


def enter_password(page: Page, site: str, user_id: str, password: str) -> None:
    """The first step of signing in; where it leads is for the caller to expect."""
    page.goto(f"{site}/signin/")
    page.locator("#id_user_id").fill(user_id)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]:not(.button--secondary)").click()


def sign_out(page: Page) -> None:
    page.locator("header form.signout button").click()
    page.wait_for_url(re.compile(r"/signin/$"))


def open_security_info(page: Page, site: str, password: str) -> None:
    """Re-enter the password (someone with no methods yet needs nothing more)."""
    page.goto(f"{site}/security-info/")
    expect(page).to_have_url(f"{site}/security-info/confirm-password/")
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]:not(.button--secondary)").click()
    expect(page).to_have_url(f"{site}/security-info/")


def require_registration(settings) -> None:
    settings.CONFIG = settings.CONFIG.model_copy(update={"methods": settings.CONFIG.methods.model_copy(
        update={"require_registration": True})})


def setup_link(page: Page, method: str):
    # "Set it up now" carries the method's name for screen readers, in a visually hidden span
    # (which Chromium reads after a space).
    return page.get_by_role("link", name=re.compile(rf"^Set it up now\s*: {method}$"))


def totp_code(secret: str) -> str:
    return code_at(secret, int(time.time() // 30))


# The registration journey ----------------------------------------------------------------------

def test_a_student_registers_phone_email_and_app_and_completes_registration(page, site, student, outbox, settings):
    require_registration(settings)
    enter_password(page, site, student.user_id, student.password)
    expect(page).to_have_url(f"{site}/security-info/register/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Don't lose access to your account!")
    page.get_by_role("link", name="Set it up now").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your current password")
    page.get_by_label("Password").fill(student.password)
    page.get_by_role("button", name="Re-enter my password").click()
    expect(page).to_have_url(f"{site}/security-info/")
    expect(page.locator("main")).to_contain_text("Authentication phone: not set up yet.")

    # Authentication phone, by text.
    setup_link(page, "Authentication phone").click()
    page.get_by_label("Select your country or region").select_option("US")
    page.get_by_label("Enter your authentication phone number").fill("(202) 555-0143")
    page.get_by_role("button", name="Text me").click()
    expect(page.locator("main")).to_contain_text(f"We texted a code to {MASKED}. Enter it below.")
    page.get_by_label("Code").fill(outbox(NUMBER))
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(f"{site}/security-info/")
    expect(page.get_by_role("status")).to_have_text("Authentication phone added: +1 202-555-0143.")
    expect(page.locator(".method").filter(has_text="Authentication phone")).to_contain_text("Set up: +1 202-555-0143")

    # Authentication email.
    setup_link(page, "Authentication email").click()
    page.get_by_label("Your personal email address").fill(PERSONAL)
    page.get_by_role("button", name="Email me").click()
    expect(page.locator("main")).to_contain_text("We sent a code to ch*****@personal.example")
    page.get_by_label("Code").fill(outbox(PERSONAL))
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(f"{site}/security-info/")
    expect(page.locator(".method").filter(has_text="Authentication email")).to_contain_text(f"Set up: {PERSONAL}")

    # Authenticator app, typing in the setup key as someone who cannot scan would.
    setup_link(page, "Authenticator app").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your authenticator app")
    page.get_by_text("Can't scan the QR code?").click()
    secret = page.locator(".setup-key__secret").inner_text().replace(" ", "")
    page.get_by_label("Code").fill(totp_code(secret))
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(f"{site}/security-info/")
    expect(page.get_by_role("status")).to_have_text("Authenticator app added.")
    app_row = page.locator(".method").filter(has=page.get_by_role("heading", name="Authenticator app", exact=True))
    expect(app_row).to_contain_text("Set up")
    expect(page.locator("main")).to_contain_text("3 methods set up.")

    page.get_by_role("button", name="Finish").click()
    expect(page).to_have_url(f"{site}/account/")
    expect(page.get_by_role("status")).to_contain_text("You have successfully completed registration")
    assert sorted(Method.objects.values_list("kind", flat=True)) == ["email", "phone", "totp"]
    assert local_user(student).security_info_confirmed_at is not None


# Signing in with each method -------------------------------------------------------------------

def choose(page: Page, option: str) -> None:
    page.get_by_label(option).check()
    page.get_by_role("button", name="Next").click()


def test_it_signs_in_with_each_method_and_another_way(page, site, student, outbox, settings):
    settings.BASE_URL = site  # a passkey is bound to the origin the browser sees
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True, "hasUserVerification": True,
        "isUserVerified": True, "automaticPresenceSimulation": True}})

    sign_in(page, site, student.user_id, student.password)
    open_security_info(page, site, student.password)
    setup_link(page, "Passkey").click()
    page.get_by_label("Name this passkey").fill("Test laptop")
    page.get_by_role("button", name="Create passkey").click()
    expect(page).to_have_url(f"{site}/security-info/")
    expect(page.get_by_role("status")).to_have_text("Passkey added: Test laptop.")
    expect(page.locator(".method").filter(has_text="Passkey")).to_contain_text("Set up: Test laptop")
    secret = new_secret()
    give_method(student, "phone", NUMBER)
    give_method(student, "email", PERSONAL)
    give_method(student, "totp", sealed_secret=seal(secret))
    sign_out(page)

    def second_step():
        enter_password(page, site, student.user_id, student.password)
        expect(page).to_have_url(f"{site}/signin/verify/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Verify your identity")

    def signed_in():
        expect(page).to_have_url(f"{site}/account/")
        sign_out(page)

    # The passkey, the strongest, is offered first.
    second_step()
    expect(page.get_by_label("Use my passkey (Test laptop)")).to_be_checked()
    page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Verify").click()
    signed_in()

    # "Sign in another way" goes back to the choice: a text instead.
    second_step()
    page.get_by_role("button", name="Next").click()
    expect(page.locator("main")).to_contain_text("your browser asks you to use your passkey")
    page.get_by_role("link", name="Sign in another way").click()
    expect(page.get_by_role("group", name="How do you want to verify your identity?")).to_be_visible()
    choose(page, f"Text my mobile phone ({MASKED})")
    expect(page.locator("main")).to_contain_text(f"We texted your phone {MASKED}")
    page.get_by_label("Code").fill(outbox(NUMBER))
    page.get_by_role("button", name="Verify").click()
    signed_in()

    second_step()
    choose(page, f"Call my mobile phone ({MASKED})")
    expect(page.locator("main")).to_contain_text(f"We're calling your phone {MASKED}. Enter the code you hear.")
    page.get_by_label("Code").fill(outbox(NUMBER))  # read out as "1, 2, 3, ..."
    page.get_by_role("button", name="Verify").click()
    signed_in()

    second_step()
    choose(page, "Email my alternate email (ch*****@personal.example)")
    expect(page.locator("main")).to_contain_text("We emailed a code to ch*****@personal.example")
    page.get_by_label("Code").fill(outbox(PERSONAL))
    page.get_by_role("button", name="Verify").click()
    signed_in()

    second_step()
    choose(page, "Use a verification code from my authenticator app")
    expect(page.locator("main")).to_contain_text("Open your authenticator app")
    page.get_by_label("Code").fill(totp_code(secret))
    page.get_by_role("button", name="Verify").click()
    signed_in()


# "Don't ask again" -----------------------------------------------------------------------------

def test_dont_ask_again_until_the_password_changes(page, site, student, staff, outbox):
    give_method(student, "phone", NUMBER)
    give_method(staff, "phone", "+12025550199")
    enter_password(page, site, student.user_id, student.password)
    choose(page, f"Text my mobile phone ({MASKED})")
    page.get_by_label("Code").fill(outbox(NUMBER))
    page.get_by_label("Don't ask again for 5 days").check()
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(f"{site}/account/")
    sign_out(page)

    sign_in(page, site, student.user_id, student.password)  # straight to My account
    sign_out(page)
    # The same browser, hence the same device cookie, does nothing for somebody else.
    enter_password(page, site, staff.user_id, staff.password)
    expect(page).to_have_url(f"{site}/signin/verify/")

    # The device is listed in security info (reached through the second step, never remembered).
    sign_in(page, site, student.user_id, student.password)
    page.goto(f"{site}/security-info/")
    page.get_by_label("Password").fill(student.password)
    page.get_by_role("button", name="Re-enter my password").click()
    expect(page).to_have_url(f"{site}/signin/verify/")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_label(re.compile("Don't ask again"))).to_have_count(0)
    page.get_by_label("Code").fill(outbox(NUMBER))
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(f"{site}/security-info/")
    expect(page.get_by_role("heading", name="Devices that don't ask for the second step")).to_be_visible()
    expect(page.locator(".devices")).to_contain_text("Chrome")

    page.goto(f"{site}/account/password/")
    page.locator("#id_old_password").fill(student.password)
    page.locator("#id_new_password").fill(NEW_PASSWORD)
    page.locator("#id_confirm_password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_role("status")).to_contain_text("You have successfully changed your password")
    sign_out(page)
    enter_password(page, site, student.user_id, NEW_PASSWORD)
    expect(page).to_have_url(f"{site}/signin/verify/")
    assert not RememberedDevice.objects.exists()


# The password guards security info -------------------------------------------------------------

def test_security_info_cannot_change_without_the_password_re_entered(page, site, student, outbox):
    sign_in(page, site, student.user_id, student.password)
    for path in ["/security-info/", "/security-info/add/phone/", "/security-info/add/totp/",
                 "/security-info/add/passkey/", "/security-info/finish/"]:
        page.goto(f"{site}{path}")
        expect(page).to_have_url(f"{site}/security-info/confirm-password/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your current password")
    page.get_by_label("Password").fill("not my password at all")
    page.get_by_role("button", name="Re-enter my password").click()
    expect(page.get_by_role("alert")).to_contain_text("Your password is incorrect.")
    page.goto(f"{site}/security-info/add/email/")
    expect(page).to_have_url(f"{site}/security-info/confirm-password/")

    # Someone with a method needs the second step as well: the password alone opens nothing.
    give_method(student, "email", PERSONAL)
    page.get_by_label("Password").fill(student.password)
    page.get_by_role("button", name="Re-enter my password").click()
    expect(page).to_have_url(f"{site}/signin/verify/")
    page.goto(f"{site}/security-info/add/phone/")
    expect(page).to_have_url(f"{site}/security-info/confirm-password/")
    assert Method.objects.count() == 1


# Every new page: axe, in English and Spanish, on a phone's screen --------------------------------

def check(page: Page, language: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", language)
    assert_accessible(page)
    assert_fits_a_phone(page)


def submit(page: Page, selector: str = "main form button[type=submit]:not(.button--secondary)") -> None:
    page.locator(selector).first.click()
    page.wait_for_load_state()


def test_every_security_info_page_is_accessible_and_fits_a_phone(page_in, site, language, student, outbox,
                                                                   settings):
    require_registration(settings)
    page = page_in(language, **PHONE)
    enter_password(page, site, student.user_id, student.password)
    expect(page).to_have_url(f"{site}/security-info/register/")
    check(page, language)  # the registration interruption

    page.goto(f"{site}/security-info/")
    expect(page).to_have_url(f"{site}/security-info/confirm-password/")
    check(page, language)
    page.locator("#id_password").fill("not my password at all")
    submit(page)
    expect(page.locator(".error-summary")).to_be_visible()
    check(page, language)
    page.locator("#id_password").fill(student.password)
    submit(page)
    expect(page).to_have_url(f"{site}/security-info/")
    check(page, language)  # nothing set up yet

    page.goto(f"{site}/security-info/add/phone/")
    check(page, language)
    page.locator("#id_region").select_option("US")
    page.locator("#id_number").fill("(202) 555-0143")
    submit(page, "button[name=action][value=text]")
    expect(page.locator("#id_code")).to_be_visible()
    check(page, language)  # code entry
    page.locator("#id_code").fill(outbox(NUMBER))
    submit(page)
    expect(page).to_have_url(f"{site}/security-info/")
    expect(page.get_by_role("status")).to_have_text(ADDED_PHONE[language])
    check(page, language)  # with the confirmation
    # The notice of the change names the method in the person's language too.
    notice = OutboxMessage.objects.filter(to=student.user_id, channel="email").first()
    assert notice is not None and f"({PHONE_LABEL[language]})" in notice.body, notice.body

    page.goto(f"{site}/security-info/add/email/")
    check(page, language)

    page.goto(f"{site}/security-info/add/questions/")
    check(page, language)
    submit(page)
    expect(page.locator(".error-summary")).to_be_visible()
    check(page, language)  # with every field's error

    page.goto(f"{site}/security-info/add/totp/")
    for summary in page.locator(".setup-key summary").all():  # the setup key, and the portal's own app
        summary.click()
    expect(page.locator(".setup-key__secret")).to_be_visible()
    expect(page.locator("#portal-app .qr-code svg")).to_be_visible()
    check(page, language)

    page.goto(f"{site}/security-info/add/passkey/")
    check(page, language)

    RememberedDevice.objects.create(user=local_user(student), token_hash="0" * 64, description="Chrome / Android",
                                    expires_at=timezone.now() + timedelta(days=5))
    page.goto(f"{site}/security-info/")
    expect(page.locator(".devices")).to_contain_text("Chrome / Android")
    check(page, language)  # a method set up, a remembered device

    page.goto(f"{site}/security-info/current/")
    check(page, language)  # "Are your verification methods current?"

    sign_out(page)
    enter_password(page, site, student.user_id, student.password)
    expect(page).to_have_url(f"{site}/signin/verify/")
    check(page, language)  # the choice of method
    submit(page)
    expect(page.locator("#id_code")).to_be_visible()
    check(page, language)  # code entry, with "don't ask again"
    code = outbox(NUMBER)
    page.locator("#id_code").fill("000000" if code != "000000" else "111111")
    submit(page)
    expect(page.locator(".error-summary")).to_be_visible()
    check(page, language)  # with the error


# The keyboard alone ------------------------------------------------------------------------------

def tab_to(page: Page, selector: str, limit: int = 12) -> None:
    """Press Tab until the element matching selector has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("selector => document.activeElement.matches(selector)", selector):
            return
    pytest.fail(f"{selector} not reached with {limit} presses of Tab on {page.url}")


def press_enter_to_go_on(page: Page) -> None:
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_the_second_step_works_with_the_keyboard_alone(page, site, student, outbox):
    give_method(student, "phone", NUMBER)
    give_method(student, "email", PERSONAL)
    enter_password(page, site, student.user_id, student.password)
    expect(page).to_have_url(f"{site}/signin/verify/")

    tab_to(page, "input[name=option]")
    expect(page.get_by_label(f"Text my mobile phone ({MASKED})")).to_be_focused()
    press_enter_to_go_on(page)  # Enter in the choice sends it, like the Next button
    expect(page.locator("main")).to_contain_text(f"We texted your phone {MASKED}")

    # Changing one's mind: "Sign in another way", then the arrow keys pick the email.
    tab_to(page, "a[href$='?another']")
    press_enter_to_go_on(page)
    tab_to(page, "input[name=option]")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Email my alternate email (ch*****@personal.example)")).to_be_checked()
    tab_to(page, "main button[type=submit]")
    press_enter_to_go_on(page)
    expect(page.locator("main")).to_contain_text("We emailed a code to ch*****@personal.example")

    tab_to(page, "#id_code")
    page.keyboard.type(outbox(PERSONAL))
    tab_to(page, "#id_remember")
    page.keyboard.press("Space")
    expect(page.locator("#id_remember")).to_be_checked()
    tab_to(page, "main button[type=submit]")
    press_enter_to_go_on(page)
    expect(page).to_have_url(f"{site}/account/")
    assert RememberedDevice.objects.count() == 1
