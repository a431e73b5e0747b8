"""Registration reminders: who gets one, when (every [reminders] registration_days, never in the
quiet hours, once a day whatever the number of workers), what it says and links to, how each is
audited, and what the coverage report then shows. Expiry reminders against real directories are
in tests/directories/test_reminders.py."""

from datetime import timedelta

import pytest

from sspr.actors import Actor
from sspr.audit.models import AuditEvent, Outcome, Tag
from sspr.delivery.models import Delivery
from sspr.directory.embedded.backend import EmbeddedDirectory
from sspr.methods.models import Method
from sspr.reports.models import Person
from sspr.services import housekeeping, people, reminders, reports
from sspr.services.staff import Staff

from ..methods.conftest import give_method
from .conftest import TODAY

NOT_REGISTERED = ["ben@district.example", "cara@district.example"]


@pytest.fixture(autouse=True)
def fresh_worker(monkeypatch, screened_outbox):
    """A worker process that has not seen today's reminders claimed yet; email to a real SMTP server."""
    monkeypatch.setattr(reminders, "_done_on", set())
    monkeypatch.setattr(housekeeping, "_done_on", set())


def reminded():
    return sorted(Delivery.objects.filter(subject__icontains="security info").values_list("to", flat=True))


def another_worker(monkeypatch):
    monkeypatch.setattr(reminders, "_done_on", set())


def test_people_not_registered_get_an_email_with_a_link_to_their_security_info(district, clock, screened_outbox):
    sent = reminders.run(Actor.system())
    assert (sent.registration, sent.expiry, sent.capped) == (2, 0, 0)
    assert reminded() == NOT_REGISTERED  # not ana, dev or eli (registered), nor finn (disabled)
    [email] = screened_outbox.emails("ben@district.example")
    assert email["Subject"] == "Set up your Test Unified School District security info"
    body = email.get_body(("plain",)).get_content()
    assert "Your account ben@district.example does not have the 2 verification methods it needs yet." in body
    assert "https://sspr.test/security-info/" in body
    assert screened_outbox.emails("ana@district.example") == []
    events = AuditEvent.objects.filter(tag=Tag.REMINDER_REGISTRATION)
    assert sorted(events.values_list("subject", flat=True)) == NOT_REGISTERED
    assert {(event.actor_role, event.outcome, event.detail["channel"]) for event in events} == {
        ("system", "success", "email")}


def parts(email):
    return email.get_body(("plain",)).get_content(), email.get_body(("html",)).get_content()


LOGO = "https://www.district.example/logo.png"
PHONE = "+12025550143"
SPANISH = "¿Necesita ayuda? Llame a la mesa de ayuda del distrito."
ENGLISH = "Need help? Call the district help desk."


def test_a_reminder_is_the_districts_email_in_the_districts_language(district, configure, settings,
                                                                     screened_outbox):
    configure(branding={"logo": LOGO, "helpdesk_text": {"en": ENGLISH, "es": SPANISH}})
    settings.LANGUAGE_CODE = "es"  # server.language, as read at start: the worker writes in it
    reminders.run(Actor.system())
    [email] = screened_outbox.emails("ben@district.example")
    assert email["Subject"] == "Configure su información de seguridad de Test Unified School District"
    assert email["Content-Language"] == "es"
    text, html = parts(email)
    assert "Su cuenta ben@district.example todavía no tiene los 2 métodos de verificación" in text
    assert '<html lang="es">' in html
    assert f'<img src="{LOGO}"' in html and "Test Unified School District" in html
    assert "Su cuenta ben@district.example todavía no tiene los 2 métodos de verificación" in html
    assert '<a href="https://sspr.test/security-info/"' in html
    for part in (text, html):
        assert SPANISH in part and "+1 555 0100" in part
        assert ENGLISH not in part and "{" not in part  # the sentence of its language, not the table


def test_an_expiry_reminder_is_the_districts_email_too(district, configure, clock, monkeypatch, screened_outbox):
    configure(branding={"logo": LOGO}, reminders={"registration_days": 0, "expiry_text": True})
    Method.objects.filter(destination="+15550102").update(destination=PHONE)  # ben's, one a text can reach
    # A directory whose passwords expire in a week (the embedded one's never do; real LDAP and AD
    # expiry is in tests/directories/test_reminders.py).
    monkeypatch.setattr(EmbeddedDirectory, "expires_passwords", True)
    monkeypatch.setattr(EmbeddedDirectory, "password_expires", lambda self, person: clock.now() + timedelta(days=7))
    assert reminders.run(Actor.system()).expiry == 5
    [email] = screened_outbox.emails("ben@district.example")
    assert email["Subject"] == "Your Test Unified School District password expires in 7 days"
    text, html = parts(email)
    for part in (text, html):
        assert "The password of your account ben@district.example expires on" in part
        assert "Call the help desk. +1 555 0100" in part
    assert f'<img src="{LOGO}"' in html and '<a href="https://sspr.test/"' in html
    [sms] = screened_outbox.texts(PHONE)
    assert sms.startswith("Test Unified School District: your password expires on ")
    assert sms.endswith("Change it at https://sspr.test/")


def test_the_link_comes_from_the_base_url_only(district, settings):
    settings.BASE_URL = "https://sspr.district.example"  # server.base_url, as read at start
    reminders.run(Actor.system())
    body = Delivery.objects.get(to="cara@district.example").body
    assert "https://sspr.district.example/security-info/" in body
    assert "sspr.test" not in body


def test_once_a_day_whatever_the_number_of_workers_then_every_registration_days(district, clock, monkeypatch):
    assert reminders.run(Actor.system()).registration == 2
    another_worker(monkeypatch)
    assert reminders.run(Actor.system()) is None  # the day is claimed
    for _day in range(6):
        clock.advance(days=1)
        assert reminders.run(Actor.system()).registration == 0  # reminded less than 7 days ago
    clock.advance(days=1)
    assert reminders.run(Actor.system()).registration == 2
    assert Delivery.objects.filter(subject__icontains="security info").count() == 4


def test_none_in_the_quiet_hours(district, clock):
    clock.move_to(TODAY.replace(hour=21))
    assert reminders.run(Actor.system()) is None
    clock.move_to(TODAY.replace(hour=6, minute=59) + timedelta(days=1))
    assert reminders.run(Actor.system()) is None
    assert reminded() == []
    clock.move_to(TODAY.replace(hour=7) + timedelta(days=1))
    assert reminders.run(Actor.system()).registration == 2


def test_off_with_zero_days(district, configure):
    configure(reminders={"registration_days": 0})
    assert reminders.run(Actor.system()).registration == 0
    assert reminded() == []


def test_the_daily_cap_per_person(district, configure, clock, monkeypatch):
    configure(reminders={"daily_cap": 1, "registration_days": 1})
    for _ in range(2):  # a reminder already sent today by hand, as it were: the cap is per day
        reminders._allowed("ben@district.example")
    sent = reminders.run(Actor.system())
    assert (sent.registration, sent.capped) == (1, 1)
    assert reminded() == ["cara@district.example"]
    refused = AuditEvent.objects.get(tag=Tag.REMINDER_REGISTRATION, outcome=Outcome.REFUSED)
    assert refused.subject == "ben@district.example"
    clock.advance(days=1)
    assert reminders.run(Actor.system()).registration == 2


def test_the_worker_sends_them_in_its_round(district, monkeypatch):
    housekeeping.daily(Actor.system())
    assert reminded() == NOT_REGISTERED


def test_the_nightly_refresh_keeps_who_was_reminded(district, clock):
    reminders.run(Actor.system())
    assert reports.refresh_people() == 6
    assert Person.objects.get(user_id="ben@district.example").reminded_at == clock.now()
    clock.advance(days=1)
    assert reminders.run(Actor.system()).registration == 0


def test_the_report_counts_reminders_and_who_registered_after_one(district, auditor, clock):
    reminders.run(Actor.system())
    clock.advance(hours=2)
    give_method(district["ben"], "email", "ben@home.example")  # ben registers after his reminder
    scope = reports.scope_for(Staff.of(people.find(auditor.user_id)))
    figures = reports.coverage(scope).reminders
    assert figures == reports.Reminders(registration_sent=2, expiry_sent=0, people_reminded=2, registered_after=1)
    lincoln = reports.coverage(reports.scope_for(Staff.of(people.find(auditor.user_id)),
                                                 school="Lincoln High School")).reminders
    assert lincoln == reports.Reminders(registration_sent=1, expiry_sent=0, people_reminded=1, registered_after=1)
