"""Telling people, on every address we have for them, that something happened to their account."""

import logging

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from sspr.actors import Actor, Role
from sspr.delivery import DeliveryUnavailable, Message, send
from sspr.directory.base import DirectoryUser

log = logging.getLogger("sspr.accounts")


def notify_account_change(actor: Actor, person: DirectoryUser, template: str, *, skip: str = "",
                          extra: dict | None = None) -> int:
    """Email the person's organisation and alternate addresses (except skip); return how many
    were sent. A failure to notify never undoes the change: it is logged for the operators."""
    context = {
        **(extra or {}),
        "person": person,
        "when": timezone.localtime(),
        "device": actor.device,
        "client_ip": actor.client_ip,
        "branding": settings.CONFIG.branding,
        "base_url": settings.BASE_URL,
    }
    subject = render_to_string(f"{template}_subject.txt", context).strip()
    body = render_to_string(f"{template}.txt", context)
    sent = 0
    for address in dict.fromkeys(filter(None, [person.email, person.alternate_email])):
        if address.lower() == skip.lower():
            continue
        try:
            # Queued for the worker: the person's page never waits on the mail server for a notice.
            send(Message("email", address, body, subject), account=person.user_id, client_ip=actor.client_ip,
                 wait=False)
            sent += 1
        except DeliveryUnavailable as exc:
            log.warning("notification %s to %s not sent: %s", template, person.user_id, exc)
    return sent


def notify_staff_action(actor: Actor, person: DirectoryUser, action) -> int:
    """Tell the person what a member of staff did to their account (a caller who talked the help
    desk into it would otherwise go unnoticed by the owner)."""
    who = _("your teacher") if actor.role == Role.TEACHER else _("the help desk")
    return notify_account_change(actor, person, "accounts/email/staff_action", extra={"action": action, "who": who})
