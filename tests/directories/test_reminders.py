"""Password expiry reminders from real directories: OpenLDAP's ppolicy (pwdChangedTime plus
pwdMaxAge) and Samba AD (pwdLastSet plus the Students PSO's msDS-MaximumPasswordAge), an email on
each step of [reminders] expiry_days and, when asked, a text to the authentication phone; never for
passwords that do not expire. Registration reminders are in tests/reports/test_reminders.py."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from sspr.accounts.models import User
from sspr.actors import Actor
from sspr.audit.models import AuditEvent, Tag
from sspr.methods.models import Method
from sspr.reports import people as snapshot
from sspr.services import reminders

from .backends import ad_settings, openldap_settings

PHONE = "+12025550143"
YEAR = timedelta(seconds=31_536_000)  # the test slapd's default policy: pwdMaxAge


@pytest.fixture(autouse=True)
def only_expiry(configure, screened_outbox, monkeypatch):
    configure(reminders={"registration_days": 0, "expiry_text": True, "quiet_hours": ""})
    monkeypatch.setattr(reminders, "_done_on", set())


@pytest.fixture
def directory(use_directory, slapd, ca, db):
    return use_directory(**openldap_settings(slapd, ca, ppolicy_default=slapd.default_policy))


def set_reminders(settings, **values):
    """[reminders] for this test, once the directory is set (whose section a full re-check would refuse)."""
    settings.CONFIG = settings.CONFIG.model_copy(update={"reminders": settings.CONFIG.reminders.model_copy(
        update=values)})


def changed(ago: timedelta) -> str:
    return (datetime.now(UTC) - ago).strftime("%Y%m%d%H%M%SZ")


def known(directory, person, *, phone: str = ""):
    """Someone who has signed in (so the portal counts them), with a phone registered or not."""
    snapshot.remember(directory.lookup(person.user_id))
    if phone:
        Method.objects.create(user=User.objects.create_user(person.user_id), kind="phone", destination=phone)


def next_day(clock, monkeypatch, days=1):
    clock.advance(days=days)
    monkeypatch.setattr(reminders, "_done_on", set())


def test_openldap_an_email_and_a_text_on_each_step_before_expiry(directory, slapd, settings, clock, monkeypatch,
                                                                   screened_outbox):
    set_reminders(settings, quiet_hours="20:00-07:00")
    clock.move_to(datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0))
    soon = slapd.add_person(changed=changed(YEAR - timedelta(days=7, hours=1)))   # expires in 7 days
    later = slapd.add_person(changed=changed(YEAR - timedelta(days=30)))          # in 30: not yet
    gone = slapd.add_person(changed=changed(YEAR + timedelta(days=2)))            # expired already
    staff = slapd.add_person(group="Staff", domain="district.example", staff_policy=True,
                             password="Lucky rivers drift at noon!")              # never expires
    for person in (soon, later, gone, staff):
        known(directory, person, phone=PHONE if person is soon else "")

    sent = reminders.run(Actor.system())
    assert (sent.registration, sent.expiry) == (0, 1)
    [email] = screened_outbox.emails(soon.user_id)
    expires = timezone.localtime(directory.password_expires(directory.lookup(soon.user_id)))
    assert email["Subject"] == "Your Test Unified School District password expires in 7 days"
    body = email.get_body(("plain",)).get_content()
    assert f"The password of your account {soon.user_id} expires on" in body
    assert "https://sspr.test/" in body
    [text] = screened_outbox.texts(PHONE)
    assert "your password expires on" in text and "https://sspr.test/" in text
    for nobody in (later, gone, staff):
        assert screened_outbox.emails(nobody.user_id) == []
    event = AuditEvent.objects.get(tag=Tag.REMINDER_EXPIRY)
    assert (event.subject, event.detail["channel"], event.detail["days"]) == (soon.user_id, ["email", "sms"], 7)
    assert event.detail["expires"] == expires.isoformat(timespec="minutes")

    next_day(clock, monkeypatch)  # 6 days left: still the 7-day step, already reminded
    assert reminders.run(Actor.system()).expiry == 0
    next_day(clock, monkeypatch, days=3)  # 3 days left: the next step
    assert reminders.run(Actor.system()).expiry == 1
    assert len(screened_outbox.emails(soon.user_id)) == 2


def test_the_daily_cap_holds_back_the_text(directory, slapd, settings, screened_outbox):
    set_reminders(settings, daily_cap=1)
    soon = slapd.add_person(changed=changed(YEAR - timedelta(days=3)))
    known(directory, soon, phone=PHONE)
    sent = reminders.run(Actor.system())
    assert (sent.expiry, sent.capped) == (1, 1)
    assert len(screened_outbox.emails(soon.user_id)) == 1
    assert screened_outbox.texts(PHONE) == []


def test_no_text_unless_the_admin_enables_it(directory, slapd, settings, screened_outbox):
    set_reminders(settings, expiry_text=False)
    soon = slapd.add_person(changed=changed(YEAR - timedelta(days=1)))
    known(directory, soon, phone=PHONE)
    assert reminders.run(Actor.system()).expiry == 1
    assert screened_outbox.texts(PHONE) == []


def test_samba_ad_the_pso_max_age_gives_the_day(use_directory, samba_dc, ca, db, settings, screened_outbox):
    # The Students PSO expires passwords after 360 days: only with expiry_days reaching that far
    # does a password set just now get a reminder, 360 days before it expires.
    directory = use_directory(**ad_settings(samba_dc, ca))
    set_reminders(settings, expiry_days=[360])
    student = samba_dc.add_person(email="pat.lee@student.district.example")
    known(directory, student)
    assert reminders.run(Actor.system()).expiry == 1
    [email] = screened_outbox.emails("pat.lee@student.district.example")
    assert email["Subject"].endswith("password expires in 360 days")
