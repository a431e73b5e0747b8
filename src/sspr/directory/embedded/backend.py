"""The embedded directory: accounts and argon2id hashes in our own database.

The default home of passwords for a district without LDAP or AD, and the reference
implementation of sspr.directory.base.Directory.
"""

import contextlib
import math
import unicodedata
from datetime import datetime, timedelta
from itertools import product

from django.contrib.auth.hashers import check_password, make_password
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone

from ..base import (
    AccountDisabled,
    AccountLocked,
    BadCredentials,
    Directory,
    DirectoryUnavailable,
    DirectoryUser,
    PasswordMustChange,
    SearchResult,
    UnknownUser,
)
from .models import FOREVER, Account, PreviousPassword, normalise_user_id

# The most the history rule can ask for (password_policy.history is at most 24).
HISTORY_KEPT = 24
# How long a failure counts toward the lockout when directory.lockout_minutes is 0 (a lockout that
# only the help desk ends): the key's default, so that such failures still age out.
PERMANENT_LOCK_WINDOW = timedelta(minutes=30)
# The most spellings of one search text that case_variants() lists letter by letter.
CASE_VARIANTS_MAX = 16


def canonical_password(password: str) -> str:
    # The same passphrase typed on a phone and a laptop can arrive in different Unicode forms.
    return unicodedata.normalize("NFKC", password)


def case_variants(text: str) -> list[str]:
    """Spellings of text that a case-insensitive comparison in the database needs to be asked for.

    Django's i-lookups fold ASCII letters on every database, but the others only where the
    database's locale does: SQLite's LIKE never does, nor does PostgreSQL's upper() under the C
    locale, so "álvarez" would not find "Álvarez". So each letter outside ASCII is asked for in
    its lower and upper case, every combination while there are at most CASE_VARIANTS_MAX of
    them; beyond that (a longer name in, say, Cyrillic) the text as typed, in lower case, upper
    case and capitalised words, the ways names are written."""
    choices = [sorted({ch, ch.lower(), ch.upper()} if not ch.isascii() and len(ch.lower()) == len(ch.upper()) == 1
                      else {ch}) for ch in text]
    if math.prod(len(options) for options in choices) <= CASE_VARIANTS_MAX:
        return ["".join(spelling) for spelling in product(*choices)]
    return list(dict.fromkeys([text, text.lower(), text.upper(), text.title()]))


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

    def locked_password_matches(self, user_id, password):
        account = self._find(user_id)
        if account is None or not account.enabled or not account.is_locked(timezone.now()):
            return False
        return check_password(canonical_password(password), account.password)

    def lookup(self, user_id):
        account = self._find(user_id)
        if account is None:
            raise UnknownUser(user_id)
        return self._to_user(account, timezone.now())

    def change_password(self, user_id, old_password, new_password):
        self.prove_and_change_password(user_id, old_password, new_password, accept=lambda: None)

    def prove_and_change_password(self, user_id, old_password, new_password, *, accept):
        # One proof of the old password: the change itself is a reset of the proved account.
        with contextlib.suppress(PasswordMustChange):  # an expired password is exactly the one that may be changed
            self.authenticate(user_id, old_password)
        accept()
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

    def recently_used(self, user_id, password, depth, *, not_current=False):
        account = self._find(user_id)
        if account is None or depth < 1:
            return False
        password = canonical_password(password)
        # Each remembered hash has its own salt, so each costs one hash: none spent needlessly.
        previous = list(account.previous_passwords.values_list("password", flat=True)[:depth - 1]) if depth > 1 else []
        hashes = previous if not_current else [account.password, *previous]
        return any(check_password(password, encoded) for encoded in hashes)

    def unlock(self, user_id):
        if not self._accounts(user_id).update(recent_failures=[], locked_until=None):
            raise UnknownUser(user_id)

    def lock(self, user_id):
        if not self._accounts(user_id).update(locked_until=FOREVER):
            raise UnknownUser(user_id)

    def password_expires(self, person):
        # The embedded directory has no maximum password age: its passwords never expire (NIST
        # SP 800-63B advises against forced periodic changes), so it sends no expiry reminders.
        return None

    def every_person(self):
        now = timezone.now()
        for account in Account.objects.order_by("pk").iterator(chunk_size=2000):
            yield self._to_user(account, now)

    def find_people(self, text, *, department, offset, limit):
        """The user ID (kept in lower case), the start of the display name or of any word in it, or
        the start of the email; ordered by user ID in the database, one more row than the page to
        know whether another follows."""
        matches = Q(user_id__startswith=text.lower())
        for spelling in case_variants(text):
            matches |= (Q(display_name__istartswith=spelling) | Q(display_name__icontains=f" {spelling}")
                        | Q(email__istartswith=spelling))
        accounts = Account.objects.filter(matches)
        if department:
            in_department = Q()
            for spelling in case_variants(department):
                in_department |= Q(department__iexact=spelling)
            accounts = accounts.filter(in_department)
        now = timezone.now()
        try:
            rows = list(accounts.order_by("user_id", "pk")[offset:offset + limit + 1])
        except DatabaseError as exc:
            raise DirectoryUnavailable(str(exc)) from exc
        return SearchResult(tuple(self._to_user(account, now) for account in rows[:limit]), len(rows) > limit)

    def existing_groups(self, names):
        """Groups exist as the accounts that have them: each distinct list of groups is read once
        (a district has few), which works alike on SQLite, where a JSON list cannot be searched,
        and PostgreSQL."""
        try:
            lists = Account.objects.order_by().values_list("groups", flat=True).distinct()
            held = {group for groups in lists if isinstance(groups, list) for group in groups}
        except DatabaseError as exc:
            raise DirectoryUnavailable(str(exc)) from exc
        return held & set(names)

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
