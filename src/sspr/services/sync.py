"""Password sync targets (Google Workspace, Microsoft 365, a second directory): every new
password is handed to each configured target after the directory took it. The registry is
empty until the sync feature fills it; a target's failure never undoes the directory's change."""

import logging

from sspr.directory.base import DirectoryUser
from sspr.sync import SyncFailed, configured_targets

log = logging.getLogger("sspr.sync")


def push_password(person: DirectoryUser, new_password: str, *, must_change: bool) -> list[str]:
    """Names of the targets that took the password."""
    synced = []
    for target in configured_targets():
        try:
            target.set_password(person, new_password, must_change=must_change)
        except SyncFailed as exc:  # another organisation's service: log it for the operators, carry on
            log.warning("password sync to %s failed for %s: %s", target.name, person.user_id, exc)
        else:
            synced.append(target.name)
    return synced
