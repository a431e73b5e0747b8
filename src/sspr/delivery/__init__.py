"""Sending messages to people: email, text and voice.

Callers say what to send and to whom; the back-end configured for the channel decides how
([email], [sms], [voice] backend = ...; in demo mode always the demo outbox):

    delivery = send(Message("sms", "+12025550123", "..."), account=user_id, client_ip=request.client_ip)
    delivery = send_code("voice", number, "123456", language="es", account=..., client_ip=...)

The message is stored first (sspr.delivery.queue), then, with wait=True (the default), tried at
once within the provider's timeout, so the person waiting learns the outcome on the same page:

- returns the Delivery record: `delivery.sent` is True, or `delivery.status == "queued"` when
  the provider failed transiently (down, slow, busy): the worker (`sspr worker`) retries with
  backoff and the person can be told "it may take a few minutes";
- raises DeliveryUnavailable when nothing was sent and nothing will be, with
  `user_message` in plain words for the person and `reason` for the logs. Its kinds:
  DeliveryRefused (our own rules: country, number type, limits, spending cap; nothing reached a
  provider) and DeliveryFailed (the provider refused for good: bad number, opted out, our
  credentials). The audit trail has the provider's reason.

With wait=False the message is only queued and the worker sends it (demo and console back-ends
always send at once: nothing can be slow there).
"""

from .message import Channel, Message

__all__ = ["DeliveryFailed", "DeliveryRefused", "DeliveryUnavailable", "Message", "TransportError", "send",
           "send_code"]
_ERROR_NAMES = ("DeliveryUnavailable", "DeliveryRefused", "DeliveryFailed", "TransportError")


def __getattr__(name: str):
    # The errors are imported on first use, not above: they need Django's translations, and the
    # configuration schema reads the channels' names and settings models from this package
    # before Django is set up.
    if name in _ERROR_NAMES:
        from . import errors

        return getattr(errors, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def send(message: Message, *, account: str = "", client_ip: str | None = None, wait: bool = True):
    """Queue a message and (wait=True) try it at once; see the module's documentation."""
    from .queue import send as queue_send  # not at the top: the queue needs Django (see __getattr__)

    return queue_send(message, account=account, client_ip=client_ip, wait=wait)


def send_code(channel: Channel, to: str, code: str, *, minutes: int = 10, language: str = "", account: str = "",
              client_ip: str | None = None, wait: bool = True):
    """Send a one-time code with the channel's own template; it is dropped from the queue
    unsent once it expires (after `minutes`)."""
    from .render import code_message  # not at the top: templates need Django (see __getattr__)

    message = code_message(channel, to, code, language=language, minutes=minutes)
    return send(message, account=account, client_ip=client_ip, wait=wait)
