"""The directory interface: where passwords live (embedded store, OpenLDAP, Active Directory).

Every back-end implements Directory and reports failure by raising one of the errors below;
none returns False. Views and commands only ever talk to this interface.
"""

import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime

# search(): what is looked for is at most this long (longer text is cut), a page holds at most
# SEARCH_LIMIT_MAX people, and no page starts after SEARCH_OFFSET_MAX (type more instead).
SEARCH_TEXT_MAX = 100
SEARCH_LIMIT_MAX = 100
SEARCH_OFFSET_MAX = 1000


class DirectoryError(Exception):
    """Base of every directory failure."""


class BadCredentials(DirectoryError):
    """Unknown user or wrong password: deliberately one error, so callers cannot tell them apart."""


class AccountLocked(DirectoryError):
    """Too many failed sign-ins; the unlock flow or the help desk can clear it."""


class AccountDisabled(DirectoryError):
    """Switched off by an administrator; only the help desk can help."""


class PasswordMustChange(DirectoryError):
    """The password was right, but it must be changed before the account can be used."""

    def __init__(self, user: "DirectoryUser"):
        super().__init__("the password must be changed")
        self.user = user


class UnknownUser(DirectoryError):
    """A look-up for an account that does not exist (never shown to the person asking)."""


class PasswordRejected(DirectoryError):
    """The directory refused a new password; reasons are plain sentences for the user."""

    def __init__(self, reasons: list[str]):
        super().__init__("; ".join(reasons))
        self.reasons = reasons


class DirectoryUnavailable(DirectoryError):
    """The directory cannot be reached or answered abnormally; a retry later may help."""


@dataclass(frozen=True)
class DirectoryUser:
    user_id: str
    display_name: str = ""
    groups: tuple[str, ...] = ()
    department: str = ""
    email: str = ""
    mobile: str = ""
    alternate_email: str = ""
    enabled: bool = True
    locked: bool = False
    must_change_password: bool = False
    password_last_set: datetime | None = None
    grade: str = ""  # a student's grade ("9", "K"), from [directory.attributes] grade; "" when unknown
    extra: dict = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class SearchResult:
    """One page of a search: the people on it, in user-ID order, and whether a next page exists."""

    people: tuple[DirectoryUser, ...] = ()
    more: bool = False


def has_control_characters(text: str) -> bool:
    """No name, user ID, email, department or group contains one (NUL, a line break...)."""
    return any(unicodedata.category(ch) == "Cc" for ch in text)


def searchable(text: str) -> str:
    """What a search looks for: the text stripped, in NFC, cut to SEARCH_TEXT_MAX characters; ""
    when nothing should be looked for (no text, or control characters)."""
    text = unicodedata.normalize("NFC", text.strip())[:SEARCH_TEXT_MAX].strip()
    return "" if has_control_characters(text) else text


class Directory(ABC):
    """One organisation directory. User IDs are compared case-insensitively."""

    @abstractmethod
    def authenticate(self, user_id: str, password: str) -> DirectoryUser:
        """Verify a password. Raises BadCredentials, AccountLocked, AccountDisabled,
        PasswordMustChange or DirectoryUnavailable."""

    def locked_password_matches(self, user_id: str, password: str) -> bool:
        """Whether password is right for an enabled account that is locked, without counting a
        failure. Asked only for a browser that has signed in as the account before, so the owner
        can be told "locked" rather than "wrong password" while a stranger learns nothing. A
        back-end that cannot test a locked account's password says False (the default)."""
        return False

    @abstractmethod
    def lookup(self, user_id: str) -> DirectoryUser:
        """Read an account's profile. Raises UnknownUser or DirectoryUnavailable."""

    def search(self, text: str, *, department: str = "", offset: int = 0, limit: int = 25) -> SearchResult:
        """People whose user ID, name (its start, or the start of a given name or surname) or email
        starts with text, case-insensitively; with department, only people whose department is
        that one (case-insensitively). Enabled and disabled people alike, sorted by user ID,
        limit of them from offset on. Text with nothing in it finds nobody. Raises ValueError for
        an offset outside 0..SEARCH_OFFSET_MAX or a limit outside 1..SEARCH_LIMIT_MAX, and
        DirectoryUnavailable."""
        if not 0 <= offset <= SEARCH_OFFSET_MAX:
            raise ValueError(f"search offset {offset} is not within 0..{SEARCH_OFFSET_MAX}")
        if not 1 <= limit <= SEARCH_LIMIT_MAX:
            raise ValueError(f"search limit {limit} is not within 1..{SEARCH_LIMIT_MAX}")
        text = searchable(text)
        department = unicodedata.normalize("NFC", department.strip())
        if not text or has_control_characters(department):
            return SearchResult()
        return self.find_people(text, department=department, offset=offset, limit=limit)

    @abstractmethod
    def find_people(self, text: str, *, department: str, offset: int, limit: int) -> SearchResult:
        """search() once its arguments are checked: text is stripped and never empty, department
        stripped ("" for any), offset and limit within their bounds."""

    def missing_groups(self, names: list[str]) -> list[str]:
        """Those of names (in their order, once each) that no group of the directory is called:
        names compare exactly, as the portal compares a person's groups. Raises
        DirectoryUnavailable."""
        wanted = list(dict.fromkeys(names))
        askable = [name for name in wanted if name.strip() and not has_control_characters(name)]
        existing = self.existing_groups(askable) if askable else set()
        return [name for name in wanted if name not in existing]

    @abstractmethod
    def existing_groups(self, names: list[str]) -> set[str]:
        """Which of names (never empty, no control characters) are names of the directory's
        groups, as lookup() would report them in a person's groups."""

    @abstractmethod
    def change_password(self, user_id: str, old_password: str, new_password: str) -> None:
        """The user's own change, proving the old password."""

    def prove_and_change_password(self, user_id: str, old_password: str, new_password: str, *,
                                  accept: Callable[[], None]) -> None:
        """The user's own change as the portal makes it: the old password proved first (an
        expired one counts: it is theirs to change), then accept(), which raises to refuse the
        new one (so a policy refusal never answers for a wrong old password), then the change.
        Raises what authenticate, accept and change_password raise. A directory whose change
        needs no second proof of the old password (the embedded one) proves it only once."""
        with suppress(PasswordMustChange):
            self.authenticate(user_id, old_password)
        accept()
        self.change_password(user_id, old_password, new_password)

    @abstractmethod
    def reset_password(self, user_id: str, new_password: str, *, must_change: bool = False) -> None:
        """An administrative reset (self-service reset after verification, or the help desk)."""

    @abstractmethod
    def unlock(self, user_id: str) -> None:
        """Clear a lockout without touching the password."""

    def lock(self, user_id: str) -> None:
        """Lock the account until it is unlocked. Only the embedded directory can; on LDAP and AD
        accounts are locked with the directory's own tools."""
        raise NotImplementedError(f"{type(self).__name__} cannot lock accounts")

    def every_person(self) -> Iterator[DirectoryUser]:
        """Every account, in no particular order, for the reports' snapshot of the people they
        count. Only directories that can list everyone cheaply do (the embedded one); the others
        raise NotImplementedError, and the reports count the people who signed in instead."""
        raise NotImplementedError(f"{type(self).__name__} cannot list every account")

    # Whether this back-end's passwords can expire at all (the expiry reminders ask no one else).
    expires_passwords = False

    def password_expires(self, person: DirectoryUser) -> datetime | None:
        """When this person's password expires by the directory's own policy; None when it never
        does (no maximum age, an account set never to expire, or no date of the last change)."""
        return None

    def recently_used(self, user_id: str, password: str, depth: int, *, not_current: bool = False) -> bool:
        """Whether password is the current one or among the last depth-1 before it; with
        not_current, the caller already knows it is not the current one (the current was proved
        and differs from it), so only the depth-1 before it are asked. Directories that enforce
        their own history (LDAP ppolicy, AD) answer through PasswordRejected instead."""
        return False

    @abstractmethod
    def check(self) -> list[str]:
        """Problems reaching or using the directory, one plain line each; empty when healthy."""

    def warnings(self) -> list[str]:
        """Configuration that works but is probably not what was meant, one plain line each.
        `sspr check` prints them; unlike check(), they never make /readyz fail."""
        return []
