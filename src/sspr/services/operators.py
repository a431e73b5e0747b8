"""Operators (IT staff) signing in to the admin: the password, with a per-address limit and a
per-operator lockout, then the code of an authenticator app; and issuing that app's key.

Every try is audited with the operator role (signin:failure with its real reason, then
signin:success once the code has passed). The limits, all sliding windows (sspr.limits):

- every password and code from one client address counts toward admin.signin_attempts_per_ip,
  right or wrong, and is counted before it is tested (acquire is atomic), so no burst of
  concurrent requests slips past it; over the limit nothing is tested;
- every wrong password or code for one user ID (typed as it is, existing or not) counts toward
  admin.lockout_threshold; the one that reaches it locks that user ID's sign-in for
  admin.lockout_minutes from then. While locked no password or code is tested (the same hashing
  time is spent, so the answer's timing says nothing) and nothing more is counted, so the lock
  ends on time. Only a finished sign-in (password and code) clears the failures: a right password
  alone does not, or someone who has it could guess codes for ever.
"""

import time
from datetime import timedelta

from cryptography.fernet import InvalidToken
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from sspr.accounts.models import OperatorAuthenticator, User
from sspr.actors import Actor
from sspr.audit.models import Outcome, Reason, Tag, record
from sspr.limits import Limit
from sspr.methods.crypto import seal, unseal
from sspr.methods.kinds import totp

from .errors import (
    OperatorLocked,
    SecondStepFailed,
    SecondStepMissing,
    SignInRefused,
    TooManyAttempts,
)

PASSWORD, CODE = "password", "code"  # the steps, as the audit trail's detail names them


def attempts_per_ip() -> Limit:
    admin = settings.CONFIG.admin
    return Limit("admin:ip", admin.signin_attempts_per_ip, timedelta(minutes=admin.signin_window_minutes))


def failures_per_operator() -> Limit:
    admin = settings.CONFIG.admin
    return Limit("admin:failures", admin.lockout_threshold, timedelta(minutes=admin.signin_window_minutes))


def lockouts() -> Limit:
    return Limit("admin:lockout", 1, timedelta(minutes=settings.CONFIG.admin.lockout_minutes))


def operator_key(user_id: str) -> str:
    return user_id.strip().lower()[:254]


def check_password(actor: Actor, user_id: str, password: str) -> User:
    """The operator whose password this is, who may now be asked for their code. Raises
    TooManyAttempts (this address), OperatorLocked (this user ID), SignInRefused (wrong user ID or
    password, or an operator who is not a superuser), or SecondStepMissing (no authenticator)."""
    key = operator_key(user_id)
    _admit(actor, key, PASSWORD, password)
    operator = User.objects.filter(user_id=key, is_operator=True, is_active=True).first()
    if operator is None:
        make_password(password)  # the time a real check takes
        _failed(actor, key, Reason.WRONG_PASSWORD, PASSWORD)
        raise SignInRefused()
    if not operator.check_password(password):
        _failed(actor, key, Reason.WRONG_PASSWORD, PASSWORD)
        raise SignInRefused()
    if not (operator.is_superuser and operator.is_staff):
        # The admin is for superusers only; the right password of anyone else is no guess to count.
        record(actor, Tag.SIGNIN_FAILURE, subject=key, outcome=Outcome.REFUSED, reason=Reason.NOT_ALLOWED,
               detail={"step": PASSWORD})
        raise SignInRefused()
    if not OperatorAuthenticator.objects.filter(user=operator).exists():
        record(actor, Tag.SIGNIN_FAILURE, subject=key, outcome=Outcome.REFUSED, reason=Reason.NO_SECOND_STEP,
               detail={"step": PASSWORD})
        raise SecondStepMissing()
    return operator


def check_code(actor: Actor, operator: User, code: str) -> None:
    """The operator's authenticator app code, each accepted once. Returns when the sign-in is
    complete (audited); raises TooManyAttempts, OperatorLocked or SecondStepFailed."""
    key = operator_key(operator.user_id)
    _admit(actor, key, CODE)
    accepted = False
    try:
        with transaction.atomic():
            # Held, so two requests carrying the same code cannot both find its step unused.
            app = OperatorAuthenticator.objects.select_for_update().filter(user=operator).first()
            if app is None:  # removed since the password step
                record(actor, Tag.SIGNIN_FAILURE, subject=key, outcome=Outcome.REFUSED,
                       reason=Reason.NO_SECOND_STEP, detail={"step": CODE})
                raise SecondStepFailed(Reason.NO_SECOND_STEP)
            step = totp.matching_step(unseal(app.sealed_secret), code[:12], at=time.time())
            if step is not None and step > app.last_step:
                app.last_step, app.last_used_at = step, timezone.now()
                app.save(update_fields=["last_step", "last_used_at"])
                accepted = True
    except InvalidToken:
        record(actor, Tag.SIGNIN_FAILURE, subject=key, outcome=Outcome.ERROR, reason=Reason.METHOD_UNREADABLE,
               detail={"step": CODE})
        raise SecondStepFailed(Reason.METHOD_UNREADABLE) from None
    if not accepted:
        reason = Reason.WRONG_ANSWER if step is None else Reason.ALREADY_USED
        _failed(actor, key, reason, CODE)
        raise SecondStepFailed(reason)
    failures_per_operator().reset(key)
    record(actor.as_user(operator.user_id), Tag.SIGNIN_SUCCESS, subject=operator.user_id,
           detail={"second_step": "totp"})


def signed_out(actor: Actor, operator: User) -> None:
    record(actor, Tag.SIGNOUT, subject=operator.user_id)


def issue_authenticator(actor: Actor, operator: User) -> dict:
    """A new authenticator app key for the operator, replacing any earlier one (whose codes stop
    working at once, and every admin session of the operator ends). Shown once, by the caller:
    {"secret": grouped for typing, "uri": the otpauth:// URI its QR code holds}."""
    if not operator.is_operator:
        raise ValueError(f"{operator.user_id} is not an operator")
    secret = totp.new_secret()
    OperatorAuthenticator.objects.update_or_create(
        user=operator, defaults={"sealed_secret": seal(secret), "last_step": -1, "last_used_at": None})
    operator.end_all_sessions()
    record(actor, Tag.METHOD_ADD, subject=operator.user_id, detail={"kind": "totp", "operator": True})
    return {"secret": totp.grouped(secret), "uri": totp.provisioning_uri(secret, operator.user_id)}


def _admit(actor: Actor, key: str, step: str, password: str = "") -> None:
    """Counts this try against the address, then refuses it when the address is over its limit or
    the user ID is locked, before anything is tested."""
    if not (decision := attempts_per_ip().acquire(actor.client_ip or "unknown")):
        record(actor, Tag.SIGNIN_FAILURE, subject=key, outcome=Outcome.REFUSED, reason=Reason.RATE_LIMITED,
               detail={"step": step})
        raise TooManyAttempts(decision.retry_after)
    if wait := lockouts().peek(key):
        if step == PASSWORD:
            make_password(password)  # as long as a real check: the lock is not told by the time taken
        record(actor, Tag.SIGNIN_FAILURE, subject=key, outcome=Outcome.REFUSED, reason=Reason.ACCOUNT_LOCKED,
               detail={"step": step})
        raise OperatorLocked(wait)


def _failed(actor: Actor, key: str, reason: Reason, step: str) -> None:
    record(actor, Tag.SIGNIN_FAILURE, subject=key, outcome=Outcome.FAILURE, reason=reason, detail={"step": step})
    failures = failures_per_operator()
    failures.acquire(key)
    if failures.peek(key) is not None:  # the threshold is reached within the window: lock
        lockouts().acquire(key)
        failures.reset(key)  # the lock used them up: they cannot start another when it ends
        minutes = settings.CONFIG.admin.lockout_minutes
        record(actor, Tag.ACCOUNT_LOCK, subject=key, detail={"admin_signin": True, "minutes": minutes})
