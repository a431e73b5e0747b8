"""Setting a password: the one pipeline every path calls (the person's own change, a reset, the
help desk, a teacher, the command line, the API): policy, directory, sync targets, the end of
every session, remembered device and live code, notices, audit."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from sspr.actors import Actor, Role
from sspr.audit.models import Outcome, Reason, Tag, record
from sspr.directory import get_directory
from sspr.directory.base import (
    AccountDisabled,
    AccountLocked,
    BadCredentials,
    DirectoryUser,
    PasswordRejected,
)
from sspr.limits import Limit
from sspr.methods import codes, devices
from sspr.passwords import policy

from . import people, sync
from .errors import AccountBlocked, OldPasswordWrong, PasswordRefused, TooManyAttempts
from .notices import notify_account_change

# Generous: one check per pause in typing; the point is to stop a script using us as an oracle.
live_checks_per_person = Limit("password-check:user", 300, timedelta(minutes=10))


@dataclass(frozen=True)
class PasswordSet:
    notifications: int
    # Each sync target's state after its first try, in [sync] targets order.
    targets: tuple[sync.TargetState, ...] = ()

    @property
    def synced(self) -> tuple[str, ...]:
        return tuple(state.target for state in self.targets if state.done)


def set_password(actor: Actor, person: DirectoryUser, new: str, *, old: str | None = None,
                 must_change: bool = False, detail: dict | None = None) -> PasswordSet:
    """Set person's password to new. With old, it is their own change, proved by the old
    password; without, a reset (after verification, or by staff). Raises PasswordRefused,
    OldPasswordWrong, AccountBlocked or the directory's DirectoryUnavailable."""
    tag = Tag.PASSWORD_CHANGE if old is not None else Tag.PASSWORD_RESET

    def accept(proved: bool = False) -> None:
        if refused := problems(person, new, old=old, proved=proved):
            raise PasswordRefused(refused)

    with refusals(actor, person, tag):
        if old is not None:
            # The old password first, counted by the directory like any wrong password, and only then
            # the policy: otherwise "you used this password recently" would confirm a guess of it.
            get_directory().prove_and_change_password(person.user_id, old, new, accept=lambda: accept(proved=True))
        else:
            accept()
            get_directory().reset_password(person.user_id, new, must_change=must_change)
    synced = sync.push_password(actor, person, new, must_change=must_change)
    end_what_the_old_password_opened(person)
    notified = notify_account_change(actor, person, "accounts/email/password_changed")
    record(actor, tag, subject=person.user_id, detail={"notifications": notified, "must_change": must_change,
                                                       "by_staff": actor.role != Role.PERSON, **(detail or {})})
    return PasswordSet(notified, tuple(synced))


@contextmanager
def refusals(actor: Actor, person: DirectoryUser, tag: Tag) -> Iterator[None]:
    """The directory's refusals as the service's typed errors, each audited."""
    try:
        yield
    except BadCredentials:
        record(actor, tag, subject=person.user_id, outcome=Outcome.FAILURE, reason=Reason.WRONG_PASSWORD)
        raise OldPasswordWrong() from None
    except (AccountLocked, AccountDisabled) as exc:
        reason = Reason.ACCOUNT_LOCKED if isinstance(exc, AccountLocked) else Reason.ACCOUNT_DISABLED
        record(actor, tag, subject=person.user_id, outcome=Outcome.FAILURE, reason=reason)
        raise AccountBlocked() from None
    except PasswordRejected as exc:
        record(actor, tag, subject=person.user_id, outcome=Outcome.REFUSED, reason=Reason.REFUSED_BY_POLICY)
        raise PasswordRefused(exc.reasons) from None


def end_what_the_old_password_opened(person: DirectoryUser) -> None:
    """Every session of the person ends (the caller may keep its own with a new key), and every
    remembered device and live code with them."""
    user = people.existing_user(person.user_id)
    if user is None:
        return
    user.end_all_sessions()
    devices.revoke_all(user)
    codes.end_live_codes(user)


def live_check(key: str, person: DirectoryUser, candidate: str) -> list[policy.Result]:
    """The live checklist: the same rules as on submit, asked while the person types, with a
    limit per person so it cannot serve a script as an oracle. Raises TooManyAttempts."""
    decision = live_checks_per_person.acquire(key)
    if not decision:
        raise TooManyAttempts(decision.retry_after)
    return policy.check(candidate[:2048], people.policy_person(person))


def problems(person: DirectoryUser, new: str, *, old: str | None = None, proved: bool = False) -> list[str]:
    """What set_password would refuse new for, without setting anything (to show every problem
    at once when the form has others too); proved: old has been proved to be the current one."""
    return policy.validate(new, people.policy_person(person), current_password=old, proved_current=proved)
