"""Password sync targets (Google Workspace, Microsoft 365, a second directory): every new
password is handed to each configured target after the directory took it. The registry is
empty until the sync feature fills it; a target's failure never undoes the directory's change."""

import logging

from sspr.directory.base import DirectoryUser

log = logging.getLogger("sspr.sync")


def targets() -> list:
    try:
        from sspr.sync import configured_targets
    except ImportError:  # the registry arrives with the sync feature
        return []
    return configured_targets()


def push_password(person: DirectoryUser, new_password: str, *, must_change: bool) -> list[str]:
    """Names of the targets that took the password."""
    synced = []
    for target in targets():
        try:
            target.set_password(person, new_password, must_change=must_change)
        except Exception as exc:  # a target is another organisation's service: log it, carry on
            log.warning("password sync to %s failed for %s: %s", target.name, person.user_id, exc)
        else:
            synced.append(target.name)
    return synced
