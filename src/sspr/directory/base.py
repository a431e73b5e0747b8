"""The directory interface: where passwords live (embedded store, OpenLDAP, Active Directory).

Every back-end implements Directory and reports failure by raising one of the errors below;
none returns False. Views and commands only ever talk to this interface.
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime


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
    extra: dict = field(default_factory=dict, compare=False)


class Directory(ABC):
    """One organisation directory. User IDs are compared case-insensitively."""

    @abstractmethod
    def authenticate(self, user_id: str, password: str) -> DirectoryUser:
        """Verify a password. Raises BadCredentials, AccountLocked, AccountDisabled,
        PasswordMustChange or DirectoryUnavailable."""

    @abstractmethod
    def lookup(self, user_id: str) -> DirectoryUser:
        """Read an account's profile. Raises UnknownUser or DirectoryUnavailable."""

    @abstractmethod
    def change_password(self, user_id: str, old_password: str, new_password: str) -> None:
        """The user's own change, proving the old password."""

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

    def recently_used(self, user_id: str, password: str, depth: int) -> bool:
        """Whether password is the current one or among the last depth-1 before it. Directories
        that enforce their own history (LDAP ppolicy, AD) answer through PasswordRejected instead."""
        return False

    @abstractmethod
    def check(self) -> list[str]:
        """Problems reaching or using the directory, one plain line each; empty when healthy."""

    def warnings(self) -> list[str]:
        """Configuration that works but is probably not what was meant, one plain line each.
        `sspr check` prints them; unlike check(), they never make /readyz fail."""
        return []
