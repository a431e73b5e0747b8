"""Prints messages in the log instead of sending them: for development only. Outside demo mode
its use is warned about at start-up and by `sspr check`."""

import logging

from ..base import Backend

log = logging.getLogger("sspr.delivery.console")


class Console(Backend):
    name = "console"
    local = True
    timeout = 0

    def send(self, delivery) -> str:
        # The only back-end that logs a message's text: it stands in for the person's phone.
        log.warning("%s to %s: %s %s", delivery.channel, delivery.to, delivery.subject, delivery.body)
        return ""
