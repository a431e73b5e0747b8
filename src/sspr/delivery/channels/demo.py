"""The demo district's outbox: every message lands on /demo/outbox/ and in the terminal, at once."""

import logging

from sspr.demo.models import OutboxMessage

from ..base import Backend

log = logging.getLogger("sspr.delivery")


class Demo(Backend):
    name = "demo"
    local = True
    timeout = 0

    def send(self, delivery) -> str:
        outbox = OutboxMessage.objects.create(channel=delivery.channel, to=delivery.to, subject=delivery.subject,
                                              body=delivery.body)
        # Demo only: the terminal is the tester's phone. Real channels never log a message body.
        # One short line a message: the code, when there is one, is what a tester is looking for.
        text = " ".join(f"{delivery.subject} {delivery.body}".split())
        shown = text if len(text) <= 160 else text[:157] + "..."
        log.warning("demo %s to %s: %s", delivery.channel, delivery.to, shown)
        return f"outbox-{outbox.pk}"
