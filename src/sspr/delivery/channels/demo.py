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
        log.warning("demo %s to %s: %s %s", delivery.channel, delivery.to, delivery.subject, delivery.body)
        return f"outbox-{outbox.pk}"
