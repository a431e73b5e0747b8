"""The embedded directory: accounts and argon2id hashes in our own database.

The default home of passwords for a district without LDAP or AD, and the reference
implementation of sspr.directory.base.Directory.
"""

import contextlib
import unicodedata
from datetime import datetime, timedelta

from django.contrib.auth.hashers import check_password, make_password
from django.db import DatabaseError, transaction
from django.utils import timezone

from ..base import (
    AccountDisabled,
    AccountLocked,
    BadCredentials,
    Directory,
    DirectoryUnavailable,
    DirectoryUser,
    PasswordMustChange,
    UnknownUser,
)
from .models import FOREVER, Account, PreviousPassword, normalise_user_id

# The most the history rule can ask for (password_policy.history is at most 24).
HISTORY_KEPT = 24
# How long a failure counts toward the lockout when directory.lockout_minutes is 0 (a lockout that
# only the help desk ends): the key's default, so that such failures still age out.
PERMANENT_LOCK_WINDOW = timedelta(minutes=30)


def canonical_password(password: str) -> str:
    # The same passphrase typed on a phone and a laptop can arrive in different Unicode forms.
    return unicodedata.normalize("NFKC", password)


class EmbeddedDirectory(Directory):
    def __init__(self, config):
        self.lockout_threshold = config.directory.lockout_threshold
        self.lockout_minutes = config.directory.lockout_minutes
        # A failure counts toward the lockout for this long after it happens (a sliding window):
        # one wrong password now and then, for months, never adds up to a lock.
        self.failure_window = timedelta(minutes=self.lockout_minutes) if self.lockout_minutes else PERMANENT_LOCK_WINDOW

    def authenticate(self, user_id, password):
        password = canonical_password(password)
        now = timezone.now()
        account = self._find(user_id)
        if account is None or not account.enabled or account.is_locked(now):
            # Spend the same hashing time as a real check so the answer's timing tells nothing,
            # and never test a password against a locked account (no oracle while locked).
            make_password(password)
            if account is None:
                raise BadCredentials()
            raise AccountDisabled() if not account.enabled else AccountLocked()

        def upgrade(raw):  # weaker or imported hash: replace it now that we know the password
            Account.objects.filter(pk=account.pk).update(password=make_password(raw))

        if not check_password(password, account.password, setter=upgrade):
            self._count_failure(account, now)
            raise BadCredentials()
        if account.recent_failures:
            Account.objects.filter(pk=account.pk).update(recent_failures=[])
        user = self._to_user(account, now)
        if account.must_change_password:
            raise PasswordMustChange(user)
        return user

    def lookup(self, user_id):
        account = self._find(user_id)
        if account is None:
            raise UnknownUser(user_id)
        return self._to_user(account, timezone.now())

    def change_password(self, user_id, old_password, new_password):
        with contextlib.suppress(PasswordMustChange):  # an expired password is exactly the one that may be changed
            self.authenticate(user_id, old_password)
        self.reset_password(user_id, new_password)

    def reset_password(self, user_id, new_password, *, must_change=False):
        with transaction.atomic():
            account = self._accounts(user_id).select_for_update().first()
            if account is None:
                raise UnknownUser(user_id)
            if account.has_usable_password():
                PreviousPassword.objects.create(account=account, password=account.password)
                stale = account.previous_passwords.values_list("pk", flat=True)[HISTORY_KEPT:]
                PreviousPassword.objects.filter(pk__in=list(stale)).delete()
            account.password = make_password(canonical_password(new_password))
            account.password_last_set = timezone.now()
            account.must_change_password = must_change
            account.recent_failures, account.locked_until = [], None
            account.save()

    def recently_used(self, user_id, password, depth):
        account = self._find(user_id)
        if account is None or depth < 1:
            return False
        password = canonical_password(password)
        hashes = [account.password, *account.previous_passwords.values_list("password", flat=True)[:depth - 1]]
        return any(check_password(password, encoded) for encoded in hashes)

    def unlock(self, user_id):
        if not self._accounts(user_id).update(recent_failures=[], locked_until=None):
            raise UnknownUser(user_id)

    def lock(self, user_id):
        if not self._accounts(user_id).update(locked_until=FOREVER):
            raise UnknownUser(user_id)

    def check(self):
        try:
            Account.objects.exists()
        except DatabaseError as exc:
            return [f"embedded directory: database not usable ({exc.__class__.__name__}: {exc})"]
        return []

    def _accounts(self, user_id):
        return Account.objects.filter(user_id=normalise_user_id(user_id))

    def _find(self, user_id):
        try:
            return self._accounts(user_id).first()
        except DatabaseError as exc:
            raise DirectoryUnavailable(str(exc)) from exc

    def _count_failure(self, account, now):
        """One more failure in the sliding window; the one that reaches the threshold locks the
        account until lockout_minutes from now and empties the log, so the lock ends on time and
        the failures that caused it cannot start another."""
        with transaction.atomic():
            # The row is held while its log is read and rewritten, so concurrent failures all count.
            locked = Account.objects.select_for_update().filter(pk=account.pk).first()
            if locked is None or locked.is_locked(now):
                return  # locked meanwhile (by another failure or by an operator): nothing counts
            since = now - self.failure_window
            recent = [at for at in locked.recent_failures if datetime.fromisoformat(at) > since]
            recent.append(now.isoformat())
            if len(recent) >= self.lockout_threshold:
                until = now + timedelta(minutes=self.lockout_minutes) if self.lockout_minutes else FOREVER
                Account.objects.filter(pk=account.pk).update(locked_until=until, recent_failures=[])
            else:
                Account.objects.filter(pk=account.pk).update(recent_failures=recent)

    @staticmethod
    def _to_user(account, now):
        return DirectoryUser(
            user_id=account.user_id,
            display_name=account.display_name,
            groups=tuple(account.groups),
            department=account.department,
            email=account.email,
            mobile=account.mobile,
            alternate_email=account.alternate_email,
            enabled=account.enabled,
            locked=account.is_locked(now),
            must_change_password=account.must_change_password,
            password_last_set=account.password_last_set,
        )
