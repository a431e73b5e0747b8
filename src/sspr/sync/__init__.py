"""Password sync: once a password is set here, set the same one in other systems that people
sign in to (Google Workspace, Microsoft 365, a second directory).

A target is named in TARGETS by dotted path, imported on first use and chosen by [sync] targets.
The configuration schema reads TARGETS before Django is set up, so this module imports Django
only inside configured_targets().

A target's work is in two halves, so that a retry never needs the password itself where the
target does not: prepare() turns the person and the new password into what the target needs
(`Prepared`: the person's name there and a secret, a hash for Google, the password sealed for
Microsoft), and deliver() writes it. The queue (queue.py) keeps a Prepared between tries.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from sspr.directory.base import DirectoryUser

# name -> dotted path of a SyncTarget subclass
TARGETS: dict[str, str] = {
    "google": "sspr.sync.google.GoogleTarget",
    "microsoft": "sspr.sync.microsoft.MicrosoftTarget",
    "directory": "sspr.sync.directory.DirectoryTarget",
}


class SyncFailed(Exception):
    """A target did not take the new password.

    permanent: trying the same password again cannot help (the person has no account there, the
    target refused our credentials or the password itself); otherwise it may (a timeout, a 503).
    retry_after: the seconds the target asked us to wait (HTTP Retry-After), if it said.
    """

    def __init__(self, message: str, *, permanent: bool, retry_after: float | None = None):
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.retry_after = retry_after


@dataclass(frozen=True)
class Prepared:
    account: str  # the person's name at the target (not secret: shown to the help desk)
    secret: str  # what a write needs: never logged, never audited, erased once done


@dataclass(frozen=True)
class Constraint:
    """A limit the target puts on passwords, known to the policy before anything is written.
    label() is the checklist's line; problem(password) says why a password breaks it, or None."""

    name: str
    label: Callable[[], str]
    problem: Callable[[str], str | None]


class SyncTarget:
    """One system that receives new passwords. Built from the whole configuration and cheap to
    build, like a delivery back-end: made anew for each use, so a changed setting applies at once."""

    name: ClassVar[str]
    # Whether a job's secret is the password sealed with server.secret_key (prepare()'s default),
    # which `sspr rotate-secret-key` seals again; a target that keeps something else says False.
    seals_secret: ClassVar[bool] = True

    def __init__(self, config) -> None:
        self.config = config

    @property
    def settings(self):
        """The target's own section, [sync.<name>] (user_key, timeout, ca_file and its own keys)."""
        return getattr(self.config.sync, self.name)

    @property
    def label(self) -> str:
        """The target's name as people know it ("Google"), in their language."""
        return self.name

    @property
    def timeout(self) -> float:
        return self.settings.timeout

    def constraints(self) -> list[Constraint]:
        return []

    def account_for(self, person: DirectoryUser) -> str:
        """The person's name there, from the target's user_key template."""
        return user_key(self.settings.user_key, person)

    def prepare(self, person: DirectoryUser, new_password: str) -> Prepared:
        """What deliver() needs, computed once; raise SyncFailed(permanent=True) when the target can
        never take this password. By default the password itself, sealed (see seal())."""
        return Prepared(self.account_for(person), seal(new_password))

    def deliver(self, prepared: Prepared, *, must_change: bool) -> None:
        """Write the password there; raise SyncFailed when it was not taken.
        must_change: the person must choose another at their next sign-in there."""
        raise NotImplementedError

    def check(self) -> list[str]:
        """What is wrong with the target's settings or credentials, one line each (for `sspr check`)."""
        return []


def seal(password: str) -> str:
    """The password as a retry keeps it for a target that takes only the password itself."""
    from sspr.methods import crypto  # not at the top: it reads Django's settings

    return crypto.seal(password)


def unseal(sealed: str) -> str:
    """seal()'s password back; SyncFailed (permanent) when server.secret_key has changed since."""
    from cryptography.fernet import InvalidToken

    from sspr.methods import crypto

    try:
        return crypto.unseal(sealed)
    except InvalidToken:
        raise SyncFailed("the password was sealed under an earlier server.secret_key", permanent=True) from None


def user_key(template: str, person: DirectoryUser) -> str:
    """The person's name at a target from a user_key template ("{local}@students.district.org")."""
    local, _, domain = person.user_id.partition("@")
    return template.format(user=person.user_id, local=local, domain=domain, email=person.email)


def configured_targets(config=None) -> list[SyncTarget]:
    """One target for each name in [sync] targets, in the order listed."""
    from django.conf import settings  # not at the top: see the module docstring
    from django.utils.module_loading import import_string

    config = config or settings.CONFIG
    return [import_string(TARGETS[name])(config) for name in config.sync.targets]


def target_named(name: str, config=None) -> SyncTarget:
    from django.conf import settings
    from django.utils.module_loading import import_string

    return import_string(TARGETS[name])(config or settings.CONFIG)
