"""Verifying a caller at the help desk: the technician sends a code to one of the person's
registered methods (or asks for the code their authenticator app shows), and types what the caller
reads back. The flow lives in the technician's session, bound to the person being helped, on the
one verification step, with that person's own budget of wrong answers for this plan (so a
technician's typos never freeze the person's sign-in). A pass marks the person verified in the
technician's session for `console.verified_minutes`."""

import time
from collections.abc import MutableMapping

from django.conf import settings

from sspr.accounts.models import User
from sspr.actors import Actor
from sspr.methods.attempts import Budget
from sspr.methods.kinds import kind
from sspr.methods.models import Method

from .engine import Flow
from .methods import strongest_first
from .verification import Verification

PLAN = "caller-check"
PENDING_SECONDS = 10 * 60
VERIFIED = "callers_verified"   # session key: {user_id: {"until": time, "kind": kind}}


def methods(user: User | None) -> list[Method]:
    """The person's methods whose answer a caller can read back."""
    if user is None:
        return []
    return strongest_first(m for m in Method.objects.filter(user=user).select_related("user")
                           if kind(m.kind).read_back)


def begin(session: MutableMapping, user: User) -> Flow:
    """The check of this person, resumed if it is in progress; a check of another person ends."""
    flow = Flow.find(session, PLAN)
    if flow is not None and flow.user_pk == user.pk:
        return flow
    return Flow.start(session, PLAN, lifetime=PENDING_SECONDS, user_id=user.user_id, user_pk=user.pk,
                      steps=["verify"])


def verification(flow: Flow, actor: Actor, user: User, *, language: str = "") -> Verification:
    return Verification(flow, actor, methods(user), purpose=PLAN, budget=Budget.of(PLAN, flow.person_pk),
                        language=language)


def finish(flow: Flow, method: Method) -> None:
    flow.passed("verify", used=[{"method": method.pk, "kind": method.kind}])
    flow.end()
    verified = {uid: mark for uid, mark in flow.session.get(VERIFIED, {}).items() if mark["until"] > time.time()}
    verified[flow.user_id] = {"until": time.time() + settings.CONFIG.console.verified_minutes * 60,
                              "kind": method.kind}
    flow.session[VERIFIED] = verified


def verified_kind(session: MutableMapping, user_id: str) -> str:
    """The kind the caller proved, while the mark lasts; "" otherwise."""
    mark = session.get(VERIFIED, {}).get(user_id.lower())
    return mark["kind"] if mark and mark["until"] > time.time() else ""
