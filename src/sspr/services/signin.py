"""Signing in: the password step, with the per-address limit on failures, and the re-entered
password that opens security info."""

import time
from datetime import timedelta
from typing import NoReturn

from django.conf import settings
from django.core import signing

from sspr.accounts.models import User
from sspr.actors import Actor, in_networks
from sspr.audit.models import Outcome, Reason, Tag, record
from sspr.directory import get_directory
from sspr.directory.base import (
    AccountDisabled,
    AccountLocked,
    BadCredentials,
    DirectoryError,
    DirectoryUnavailable,
    PasswordMustChange,
    UnknownUser,
)
from sspr.limits import Limit
from sspr.methods import passes
from sspr.methods.models import keyed_hash

from . import people
from .errors import LockedOut, ProofNeeded, SignInRefused

WITH_PASS = {"with": "pass"}
REFUSALS = {BadCredentials: Reason.WRONG_PASSWORD, AccountLocked: Reason.ACCOUNT_LOCKED,
            AccountDisabled: Reason.ACCOUNT_DISABLED}


def failures_per_ip(address: str | None) -> Limit:
    """A school is one address: its budget is generous, larger still on the district's own
    networks; beyond it unfamiliar browsers prove some work (see refuse_if_address_blocked)."""
    limits = settings.CONFIG.limits
    trusted = in_networks(address, limits.trusted_networks)
    maximum = limits.trusted_signin_failures_per_ip if trusted else limits.signin_failures_per_ip
    return Limit("signin:ip", maximum, timedelta(minutes=limits.signin_window_minutes))


# What the sign-in page was last told about each address, in this process: (when, over budget).
_lately: dict[str, tuple[float, bool]] = {}
LATELY_SECONDS = 2.0


def address_over_budget(actor: Actor, *, lately: bool = False) -> bool:
    """Whether the address has used up its failures (its browsers then prove some work).
    `lately`: an answer up to LATELY_SECONDS old will do. The sign-in page's GET asks only to
    choose what to show, and the POST decides with a fresh look (refuse_if_address_blocked,
    check_password), so the busiest page of the first morning need not read the database: a
    page that shows the proof of work a moment late or early costs the person one more step at
    most. Every fresh look updates the answer, so this process's own failures show at once."""
    key = actor.client_ip or "unknown"
    now = time.time()  # the wall clock, as the limits' windows are
    if lately and (seen := _lately.get(key)) is not None and 0 <= now - seen[0] < LATELY_SECONDS:
        return seen[1]
    over = failures_per_ip(actor.client_ip).peek(key) is not None
    if len(_lately) > 10_000:
        _lately.clear()  # a flood of addresses: forget them all rather than grow
    _lately[key] = (now, over)
    return over


def refuse_if_address_blocked(actor: Actor, typed_user_id: str, *, vouched: bool = False) -> None:
    """Over its budget, a client address is refused before any password is tried, unless the
    browser is vouched for: it signed in here before (familiar), or it solved a proof of work.
    So a school's students keep signing in while someone there guesses, and the guesser pays."""
    if wait := failures_per_ip(actor.client_ip).peek(actor.client_ip or "unknown"):
        if vouched:
            return
        record(actor, Tag.SIGNIN_FAILURE, subject=typed_user_id, outcome=Outcome.REFUSED,
               reason=Reason.RATE_LIMITED)
        raise ProofNeeded(wait)


# A browser that has shown the right password keeps a signed list of keyed hashes of the user
# IDs it signed in (never the IDs themselves), so it is familiar to the per-address limit.
FAMILIAR_SALT = "sspr.signin.familiar"
FAMILIAR_DAYS = 90
FAMILIAR_MAXIMUM = 10  # a family's shared computer


def _id_mark(user_id: str) -> str:
    return keyed_hash(f"familiar:{user_id.lower()}")[:20]


def _marks(token: str) -> list[str]:
    try:
        return list(signing.loads(token, salt=FAMILIAR_SALT, max_age=FAMILIAR_DAYS * 86400))
    except (signing.BadSignature, TypeError, ValueError):
        return []


def is_familiar(token: str, user_id: str) -> bool:
    return bool(token) and _id_mark(user_id) in _marks(token)


def familiar_token(token: str, user_id: str) -> str:
    """The browser's token, now also naming user_id (the newest FAMILIAR_MAXIMUM kept)."""
    marks = [mark for mark in _marks(token) if mark != _id_mark(user_id)] + [_id_mark(user_id)]
    return signing.dumps(marks[-FAMILIAR_MAXIMUM:], salt=FAMILIAR_SALT, compress=True)


def check_password(actor: Actor, user_id: str, password: str, *, vouched: bool = False,
                   familiar: bool = False) -> tuple[User, bool, tuple[str, ...]]:
    """(the local user, whether the password must change, the person's groups as the directory
    has just said them). Raises SignInRefused for every kind of refusal alike (audited with the
    real reason, counted against the address), ProofNeeded, or DirectoryUnavailable; LockedOut
    only for the right password of a locked account from a familiar browser (one that signed in
    as this user ID before)."""
    refuse_if_address_blocked(actor, user_id, vouched=vouched)
    try:
        person, must_change = get_directory().authenticate(user_id, password), False
    except PasswordMustChange as exc:
        person, must_change = exc.user, True
    except AccountLocked:
        if familiar and get_directory().locked_password_matches(user_id, password):
            record(actor, Tag.SIGNIN_FAILURE, subject=user_id, outcome=Outcome.FAILURE,
                   reason=Reason.ACCOUNT_LOCKED, detail={"password_right": True})
            raise LockedOut() from None
        refused(actor, user_id, Reason.ACCOUNT_LOCKED)
    except (BadCredentials, AccountDisabled) as exc:
        refused(actor, user_id, REFUSALS[type(exc)])
    except DirectoryUnavailable:
        record(actor, Tag.SIGNIN_FAILURE, subject=user_id, outcome=Outcome.ERROR, reason=Reason.DIRECTORY_UNAVAILABLE)
        raise
    user = people.local_user(person)
    if user is None:
        refused(actor, user_id, Reason.OPERATOR_ACCOUNT)
    return user, must_change, tuple(person.groups)


def refused(actor: Actor, user_id: str, reason: Reason) -> NoReturn:
    record(actor, Tag.SIGNIN_FAILURE, subject=user_id, outcome=Outcome.FAILURE, reason=reason)
    failures_per_ip(actor.client_ip).acquire(actor.client_ip or "unknown")
    raise SignInRefused()


def signed_in(actor: Actor, user: User, *, detail: dict | None = None) -> None:
    record(actor.as_user(user.user_id), Tag.SIGNIN_SUCCESS, subject=user.user_id, detail=detail)


def signed_out(actor: Actor, user: User) -> None:
    record(actor, Tag.SIGNOUT, subject=user.user_id)


def confirm_password(actor: Actor, user: User, password: str) -> bool:
    """Whether password is the signed-in person's own (an expired one counts: it is theirs)."""
    try:
        get_directory().authenticate(user.user_id, password)
    except PasswordMustChange:
        return True
    except DirectoryError:
        return False
    return True


def check_pass(actor: Actor, user_id: str, typed: str) -> tuple[User, bool]:
    """Sign in with a Temporary Access Pass instead of the password and second step: (the local
    user, whether the directory wants the password changed). One refusal for every failure
    (unknown user, disabled account, wrong, used, expired or revoked pass), counted against the
    client address like a wrong password, never against the account's lockout: a stranger's
    guesses at passes must not lock its owner out."""
    refuse_if_address_blocked(actor, user_id)
    try:
        person = get_directory().lookup(user_id)
    except UnknownUser:
        person = None
    except DirectoryUnavailable:
        record(actor, Tag.SIGNIN_FAILURE, subject=user_id, outcome=Outcome.ERROR, reason=Reason.DIRECTORY_UNAVAILABLE,
               detail=WITH_PASS)
        raise
    user = people.existing_user(person.user_id) if person is not None and person.enabled else None
    used = passes.redeem(user, typed)
    if user is None or used is None:
        why = passes.why_refused(user, typed)
        reason = {"revoked": Reason.EXPIRED, "expired": Reason.EXPIRED, "already_used": Reason.ALREADY_USED}.get(
            why, Reason.ACCOUNT_DISABLED if person is not None and not person.enabled else Reason.WRONG_ANSWER)
        record(actor, Tag.SIGNIN_FAILURE, subject=user_id, outcome=Outcome.FAILURE, reason=reason, detail=WITH_PASS)
        failures_per_ip(actor.client_ip).acquire(actor.client_ip or "unknown")
        raise SignInRefused()
    assert person is not None  # a user was found through it
    return user, person.must_change_password
