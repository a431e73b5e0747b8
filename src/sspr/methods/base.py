"""What every kind of verification method provides: a challenger. A kind lists the ways a
person can use their method (with masked destinations), starts a challenge (plain data: what to
keep server-side and what to show) and checks an answer. It never sees a request or renders a
page: the HTML adapters live in sspr.web.methods, so another adapter (JSON) can drive the same
kind. Capabilities are declared here, so no other module tests a kind's name."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy

from sspr.actors import Actor
from sspr.audit.models import Reason

from .models import Method

WRONG_CODE = gettext_lazy("That code didn't work. Check it and try again, or ask for a new one.")


class VerificationFailed(Exception):
    """The answer was wrong or cannot be accepted now; message is for the person, reason for
    the audit trail."""

    def __init__(self, message: str, reason: Reason = Reason.WRONG_ANSWER):
        super().__init__(message)
        self.message = message
        self.reason = reason


class AnswerIncomplete(VerificationFailed):
    """The person left the form unfinished (no option chosen, no code typed): said to them, but
    neither counted nor audited as a failed verification."""

    def __init__(self, message: str):
        super().__init__(message, Reason.WRONG_ANSWER)


@dataclass
class Challenge:
    """A started verification: `state` is kept server-side (JSON, in the flow) until the answer
    comes; `display` is what the person is shown (a masked destination, questions, WebAuthn
    options)."""

    state: dict[str, Any] = field(default_factory=dict)
    display: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ChallengeContext:
    actor: Actor
    purpose: str       # what the verification is for and which flow ("reset:3f9a..."); codes are bound to it
    sends_key: str = ""  # the key messages sent for it are counted under (the flow's account budget)
    language: str = ""


class MethodKind:
    kind = ""
    label: Any = ""                # "Authentication phone" (lazy translation)
    strength = 0                   # the default second step is the strongest method the person has
    # How much passing it proves on its own, in a reset: a one-step reset offers only the person's
    # methods of the highest assurance they have, and never one of 0 (security questions).
    assurance = 1
    # Capabilities: what flows ask of a kind instead of testing its name.
    strong = False                 # an authenticator app or passkey: required in every reset of its owner
    confirms_destination = False   # the full destination is typed before anything is sent (a phone)
    sends_message = False          # a challenge sends a message (text, call, email)
    usable_for_signin = True       # security questions only help with a reset
    one_per_person = True          # passkeys: one per device
    read_back = False              # a caller can read its answer to the help desk (a code sent, or shown by an app)
    wrong_answer: Any = WRONG_CODE  # what a wrong answer is told (a stand-in's too)

    def options(self, method: Method) -> list[tuple[str, str]]:
        """The ways to use this method, as (choice, label): a phone offers text and call."""
        return [("", self.describe(method))]

    def describe(self, method: Method) -> str:
        """How the method is offered, with the destination masked: "Text +X XXXXXXXX96"."""
        raise NotImplementedError

    def mask(self, destination: str) -> str:
        return ""

    def start(self, context: ChallengeContext, method: Method, choice: str = "") -> Challenge:
        """Begin a verification: send a code, or prepare a WebAuthn request. Raises
        VerificationFailed when it cannot start."""
        return Challenge()

    # Stand-ins (sspr.flows.decoys): the share of stand-ins given one of this kind, roughly as
    # many as real people have one, and a made-up method of the kind from a keyed seed.
    stand_in_share = 0.0

    def stand_in_method(self, seed: bytes) -> Method:
        return Method(kind=self.kind)

    def stand_in(self, method: Method, choice: str = "") -> Challenge:
        """What a stand-in method (a user ID we cannot help) shows instead of starting: the
        same as start() would, with nothing sent."""
        return Challenge(display={"sent_to": self.describe(method), "channel": method.kind})

    def unavailable(self, method: Method) -> str:
        """A sentence when this method cannot be checked at all right now (not the person's
        fault, so not counted against them); "" when it can."""
        return ""

    def incomplete(self, answer: Mapping[str, str]) -> str:
        """A sentence when the answer is missing altogether; "" when there is one to check."""
        return ""

    def progress(self, state: dict) -> str:
        """For a challenge answered elsewhere (a request approved on a phone): "waiting" until
        the answer has come, then "answered", when the page may send its form to be judged.
        "" for a kind the person answers on the page itself."""
        return ""

    def check(self, context: ChallengeContext, method: Method, state: dict, answer: Mapping[str, str]) -> None:
        """Check the answer against the challenge; raise VerificationFailed when wrong."""
        raise NotImplementedError

    def tidy(self, now) -> int:
        """The daily clean-up of what the kind keeps beyond its methods (requests that have
        ended); how many rows went."""
        return 0

    def retry(self, context: ChallengeContext, method: Method, state: dict) -> Challenge:
        """What to show after a wrong answer, without starting over (no new code is sent).
        `state` is the challenge just answered; a kind whose challenges are single-use
        (WebAuthn) issues a new one."""
        return Challenge(state=state)
