"""Typed errors of the services. A caller tells the person what happened from the type and
the plain sentences carried, never from a False return value."""

from datetime import timedelta

from sspr.audit.models import Reason


class ServiceError(Exception):
    reason: Reason = Reason.REFUSED_BY_POLICY


class PasswordRefused(ServiceError):
    """The new password does not meet the policy (ours or the directory's); reasons are
    sentences for the person."""

    def __init__(self, reasons: list[str]):
        super().__init__("; ".join(str(reason) for reason in reasons))
        self.reasons = reasons


class OldPasswordWrong(ServiceError):
    reason = Reason.WRONG_PASSWORD


class AccountBlocked(ServiceError):
    """The account is locked or disabled, so it cannot change its own password now."""
    reason = Reason.ACCOUNT_LOCKED


class LockedOut(ServiceError):
    """The right password of a locked account, from a browser that signed in as it before: its
    owner, who is told so and pointed to the unlock (a stranger gets SignInRefused)."""
    reason = Reason.ACCOUNT_LOCKED


class SignInRefused(ServiceError):
    """Wrong user ID or password, locked, disabled, or an operator's ID: one error, so no
    caller can tell them apart by accident (the audit trail keeps the real reason)."""
    reason = Reason.WRONG_PASSWORD


class TooManyAttempts(ServiceError):
    reason = Reason.RATE_LIMITED

    def __init__(self, retry_after: timedelta | None):
        super().__init__("too many attempts")
        self.retry_after = retry_after


class OperatorLocked(ServiceError):
    """Too many wrong passwords or codes for one operator user ID: its admin sign-in is refused,
    the right password included, until retry_after has passed."""
    reason = Reason.ACCOUNT_LOCKED

    def __init__(self, retry_after: timedelta | None):
        super().__init__("operator sign-in locked")
        self.retry_after = retry_after


class SecondStepMissing(ServiceError):
    """The operator's password was right, but no authenticator app is set up for them."""
    reason = Reason.NO_SECOND_STEP


class SecondStepFailed(ServiceError):
    """The operator's code was wrong (WRONG_ANSWER), already used (ALREADY_USED), or cannot be
    checked (METHOD_UNREADABLE: the key was sealed under another server.secret_key)."""

    def __init__(self, reason: Reason):
        super().__init__(str(reason))
        self.reason = reason


class NotRegistered(ServiceError):
    """An enabled account without the security info a reset needs; said only where the operator
    chose to (reset.explain_unregistered)."""
    reason = Reason.CANNOT_HELP


class ProofNeeded(TooManyAttempts):
    """The client's address is over its budget of failed sign-ins: a browser that has not
    signed in here before is asked for a proof of work before any password is checked."""
