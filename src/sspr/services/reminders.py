"""Reminders the worker sends: to register the methods a person's groups require, and before a
password expires. Once a day, at the worker's first round outside `[reminders] quiet_hours`,
claimed so that only one worker sends them; at most `[reminders] daily_cap` messages a person a
day. Each reminder is rendered by delivery's renderer (an email with its HTML part under the
district's logo and the help desk's sentence, as the code emails are), in the district's language
(server.language: the worker has no page on which a person chose one), goes through the delivery
queue and is audited (reminder:registration, reminder:expiry); the people snapshot
(reports.Person) keeps when each person was last reminded.

Who is reminded: the people of the reports' snapshot (every account of the embedded directory;
with LDAP or AD, everyone who has signed in), enabled, with an organization email address."""

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from sspr.actors import Actor
from sspr.audit.models import Outcome, Reason, Tag, record
from sspr.delivery import DeliveryUnavailable, send
from sspr.delivery.message import Channel
from sspr.delivery.render import render_message
from sspr.directory import get_directory
from sspr.directory.base import DirectoryError, DirectoryUser
from sspr.limits import Limit, claim_the_day
from sspr.methods.models import Method
from sspr.reports.models import Person

log = logging.getLogger("sspr.reminders")


@dataclass
class Sent:
    registration: int = 0
    expiry: int = 0
    capped: int = 0    # reminders not sent because the person had their day's share


def quiet(moment: time, hours: str) -> bool:
    """Whether a local time falls in "HH:MM-HH:MM" (which may run overnight)."""
    if not hours:
        return False
    start, end = (time.fromisoformat(part.strip().zfill(5)) for part in hours.split("-"))
    return start <= moment < end if start <= end else moment >= start or moment < end


_done_on: set[str] = set()  # the days this process already saw claimed


def run(actor: Actor) -> Sent | None:
    """The day's reminders, if it is not quiet time and no worker has sent today's; None if not."""
    now = timezone.localtime()
    if quiet(now.time(), settings.CONFIG.reminders.quiet_hours):
        return None
    if not claim_the_day("reminders", now.date().isoformat(), _done_on):
        return None
    sent = Sent()
    registration(actor, sent)
    expiry(actor, sent)
    return sent


def _allowed(user_id: str) -> bool:
    """One more reminder message for this person today, within [reminders] daily_cap."""
    return Limit("reminder:person", settings.CONFIG.reminders.daily_cap, timedelta(days=1)).acquire(
        user_id).allowed


def _send(actor: Actor, channel: Channel, to: str, template: str, user_id: str, **extra) -> bool:
    message = render_message(channel, to, f"accounts/email/{template}", **extra)
    try:
        send(message, account=user_id, client_ip=actor.client_ip, wait=False)
        return True
    except DeliveryUnavailable as exc:
        log.warning("reminder %s to %s not sent: %s", template, user_id, exc)
        return False


# Registration -------------------------------------------------------------------------------------
def registration(actor: Actor, sent: Sent) -> None:
    """Everyone not registered whose last reminder is registration_days old (or who never had one)."""
    days = settings.CONFIG.reminders.registration_days
    if not days:
        return
    now = timezone.now()
    # Reminded on a day at least `days` before today: the run's time of day does not shift it.
    before = timezone.make_aware(datetime.combine(timezone.localdate(now) - timedelta(days=days - 1), time.min))
    due = (Person.objects.filter(enabled=True, registered_at__isnull=True).exclude(email="")
           .filter(Q(reminded_at__isnull=True) | Q(reminded_at__lt=before)).order_by("user_id"))
    link = settings.BASE_URL + reverse("security_info")
    for person in due.iterator():
        if not _allowed(person.user_id):
            sent.capped += 1
            record(actor, Tag.REMINDER_REGISTRATION, subject=person.user_id, outcome=Outcome.REFUSED,
                   reason=Reason.RATE_LIMITED, detail={"cap": settings.CONFIG.reminders.daily_cap})
            continue
        if not _send(actor, "email", person.email, "registration_reminder", person.user_id,
                     person=person, link=link, required=person.required):
            continue
        record(actor, Tag.REMINDER_REGISTRATION, subject=person.user_id,
               detail={"channel": "email", "required": person.required})
        Person.objects.filter(pk=person.pk).update(reminded_at=now, first_reminded_at=person.first_reminded_at or now)
        sent.registration += 1


# Password expiry ----------------------------------------------------------------------------------
def step(days_left: int, steps: list[int]) -> int | None:
    """The step of expiry_days a password with days_left days to go is at (the smallest that is
    not below it), or None before the first step or once it has expired."""
    if days_left < 0:
        return None
    return min((day for day in steps if days_left <= day), default=None)


def expiry(actor: Actor, sent: Sent) -> None:
    """Everyone whose password expires within a step of expiry_days not reminded of yet."""
    config = settings.CONFIG.reminders
    directory = get_directory()
    if not config.expiry_days or not directory.expires_passwords:
        return
    today = timezone.localdate()
    link = settings.BASE_URL + reverse("home")
    for person in Person.objects.filter(enabled=True).order_by("user_id").iterator():
        try:
            account = directory.lookup(person.user_id)
            expires = directory.password_expires(account) if account.enabled else None
        except DirectoryError as exc:
            log.warning("expiry of %s not known: %s", person.user_id, type(exc).__name__)
            continue
        if expires is None:
            continue
        days_left = (timezone.localdate(expires) - today).days
        current = step(days_left, config.expiry_days)
        if current is None or (person.expiry_reminded_for == expires and person.expiry_reminded_days is not None
                               and person.expiry_reminded_days <= current):
            continue
        channels = _remind_of_expiry(actor, account, expires, days_left, link, sent)
        if channels:
            record(actor, Tag.REMINDER_EXPIRY, subject=person.user_id,
                   detail={"channel": channels, "days": days_left, "expires": expires.isoformat(timespec="minutes")})
            sent.expiry += 1
        Person.objects.filter(pk=person.pk).update(expiry_reminded_for=expires, expiry_reminded_days=current)


def _remind_of_expiry(actor: Actor, account: DirectoryUser, expires: datetime, days_left: int, link: str,
                      sent: Sent) -> list[str]:
    targets: list[tuple[Channel, str]] = [("email", account.email)] if account.email else []
    if settings.CONFIG.reminders.expiry_text:
        phone = (Method.objects.filter(user__user_id__iexact=account.user_id, kind="phone")
                 .values_list("destination", flat=True).first())
        if phone:
            targets.append(("sms", phone))
    channels: list[str] = []
    for channel, to in targets:
        if not _allowed(account.user_id.lower()):
            sent.capped += 1
            break
        template = "expiry_reminder" if channel == "email" else "expiry_reminder_text"
        if _send(actor, channel, to, template, account.user_id.lower(), person=account,
                 expires=timezone.localtime(expires), days=days_left, link=link):
            channels.append(channel)
    return channels
