"""Signing in: the password step, with the per-address limit on failures, and the re-entered
password that opens security info."""

from datetime import timedelta
from typing import NoReturn

from django.conf import settings

from sspr.accounts.models import User
from sspr.actors import Actor
from sspr.audit.models import Outcome, Reason, Tag, record
from sspr.directory import get_directory
from sspr.directory.base import (
    AccountDisabled,
    AccountLocked,
    BadCredentials,
    DirectoryError,
    DirectoryUnavailable,
    PasswordMustChange,
)
from sspr.limits import Limit

from . import people
from .errors import SignInRefused, TooManyAttempts

REFUSALS = {BadCredentials: Reason.WRONG_PASSWORD, AccountLocked: Reason.ACCOUNT_LOCKED,
            AccountDisabled: Reason.ACCOUNT_DISABLED}


def failures_per_ip() -> Limit:
    limits = settings.CONFIG.limits
    return Limit("signin:ip", limits.signin_failures_per_ip, timedelta(minutes=limits.signin_window_minutes))


def refuse_if_address_blocked(actor: Actor, typed_user_id: str) -> None:
    """A client address with too many recent failures is refused before any password is tried."""
    if wait := failures_per_ip().peek(actor.client_ip or "unknown"):
        record(actor, Tag.SIGNIN_FAILURE, subject=typed_user_id, outcome=Outcome.REFUSED,
               reason=Reason.RATE_LIMITED)
        raise TooManyAttempts(wait)


def check_password(actor: Actor, user_id: str, password: str) -> tuple[User, bool]:
    """(the local user, whether the password must change). Raises SignInRefused for every kind
    of refusal alike (audited with the real reason, counted against the address),
    TooManyAttempts, or DirectoryUnavailable."""
    refuse_if_address_blocked(actor, user_id)
    try:
        person, must_change = get_directory().authenticate(user_id, password), False
    except PasswordMustChange as exc:
        person, must_change = exc.user, True
    except (BadCredentials, AccountLocked, AccountDisabled) as exc:
        refused(actor, user_id, REFUSALS[type(exc)])
    except DirectoryUnavailable:
        record(actor, Tag.SIGNIN_FAILURE, subject=user_id, outcome=Outcome.ERROR, reason=Reason.DIRECTORY_UNAVAILABLE)
        raise
    user = people.local_user(person)
    if user is None:
        refused(actor, user_id, Reason.OPERATOR_ACCOUNT)
    return user, must_change


def refused(actor: Actor, user_id: str, reason: Reason) -> NoReturn:
    record(actor, Tag.SIGNIN_FAILURE, subject=user_id, outcome=Outcome.FAILURE, reason=reason)
    failures_per_ip().acquire(actor.client_ip or "unknown")
    raise SignInRefused()


def signed_in(actor: Actor, user: User) -> None:
    record(actor.as_user(user.user_id), Tag.SIGNIN_SUCCESS, subject=user.user_id)


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
