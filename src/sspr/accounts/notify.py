"""Telling people, on every address we have for them, that something happened to their account."""

import logging
import re

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from sspr.delivery import DeliveryUnavailable, Message, send

log = logging.getLogger("sspr.accounts")

DEVICES = [("iPhone", "iPhone"), ("iPad", "iPad"), ("Android", "Android"), ("CrOS", "Chromebook"),
           ("Windows", "Windows"), ("Mac OS X", "Mac"), ("Linux", "Linux")]
BROWSERS = [("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari")]


def describe_device(user_agent: str) -> str:
    """A rough, human description ("Chrome on Windows"); never the raw header."""
    browser = next((name for token, name in BROWSERS if token in user_agent), "")
    system = next((name for token, name in DEVICES if token in user_agent), "")
    if browser and system:
        return f"{browser} / {system}"
    return browser or system or re.sub(r"[^\w .-]", "", user_agent)[:40] or "?"


def notify_account_change(request, person, template: str, *, skip: str = "", extra=None) -> int:
    """Email the person's organisation and alternate addresses (except skip); return how many
    were sent. A failure to notify never undoes the change: it is logged for the operators."""
    context = {
        **(extra or {}),
        "person": person,
        "when": timezone.localtime(),
        "device": describe_device(request.META.get("HTTP_USER_AGENT", "")),
        "client_ip": request.client_ip,
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
            send(Message("email", address, body, subject), account=person.user_id, client_ip=request.client_ip,
                 wait=False)
            sent += 1
        except DeliveryUnavailable as exc:
            log.warning("notification %s to %s not sent: %s", template, person.user_id, exc)
    return sent
