"""Methods proved by a code we send: the authentication phone (text or call) and email."""

from django.utils.translation import gettext as _

from sspr.actors import Actor
from sspr.delivery.message import Channel

from .. import codes
from ..attempts import Budget, guarded, refuse_if_spent
from ..base import Challenge, MethodKind, VerificationFailed


class SentCodeMethod(MethodKind):
    sends_message = True
    read_back = True
    channels: dict[str, Channel] = {}  # the person's choice ("text") -> the delivery channel ("sms")

    def describe(self, method):
        return self.mask(method.destination)

    def prefill(self, person) -> dict:
        """Initial values for registration, from the directory: offered for confirmation, never trusted."""
        return {}

    # Registration: prove control of the destination with a code sent there.
    def enrolment_purpose(self) -> str:
        return f"enrol:{self.kind}"

    def send_enrolment_code(self, actor: Actor, user, channel: Channel, destination: str, *,
                            language: str = "") -> None:
        budget = Budget.of("enrol", user.pk)
        refuse_if_spent(budget)
        codes.send(actor, user, self.enrolment_purpose(), channel, destination, sends_key=budget.key,
                   language=language)

    def confirm_enrolment(self, user, entered: str) -> str:
        """The destination the entered code was sent to; raises VerificationFailed. Wrong codes
        count toward registration's own budget."""
        return guarded(Budget.of("enrol", user.pk), lambda: codes.check(user, self.enrolment_purpose(), entered))

    # Verification
    def channel_for(self, choice: str) -> Channel:
        """The channel chosen, or the kind's first when the choice is none of its channels."""
        channels = list(self.channels.values())
        return next((channel for channel in channels if channel == choice), channels[0])

    def start(self, context, method, choice=""):
        channel = self.channel_for(choice)
        codes.send(context.actor, method.user, context.purpose, channel, method.destination,
                   sends_key=context.sends_key, language=context.language)
        return Challenge(state={"channel": channel}, display={"sent_to": self.mask(method.destination),
                                                              "channel": channel, "sends_code": True})

    def retry(self, context, method, state):
        # Shown again after a wrong code or a "Check again": nothing new is sent, and the page
        # says when the code has not gone out yet because the provider is being retried.
        return Challenge(state=state, display={"sent_to": self.mask(method.destination), "sends_code": True,
                                               "channel": state.get("channel", self.channel_for("")),
                                               "still_trying": codes.still_trying(method.user, context.purpose)})

    def stand_in(self, method, choice=""):
        channel = self.channel_for(choice)
        return Challenge(display={"sent_to": self.describe(method), "channel": channel, "sends_code": True})

    def incomplete(self, answer):
        return "" if "".join(answer.get("code", "").split()) else _("Enter the code we sent you.")

    def check(self, context, method, state, answer):
        if codes.check(method.user, context.purpose, answer.get("code", "")[:12]) != method.destination:
            raise VerificationFailed(str(codes.WRONG))
