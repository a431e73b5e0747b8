"""Get back into your account, in a real browser: a forgotten password reset with email and text,
a reset with an authenticator app and security questions, the unlock of a locked account, each
ending with what the sign-in form then accepts; axe on every step in English and Spanish, the
reason and method choices by keyboard alone, and the first pages on a phone.

Codes are read from the demo outbox (settings.DEMO), the image CAPTCHA's answer from the
browser's own server-side session (the way the server derives it, captcha.answers). Journeys that
are not about the CAPTCHA switch it off, as automated test environments may."""

import re
import time
from importlib import import_module

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.hashers import make_password
from playwright.sync_api import Page, expect

from sspr.directory.embedded.models import FOREVER, Account
from sspr.methods.crypto import seal
from sspr.methods.kinds.questions import normalise_answer
from sspr.methods.kinds.totp import code_at
from sspr.reset import captcha

from ..methods.conftest import give_method
from .helpers import PHONE, TEXT, assert_accessible

NEW = "Purple lanterns drift over quiet harbors!"
MOBILE = "+12025550143"
TYPED_MOBILE = "(202) 555-0143"
PERSONAL = "ana@personal.example"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
ANSWERS = {"first_pet": "Biscuit", "birth_city": "São Paulo", "dream_job": "Lighthouse keeper"}

RULES = ("length", "common", "published", "context", "strength")  # no breach source configured


# --- setting the scene -------------------------------------------------------------------------

@pytest.fixture
def captcha_mode(settings):
    def set_mode(mode: str) -> None:
        settings.CONFIG = settings.CONFIG.model_copy(
            update={"reset": settings.CONFIG.reset.model_copy(update={"captcha": mode})})
    return set_mode


@pytest.fixture
def no_captcha(captcha_mode):
    captcha_mode("off")


@pytest.fixture
def image_captcha(captcha_mode):
    captcha_mode("image")


@pytest.fixture
def two_steps(settings):
    settings.CONFIG = settings.CONFIG.model_copy(
        update={"methods": settings.CONFIG.methods.model_copy(update={"reset_steps": 2})})


@pytest.fixture
def email_and_phone(staff):
    return give_method(staff, "email", PERSONAL), give_method(staff, "phone", MOBILE)


# --- what a person does --------------------------------------------------------------------------

def captcha_answer(page: Page) -> str:
    """The characters in the picture this browser is shown, read from its session on the server."""
    cookie = next(c for c in page.context.cookies() if c["name"] == django_settings.SESSION_COOKIE_NAME)
    session = import_module(django_settings.SESSION_ENGINE).SessionStore(cookie["value"])
    return captcha.answers(session[captcha.SESSION_KEY]["reset-start"])[0]


def submit(page: Page) -> None:
    """Press the form's main button ("Next", "Text", "Finish") and wait for the page it brings:
    most steps answer a POST with a page at the same address, and a code is read from the outbox
    only once the page saying it was sent has arrived."""
    with page.expect_navigation():
        page.locator("main form button[type=submit]:not(.button--secondary)").first.click()


def who_are_you(page: Page, user_id: str, *, solve_captcha: bool = False) -> None:
    page.locator("#id_user_id").fill(user_id)
    if solve_captcha:
        page.locator("#id_captcha").fill(captcha_answer(page))
    submit(page)
    expect(page).to_have_url(re.compile(r"/reset/reason/$"))


def give_reason(page: Page, reason: str) -> None:
    page.locator(f"#reason-{reason}").check()
    submit(page)
    expect(page).to_have_url(re.compile(r"/reset/verify/$"))


def choose(page: Page, option: str) -> None:
    """option: the end of the radio button's value ("email", "sms", "voice", ...)."""
    page.locator(f"input[name=option][value$=':{option}']").check()
    with page.expect_navigation():  # the next page, with whatever it sent, before anyone reads the outbox
        submit(page)


def wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def totp_now() -> str:
    return code_at(SECRET, int(time.time() // 30))


def choose_new_password(page: Page) -> None:
    new_password = page.locator("#id_new_password")
    new_password.fill(NEW)
    new_password.dispatch_event("input")
    rules = page.locator("#password-rules")
    for rule in RULES:
        expect(rules.locator(f"[data-rule={rule}]")).to_have_class(re.compile("rule--met"))
    page.locator("#id_confirm_password").fill(NEW)
    submit(page)


def submit_sign_in(page: Page, site: str, user_id: str, password: str) -> None:
    page.goto(f"{site}/signin/")
    page.locator("#id_user_id").fill(user_id)
    page.locator("#id_password").fill(password)
    submit(page)


def refused_at_sign_in(page: Page, site: str, user_id: str, password: str, language: str = "en") -> None:
    submit_sign_in(page, site, user_id, password)
    expect(page.get_by_role("alert")).to_contain_text(TEXT[language]["incorrect"])
    expect(page).to_have_url(f"{site}/signin/")


def accepted_at_sign_in(page: Page, site: str, user_id: str, password: str, outbox) -> None:
    """The password is taken; the second step (the person has methods) is passed by email."""
    submit_sign_in(page, site, user_id, password)
    expect(page).to_have_url(f"{site}/signin/verify/")
    choose(page, "email")
    page.locator("#id_code").fill(outbox(PERSONAL))
    submit(page)
    expect(page).to_have_url(f"{site}/account/")


# --- the journeys --------------------------------------------------------------------------------

def test_a_staff_member_resets_with_email_and_text_checked_by_axe_at_every_step(
        page_in, site, staff, email_and_phone, two_steps, image_captcha, outbox, language):
    """From "Can't access your account?" to "Your password has been reset", solving the real image
    CAPTCHA; axe runs on every step, with its errors shown, in this language."""
    english = language == "en"
    page = page_in(language)
    page.goto(f"{site}/signin/")
    if english:
        page.get_by_role("link", name="Can't access your account?").click()
    else:
        page.locator("main a[href='/reset/']").click()  # the same link, in Spanish
    expect(page).to_have_url(f"{site}/reset/")
    if english:
        expect(page.get_by_role("heading", level=2)).to_have_text("Who are you?")
    expect(page.locator("img.captcha__image")).to_be_visible()
    expect(page.locator("[role=group][aria-labelledby]:has(> audio[controls])")).to_have_count(1)
    if english:
        expect(page.get_by_role("group", name="Audio challenge: 6 digits, spoken twice")).to_be_visible()
    assert page.locator("img.captcha__image").evaluate("image => image.decode().then(() => image.naturalWidth)") == 300
    assert_accessible(page)  # who are you, with the picture and the audio control

    who_are_you(page, staff.user_id, solve_captcha=True)
    if english:
        expect(page.get_by_role("group", name="Why are you having trouble signing in?")).to_be_visible()
    assert_accessible(page)  # why are you having trouble signing in
    give_reason(page, "forgot")

    # verification step 1: the methods with their destinations masked
    expect(page.locator("ol.progress [aria-current=step]")).to_contain_text("1")
    if english:
        expect(page.get_by_label("Email my alternate email (an*****@personal.example)")).to_be_checked()
        expect(page.get_by_label("Text my mobile phone (+X XXXXXXXX43)")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(PERSONAL)
    assert_accessible(page)
    choose(page, "email")
    code = outbox(PERSONAL)
    page.locator("#id_code").fill(wrong(code))
    submit(page)
    expect(page.get_by_role("alert")).to_be_visible()
    if english:
        expect(page.get_by_role("alert")).to_contain_text("That code didn't work")
    assert_accessible(page)  # code entry, with its error shown
    page.locator("#id_code").fill(code)
    submit(page)

    # verification step 2: a different method, the phone; the full number comes first
    expect(page).to_have_url(f"{site}/reset/verify/")
    expect(page.locator("ol.progress [aria-current=step]")).to_contain_text("2")
    expect(page.locator("ol.progress .progress__step--done")).to_have_count(1)  # step 1 ticked, for eyes
    expect(page.locator("ol.progress .progress__step--done")).to_contain_text(  # and for ears
        re.compile(r"\((done|completado)\)"))
    expect(page.locator("input[name=option][value$=':email']")).to_have_count(0)
    assert_accessible(page)
    choose(page, "sms")
    if english:
        expect(page.locator("main")).to_contain_text("enter your complete mobile phone number (+X XXXXXXXX43)")
    assert_accessible(page)  # the full phone number
    page.locator("#id_number").fill(TYPED_MOBILE)
    submit(page)
    page.locator("#id_code").fill(outbox(MOBILE))
    submit(page)

    # choose a new password, first one the policy refuses
    expect(page).to_have_url(f"{site}/reset/new-password/")
    new_password = page.locator("#id_new_password")
    new_password.press_sequentially("ana")
    rules = page.locator("#password-rules")
    expect(rules.locator("[data-rule=length]")).to_have_class(re.compile("rule--unmet"))
    assert_accessible(page)
    submit(page)
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("#id_new_password")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)  # with the errors shown
    choose_new_password(page)
    expect(page.get_by_role("status")).to_be_visible()
    if english:
        expect(page.get_by_role("status")).to_have_text("Your password has been reset")
    assert_accessible(page)  # done

    refused_at_sign_in(page, site, staff.user_id, staff.password, language)
    accepted_at_sign_in(page, site, staff.user_id, NEW, outbox)


def test_a_staff_member_resets_with_security_questions_and_an_authenticator(page, site, staff, two_steps,
                                                                             no_captcha, outbox):
    give_method(staff, "email", PERSONAL)  # for the sign-in afterwards; not used by the reset
    give_method(staff, "totp", name="Authenticator", sealed_secret=seal(SECRET), data={"last_step": 0})
    give_method(staff, "questions", data={"answers": [
        {"question": key, "hash": make_password(normalise_answer(answer))} for key, answer in ANSWERS.items()]})

    page.goto(f"{site}/signin/")
    page.get_by_role("link", name="Can't access your account?").click()
    who_are_you(page, staff.user_id)
    give_reason(page, "forgot")

    # Step 1: the strongest method comes first and checked; the questions are chosen.
    options = page.locator("input[name=option]")
    expect(options.first).to_have_value(re.compile(":$"))
    expect(page.get_by_label("Use a verification code from my authenticator app")).to_be_checked()
    page.get_by_label("Answer my security questions").check()
    submit(page)
    for key, answer in ANSWERS.items():  # typed as a person may: other case, no accents
        page.locator(f"#id_{key}").fill(answer.upper().replace("ã", "a").replace("Ã", "A"))
    assert_accessible(page)
    submit(page)

    # Step 2: with an authenticator registered, the last step must be it (not email alone).
    expect(page).to_have_url(f"{site}/reset/verify/")
    expect(page.get_by_label("Answer my security questions")).to_have_count(0)
    expect(page.get_by_label("Email my alternate email (an*****@personal.example)")).to_have_count(0)
    page.get_by_label("Use a verification code from my authenticator app").check()
    submit(page)
    expect(page.locator("main")).to_contain_text("Open your authenticator app")
    assert_accessible(page)
    page.locator("#id_code").fill(totp_now())
    submit(page)

    expect(page).to_have_url(f"{site}/reset/new-password/")
    choose_new_password(page)
    expect(page.get_by_role("status")).to_have_text("Your password has been reset")

    refused_at_sign_in(page, site, staff.user_id, staff.password)
    accepted_at_sign_in(page, site, staff.user_id, NEW, outbox)


def test_a_locked_out_staff_member_unlocks_the_account_and_keeps_the_password(
        page_in, site, staff, no_captcha, outbox, settings, language):
    english = language == "en"
    give_method(staff, "email", PERSONAL)
    page = page_in(language)
    if english:  # locked by repeated wrong passwords through the sign-in form
        for _ in range(settings.CONFIG.directory.lockout_threshold):
            refused_at_sign_in(page, site, staff.user_id, "Somebody guessing at noon!", language)
        assert Account.objects.get(user_id=staff.user_id).locked_until is not None
    else:  # (the same lock, set directly, to keep the file quick)
        Account.objects.filter(user_id=staff.user_id).update(locked_until=FOREVER)
    refused_at_sign_in(page, site, staff.user_id, staff.password, language)  # locked: even the right one

    page.locator("main a[href='/reset/']").click()
    who_are_you(page, staff.user_id)
    give_reason(page, "unlock")
    if english:
        expect(page.locator("ol.progress")).to_contain_text("unlock your account")
    choose(page, "email")  # one verification for staff
    page.locator("#id_code").fill(outbox(PERSONAL))
    submit(page)
    expect(page.get_by_role("status")).to_be_visible()
    if english:
        expect(page.get_by_role("status")).to_have_text("Your account has been unlocked")
    assert_accessible(page)  # done (unlock)

    assert Account.objects.get(user_id=staff.user_id).locked_until is None
    accepted_at_sign_in(page, site, staff.user_id, staff.password, outbox)


# --- keyboard and phone --------------------------------------------------------------------------

def tab_to(page: Page, selector: str, limit: int = 25) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => document.activeElement && document.activeElement.matches({selector!r})"):
            return
    pytest.fail(f"Tab never reached {selector} on {page.url}")


def test_the_reason_and_the_method_are_chosen_with_the_keyboard_alone(page, site, staff, email_and_phone,
                                                                      no_captcha, outbox):
    page.goto(f"{site}/reset/")
    tab_to(page, "#id_user_id")
    page.keyboard.type(staff.user_id)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{site}/reset/reason/")

    tab_to(page, "input[name=reason]")
    expect(page.locator("#reason-forgot")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.locator("#reason-unlock")).to_be_checked()
    page.keyboard.press("ArrowUp")
    expect(page.locator("#reason-forgot")).to_be_checked()
    page.keyboard.press("ArrowDown")
    tab_to(page, "main form button[type=submit]:not(.button--secondary)")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{site}/reset/verify/")
    expect(page.locator("ol.progress")).to_contain_text("unlock your account")  # the choice was taken

    # One step offers only the phone (never an emailed code beside a phone): text or call.
    tab_to(page, "input[name=option]")
    expect(page.get_by_label("Text my mobile phone (+X XXXXXXXX43)")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Call my mobile phone (+X XXXXXXXX43)")).to_be_checked()
    page.keyboard.press("ArrowUp")
    expect(page.get_by_label("Text my mobile phone (+X XXXXXXXX43)")).to_be_checked()
    tab_to(page, "main form button[type=submit]:not(.button--secondary)")
    page.keyboard.press("Space")
    expect(page.locator("#id_number")).to_be_visible()  # the text was chosen: the full number first
    tab_to(page, "#id_number")
    page.keyboard.type(TYPED_MOBILE)
    page.keyboard.press("Enter")
    expect(page.locator("#id_code")).to_be_visible()
    tab_to(page, "#id_code")
    page.keyboard.type(outbox(MOBILE))
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("Your account has been unlocked")


def assert_no_sideways_scroll(page: Page) -> None:
    width = PHONE["viewport"]["width"]
    scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} scrolls sideways: {scroll_width}px wide at {width}px"


def test_who_are_you_and_the_verification_pages_fit_a_phone(page_in, site, staff, email_and_phone, image_captcha,
                                                            outbox, language):
    page = page_in(language, **PHONE)
    page.goto(f"{site}/reset/")
    expect(page.locator("img.captcha__image")).to_be_visible()
    assert_no_sideways_scroll(page)  # with the picture, the audio player and the new-challenge link
    who_are_you(page, staff.user_id, solve_captcha=True)
    assert_no_sideways_scroll(page)
    give_reason(page, "forgot")
    assert_no_sideways_scroll(page)  # the choice of methods
    choose(page, "sms")
    expect(page.locator("#id_number")).to_be_visible()
    assert_no_sideways_scroll(page)  # the full phone number
    page.locator("#id_number").fill(TYPED_MOBILE)
    submit(page)
    expect(page.locator("#id_code")).to_be_visible()
    assert_no_sideways_scroll(page)  # the code
