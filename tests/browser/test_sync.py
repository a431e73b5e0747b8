"""A student resets a forgotten password in a real browser, and the last page says that Google
and Microsoft 365 took it too: the two providers are the local HTTPS servers of tests/sync,
speaking their documented APIs. axe checks the page, in English and Spanish, on a phone."""

import re

from playwright.sync_api import expect

from ..methods.conftest import give_method
from ..sync.servers import google_error
from .helpers import PHONE, assert_accessible
from .test_reset import NEW, choose, give_reason, submit, who_are_you

PERSONAL = "chris@personal.example"
SAID = {
    "en": "Your password was changed. Google was updated too. Microsoft 365 was updated too.",
    "es": "Se cambió su contraseña. También se actualizó Google. También se actualizó Microsoft 365.",
}
FOLLOWS = {
    "en": "Your password was changed. Google will follow in a few minutes. Microsoft 365 was updated too.",
    "es": "Se cambió su contraseña. Google se actualizará en unos minutos. También se actualizó Microsoft 365.",
}


def reset(page, site, student, outbox, language):
    page.goto(f"{site}/reset/")
    who_are_you(page, student.user_id)
    give_reason(page, "forgot")
    choose(page, "email")
    page.locator("#id_code").fill(outbox(PERSONAL))
    submit(page)
    expect(page).to_have_url(re.compile(r"/reset/new-password/$"))
    page.locator("#id_new_password").fill(NEW)
    page.locator("#id_confirm_password").fill(NEW)
    submit(page)


def test_a_student_resets_and_sees_google_and_microsoft_were_updated(page_in, site, student, outbox, captcha_off,
                                                                    syncing, google, graph, language):
    syncing()
    google.users.add(student.user_id)
    graph.users.add("csmith1234@district.example")
    give_method(student, "email", PERSONAL)
    page = page_in(language, **PHONE)
    reset(page, site, student, outbox, language)
    expect(page.get_by_role("status")).to_have_text(SAID[language])
    assert_accessible(page)
    assert google.signs_in(student.user_id, NEW) and graph.passwords == {"csmith1234@district.example": NEW}


def test_google_busy_the_student_is_told_it_will_follow(page_in, site, student, outbox, captcha_off, syncing,
                                                       google, graph):
    syncing()
    google.users.add(student.user_id)
    graph.users.add("csmith1234@district.example")
    google.failures = [google_error(503, "Backend Error", "backendError")]
    give_method(student, "email", PERSONAL)
    page = page_in("en")
    reset(page, site, student, outbox, "en")
    expect(page.get_by_role("status")).to_have_text(FOLLOWS["en"])
    assert_accessible(page)


def test_the_person_page_shows_each_system_accessibly(page_in, site, student, syncing, google, graph, captcha_off,
                                                      configure, language):
    from sspr.actors import Actor
    from sspr.services import passwords, people

    from ..console.conftest import ROLES, staff_member
    from .test_console import checked, staff_sign_in

    configure(roles=ROLES)
    syncing()
    google.users.add(student.user_id)  # Microsoft 365 does not know the student: refused
    google.failures = [google_error(503, "Backend Error", "backendError")]
    passwords.set_password(Actor.cli(), people.find(student.user_id), NEW)
    technician = staff_member("sam.lee@district.example", ["Help Desk"])
    page = page_in(language, **PHONE)
    staff_sign_in(page, site, technician)
    page.goto(f"{site}/console/people/{student.user_id}/")
    table = page.locator("main table").first
    expect(table).to_contain_text("Google")
    expect(table).to_contain_text("Microsoft 365")
    checked(page)
