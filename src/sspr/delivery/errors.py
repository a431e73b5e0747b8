"""What can go wrong when sending, in two layers.

Channels raise TransportError and say whether trying again can help (the healthchecks model).
Callers of sspr.delivery.send() see DeliveryUnavailable or one of its kinds, each carrying a
sentence in plain words for the person waiting (`user_message`) and the precise reason for the
audit trail (`reason`), which is never shown to them.
"""

from django.utils.translation import gettext_lazy as _

UNAVAILABLE = {
    "email": _("We cannot send email at the moment; try another method."),
    "sms": _("We cannot send text messages at the moment; try another method."),
    "voice": _("We cannot make phone calls at the moment; try another method."),
}
BAD_DESTINATION = {
    "email": _("We cannot send email to this address; try another method."),
    "sms": _("We cannot send a text to this number; try another method."),
    "voice": _("We cannot call this number; try another method."),
}
NOT_DELIVERED = {
    "email": _("We could not send email to this address; try another method."),
    "sms": _("We could not send a text to this number; try another method."),
    "voice": _("We could not call this number; try another method."),
}
TOO_MANY = _("Too many messages have been sent. Try again later or try another method.")


class TransportError(Exception):
    """A provider did not take the message.

    permanent: trying the same message again cannot help (a bad number, rejected credentials).
    misconfigured: the provider refused *our* setup (credentials, sender, account permissions),
    so every message will fail until an operator acts; the admins are told.
    """

    def __init__(self, reason: str, *, permanent: bool, misconfigured: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent or misconfigured
        self.misconfigured = misconfigured


class DeliveryUnavailable(Exception):
    """Nothing was sent and nothing will be: no channel can carry this message."""

    def __init__(self, reason: str, *, channel: str = "", user_message=None):
        super().__init__(reason)
        self.reason = reason
        self.channel = channel
        self.user_message = user_message or UNAVAILABLE.get(channel, UNAVAILABLE["email"])


class DeliveryRefused(DeliveryUnavailable):
    """Our own rules refused the message before any provider saw it: a country or number type
    that is not allowed, a limit or a spending cap. retry_after is set for limits."""

    def __init__(self, reason: str, *, channel: str, user_message=None, retry_after=None):
        super().__init__(reason, channel=channel, user_message=user_message)
        self.retry_after = retry_after


class DeliveryFailed(DeliveryUnavailable):
    """The provider refused the message for good (the number does not exist, the recipient
    opted out, our credentials were rejected). `delivery` is the record, status failed."""

    def __init__(self, reason: str, *, channel: str, delivery=None, misconfigured: bool = False):
        words = UNAVAILABLE[channel] if misconfigured else NOT_DELIVERED[channel]
        super().__init__(reason, channel=channel, user_message=words)
        self.delivery = delivery
