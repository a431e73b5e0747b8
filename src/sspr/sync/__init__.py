"""Password sync: once a password is set here, set the same one in other systems that people
sign in to (Google Workspace, Microsoft 365...).

A target is named in TARGETS by dotted path, imported on first use and chosen by [sync] targets;
there is none yet. The configuration schema reads TARGETS before Django is set up, so this
module imports Django only inside configured_targets().
"""

from typing import ClassVar

from sspr.directory.base import DirectoryUser

# name -> dotted path of a SyncTarget subclass
TARGETS: dict[str, str] = {}


class SyncFailed(Exception):
    """A target did not take the new password.

    permanent: trying the same password again cannot help (the person has no account there, the
    target refused our credentials or the password itself); otherwise it may (a timeout, a 503).
    """

    def __init__(self, message: str, *, permanent: bool):
        super().__init__(message)
        self.message = message
        self.permanent = permanent


class SyncTarget:
    """One system that receives new passwords. Built from the whole configuration and cheap to
    build, like a delivery back-end: made anew for each use, so a changed setting applies at once."""

    name: ClassVar[str]

    def __init__(self, config) -> None:
        self.config = config

    def set_password(self, person: DirectoryUser, new_password: str, *, must_change: bool) -> None:
        """Give the person's account there this password; raise SyncFailed when it was not taken.
        must_change: the person must choose another at their next sign-in there."""
        raise NotImplementedError

    def check(self) -> list[str]:
        """What is wrong with the target's settings or credentials, one line each (for `sspr check`)."""
        return []


def configured_targets(config=None) -> list[SyncTarget]:
    """One target for each name in [sync] targets, in the order listed."""
    from django.conf import settings  # not at the top: see the module docstring
    from django.utils.module_loading import import_string

    config = config or settings.CONFIG
    return [import_string(TARGETS[name])(config) for name in config.sync.targets]
