"""The one verification step every flow uses (sign-in, re-authentication, reset, and later the
help desk's caller check): choosing a method, the full destination before anything is sent
where the kind asks for it, starting the challenge, checking the answer within the account's
budget of wrong answers, "another way", and the audit record. Stand-in methods (a user ID we
cannot help) go through the same stages, meet the same limits, and never pass."""

import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from sspr.actors import Actor
from sspr.audit.models import Outcome, Reason, Tag, record
from sspr.methods.attempts import Budget, guarded, refuse_if_spent, spend, wait_message
from sspr.methods.base import AnswerIncomplete, ChallengeContext, VerificationFailed
from sspr.methods.codes import SPENT, WRONG, channel_still_trying
from sspr.methods.kinds import kind
from sspr.methods.models import Method
from sspr.methods.rules import sends_per_account

from .engine import Flow

# A stage that sends (or would send) a message takes at least this long, whether it sends or not:
# a real send writes a code, screens the destination and queues the message, a stand-in or a
# mismatched number does none of it, and the difference must not tell them apart.
SENDING_SECONDS = 0.15
REFUSALS = {Reason.COOL_DOWN, Reason.RATE_LIMITED, Reason.DELIVERY_UNAVAILABLE, Reason.METHOD_UNREADABLE}


@contextmanager
def at_least(seconds: float) -> Iterator[None]:
    """The block takes at least `seconds`, whatever it does (and whatever it raises)."""
    deadline = time.monotonic() + seconds
    try:
        yield
    finally:
        if (left := deadline - time.monotonic()) > 0:
            time.sleep(left)


@dataclass
class Stage:
    """What the person sees next: "choose" (the options), "confirm" (type the whole
    destination), or "answer" (the challenge, with what to show)."""

    name: str
    method: Method | None = None
    display: dict[str, Any] = field(default_factory=dict)


class Verification:
    def __init__(self, flow: Flow, actor: Actor, methods: list[Method], *, purpose: str, budget: Budget,
                 language: str = "", confirm_destinations: bool = False):
        self.flow, self.actor, self.methods = flow, actor, methods
        self.purpose = purpose
        # Where only part of who someone is has been proved (a reset), a kind that asks for it
        # has its whole destination typed before anything is sent.
        self.confirm_destinations = confirm_destinations
        # Codes and challenges are bound to this very flow: one sent for another sign-in or reset
        # of the same person (another tab, an attacker's flow) is not an answer here.
        self.context = ChallengeContext(actor=actor, purpose=f"{purpose}:{flow.id}", sends_key=budget.key,
                                        language=language)
        self.stand_in = flow.user_pk is None
        # The plan's budget of wrong answers (and of sends): stand-ins meet it exactly as real
        # methods do, or its absence would tell which user IDs are real.
        self.budget = budget

    # The options
    def options(self) -> list[tuple[str, str]]:
        return [(f"{m.pk}:{choice}", label) for m in self.methods for choice, label in kind(m.kind).options(m)]

    def chosen(self) -> Method | None:
        return next((m for m in self.methods if m.pk == self.flow.scratch.get("method")), None)

    def another_way(self) -> None:
        self.flow.state["scratch"] = {}
        self.flow.save()

    # The stages
    def choose(self, option: str) -> Stage:
        method_id, _sep, choice = option.partition(":")
        method = next((m for m in self.methods if str(m.pk) == method_id), None)
        if method is None:
            raise AnswerIncomplete(_("Choose how you want to verify your identity."))
        self.flow.state["scratch"] = {"method": method.pk, "choice": choice}
        self.flow.save()
        if self.confirm_destinations and kind(method.kind).confirms_destination:
            return self.confirming(method)
        with at_least(SENDING_SECONDS if kind(method.kind).sends_message else 0):
            return self._guarded(method, lambda: self._begin(method, choice, real=not self.stand_in, sent=True))

    def confirming(self, method: Method) -> Stage:
        """The stage that asks for the whole destination of the method chosen."""
        return Stage("confirm", method, {"masked": kind(method.kind).mask(method.destination),
                                         "choice": self.flow.scratch.get("choice", "")})

    def confirm(self, destination: str) -> Stage:
        """The whole destination, typed: only a match sends anything, and a mismatch looks the same."""
        method = self.chosen()
        if method is None or not (self.confirm_destinations and kind(method.kind).confirms_destination):
            raise AnswerIncomplete(_("Choose how you want to verify your identity."))
        matches = not self.stand_in and destination == method.destination

        def begin() -> Stage:
            if not matches:
                # A wrong number counts like a wrong code, for real accounts and stand-ins alike,
                # so the hundred candidates of "...04" cannot be tried; the page looks the same.
                spend(self.budget)
            return self._begin(method, self.flow.scratch.get("choice", ""), real=matches, sent=matches)

        with at_least(SENDING_SECONDS):
            return self._guarded(method, begin)

    def answer(self, answer: Mapping[str, str]) -> Method:
        """Check the answer to the challenge in progress; the method when it is right. Raises
        VerificationFailed (the stage to show again is retry())."""
        method = self.chosen()
        if method is None or not self.flow.scratch.get("ready"):
            raise AnswerIncomplete(_("Choose how you want to verify your identity."))
        return self._guarded(method, lambda: self._judge(method, answer))

    def retry(self) -> Stage:
        """The challenge again after a wrong answer, without starting over (no new code)."""
        method = self.chosen()
        if method is None:
            return Stage("choose")
        if not self.flow.scratch.get("real"):  # a stand-in, or a mismatched number
            again = kind(method.kind).stand_in(method, self.flow.scratch.get("choice", ""))
            if kind(method.kind).sends_message:
                # A real code's page says when its message is being retried; a stand-in's says
                # what the channel's newest code would, so an outage looks the same on both.
                again.display["still_trying"] = channel_still_trying(again.display["channel"])
        else:
            answered = self.flow.scratch.get("challenge") or self.flow.scratch.get("answered", {})
            again = kind(method.kind).retry(self.context, method, answered)
        self.flow.scratch["challenge"] = again.state
        self.flow.save()
        return Stage("answer", method, again.display)

    # Inside
    def _begin(self, method: Method, choice: str, *, real: bool, sent: bool) -> Stage:
        """Start the challenge (real), or show what it would (a stand-in, a mismatched number).
        `sent`: a real account would have sent a message here."""
        refuse_if_spent(self.budget)
        if real:
            challenge = kind(method.kind).start(self.context, method, choice)
        else:
            if sent and kind(method.kind).sends_message:
                self._stand_in_send()
            challenge = kind(method.kind).stand_in(method, choice)
        self.flow.scratch.update(challenge=challenge.state, ready=True, real=real, stand_in_tries=0)
        self.flow.save()
        return Stage("answer", method, challenge.display)

    def _stand_in_send(self) -> None:
        """A stand-in's "send" meets the send limit a real one meets, or its absence would tell
        which user IDs are real."""
        decision = sends_per_account().acquire(self.budget.key)
        if not decision:
            raise VerificationFailed(wait_message(decision.retry_after), Reason.RATE_LIMITED)

    def _judge(self, method: Method, answer: Mapping[str, str]) -> Method:
        the_kind = kind(method.kind)
        real = self.flow.scratch.get("real")  # never for a stand-in
        if real and (problem := the_kind.unavailable(method)):
            raise VerificationFailed(problem, Reason.METHOD_UNREADABLE)
        if problem := the_kind.incomplete(answer):
            raise AnswerIncomplete(problem)
        state = self.flow.scratch.pop("challenge", {})  # an answer spends the challenge, right or wrong
        self.flow.scratch["answered"] = state  # what retry() shows again (the channel a code went by)
        self.flow.save()

        def judge() -> None:
            if not real:
                raise VerificationFailed(self._stand_in_refusal(the_kind))
            the_kind.check(self.context, method, state, answer)

        guarded(self.budget, judge)
        record(self.actor, Tag.VERIFY_SUCCESS, subject=self.flow.user_id,
               detail={"purpose": self.purpose, "kind": method.kind})
        return method

    def _stand_in_refusal(self, the_kind) -> str:
        """What a real code would say: "didn't work", then, once a code has had its tries,
        "no longer valid"; a kind with no sent code says its own wrong-answer sentence."""
        if not the_kind.sends_message:
            return str(the_kind.wrong_answer)
        tries = self.flow.scratch["stand_in_tries"] = self.flow.scratch.get("stand_in_tries", 0) + 1
        self.flow.save()
        return str(SPENT if tries >= settings.CONFIG.methods.code_attempts else WRONG)

    def _guarded(self, method: Method, step):
        """Run a stage; audit a failure with its reason (an unfinished form is not one)."""
        try:
            return step()
        except AnswerIncomplete:
            raise
        except VerificationFailed as exc:
            outcome = Outcome.REFUSED if exc.reason in REFUSALS else Outcome.FAILURE
            record(self.actor, Tag.VERIFY_FAILURE, subject=self.flow.user_id, outcome=outcome, reason=exc.reason,
                   detail={"purpose": self.purpose, "kind": method.kind})
            if exc.reason == Reason.RATE_LIMITED and kind(method.kind).sends_message:
                exc.message = " ".join(filter(None, [exc.message, self._still_usable()]))
            raise

    def _still_usable(self) -> str:
        """A send limit stops texts, calls and emails only: name the offered methods that send
        nothing (they are on the page already, so this tells no one anything new)."""
        labels = dict.fromkeys(str(kind(m.kind).label) for m in self.methods if not kind(m.kind).sends_message)
        if not labels:
            return ""
        return _("You can still use: %(methods)s.") % {"methods": ", ".join(labels)}

