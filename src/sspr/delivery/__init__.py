"""Sending messages to people: email, text and voice.

Callers say what to send and to whom; the configured channel decides how. Until real providers
land, only the demo channel exists (it keeps messages for the demo outbox page), and sending
outside demo mode raises DeliveryUnavailable rather than pretending a message went out.
"""

import logging
from dataclasses import dataclass
from typing import Literal

from django.conf import settings

log = logging.getLogger("sspr.delivery")


class DeliveryUnavailable(Exception):
    """No channel can carry this message; nothing was sent."""


@dataclass(frozen=True)
class Message:
    channel: Literal["email", "sms", "voice"]
    to: str
    body: str
    subject: str = ""


def send(message: Message) -> None:
    if not settings.DEMO:
        raise DeliveryUnavailable(f"no {message.channel} channel is configured")
    from sspr.demo.models import OutboxMessage

    OutboxMessage.objects.create(channel=message.channel, to=message.to, subject=message.subject, body=message.body)
    # Demo only: the terminal is the tester's phone. Real channels never log a message body.
    log.warning("demo %s to %s: %s %s", message.channel, message.to, message.subject, message.body)
