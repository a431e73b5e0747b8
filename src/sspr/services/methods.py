"""Security info: adding, removing and confirming a person's verification methods, with what
follows each change: the audit trail, a notice on a channel other than the one changed, and the
end of every remembered device."""

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from sspr.accounts.models import User
from sspr.actors import Actor
from sspr.audit.models import Tag, record
from sspr.methods import devices
from sspr.methods.kinds import kind
from sspr.methods.models import Method, RememberedDevice

from . import people
from .notices import notify_account_change


def add_method(actor: Actor, user: User, kind_name: str, *, destination: str = "", sealed_secret: str = "",
               data: dict | None = None, name: str = "") -> Method:
    """Register a method whose control the person has just proved. A kind that allows one per
    person replaces the earlier one."""
    with transaction.atomic():
        if kind(kind_name).one_per_person:
            Method.objects.filter(user=user, kind=kind_name).delete()
        method = Method.objects.create(user=user, kind=kind_name, destination=destination,
                                       sealed_secret=sealed_secret, data=data or {}, name=name)
    # Having just set one up, the person's info is current: no "are they current?" question now.
    User.objects.filter(pk=user.pk).update(security_info_confirmed_at=timezone.now())
    _changed(actor, method, Tag.METHOD_ADD)
    return method


def remove_method(actor: Actor, user: User, method_pk: int, *, detail: dict | None = None) -> Method | None:
    """Remove one of the person's methods; None when it is not theirs (or gone)."""
    method = Method.objects.filter(pk=method_pk, user=user).first()
    if method is None:
        return None
    method.delete()
    _changed(actor, method, Tag.METHOD_REMOVE, detail)
    return method


def confirm_current(actor: Actor, user: User) -> None:
    """The person says their security info is current (or finished registering it)."""
    User.objects.filter(pk=user.pk).update(security_info_confirmed_at=timezone.now())


def skips_left(user: User) -> int:
    """How many more times the person may put off registering after sign-in."""
    return max(settings.CONFIG.methods.registration_skips - user.registration_skips, 0)


def skip_registration(actor: Actor, user: User) -> bool:
    """The person puts off registering after sign-in; False when they have no skips left."""
    if skips_left(user) <= 0:
        return False
    User.objects.filter(pk=user.pk).update(registration_skips=F("registration_skips") + 1)
    return True


def forget_device(actor: Actor, user: User, device_pk: int) -> bool:
    deleted, _by_model = RememberedDevice.objects.filter(pk=device_pk, user=user).delete()
    return bool(deleted)


def _changed(actor: Actor, method: Method, tag: Tag, detail: dict | None = None) -> None:
    devices.revoke_all(method.user)
    person = people.profile(method.user)
    # Never tell only the address that just changed: an attacker who added it would be the one told.
    # (Notices go to email addresses only, so a phone number never matches.)
    notify_account_change(actor, person, "methods/email/security_info_changed", skip=method.destination,
                          extra={"method_label": kind(method.kind).label})
    record(actor, tag, subject=method.user.user_id, detail={"kind": method.kind, **(detail or {})})
