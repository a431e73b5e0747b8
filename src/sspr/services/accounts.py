"""What can be done to an account besides its password: unlock and lock it, clear its
security info, forget its remembered devices, end its sessions. Each is audited with who did it."""

from django.conf import settings

from sspr.accounts.models import User
from sspr.actors import Actor, Role
from sspr.audit.models import Tag, record
from sspr.directory import get_directory
from sspr.directory.base import DirectoryUser
from sspr.methods import codes, devices

from .notices import notify_account_change, notify_staff_action


def unlock(actor: Actor, person: DirectoryUser, *, detail: dict | None = None) -> None:
    """Clear a lockout without touching the password; the person is told."""
    get_directory().unlock(person.user_id)
    if actor.role == Role.PERSON:
        notify_account_change(actor, person, "reset/email/account_unlocked")
    else:
        notify_staff_action(actor, person, Tag.ACCOUNT_UNLOCK.label)
    record(actor, Tag.ACCOUNT_UNLOCK, subject=person.user_id, detail=detail)


def lock(actor: Actor, user_id: str) -> None:
    """Lock an account until it is unlocked (directories that support it: the embedded one)."""
    get_directory().lock(user_id)
    record(actor, Tag.ACCOUNT_LOCK, subject=user_id.lower())


def end_sessions(actor: Actor, user: User, *, detail: dict | None = None) -> None:
    user.end_all_sessions()
    record(actor, Tag.SESSIONS_END, subject=user.user_id, detail=detail)


def forget_devices(actor: Actor, user: User, *, detail: dict | None = None) -> int:
    """Every "don't ask again" device of the person asks for the second step again."""
    forgotten = devices.revoke_all(user)
    record(actor, Tag.DEVICES_FORGET, subject=user.user_id, detail={"devices": forgotten, **(detail or {})})
    return forgotten


def clear_methods(actor: Actor, user: User, *, detail: dict | None = None) -> int:
    """Remove all of a person's security info (a lost phone and no other method): they must
    register again at their next sign-in, without skipping. Their devices and live codes end too."""
    removed, _by_model = user.methods.all().delete()
    devices.revoke_all(user)
    codes.end_live_codes(user)
    User.objects.filter(pk=user.pk).update(registration_skips=settings.CONFIG.methods.registration_skips,
                                           security_info_confirmed_at=None)
    record(actor, Tag.METHODS_CLEAR, subject=user.user_id, detail={"methods": removed, **(detail or {})})
    return removed
