"""What follows a change to someone's security info: the audit trail, a notice on a channel other
than the one changed, and the end of every remembered device."""

from django.utils import timezone

from sspr.accounts.models import User
from sspr.accounts.notify import notify_account_change
from sspr.audit.models import Tag, record

from . import devices
from .kinds import kind


def method_added(request, method) -> None:
    # Having just set one up, the person's info is current: no "are they current?" question now.
    User.objects.filter(pk=method.user.pk).update(security_info_confirmed_at=timezone.now())
    _changed(request, method, Tag.METHOD_ADD)


def method_removed(request, method) -> None:
    _changed(request, method, Tag.METHOD_REMOVE)


def _changed(request, method, tag) -> None:
    from sspr.accounts.auth import directory_profile

    devices.revoke_all(method.user)
    person = directory_profile(method.user)
    # Never tell only the address that just changed: an attacker who added it would be the one told.
    skip = method.destination if method.kind == "email" else ""
    notify_account_change(request, person, "methods/email/security_info_changed", skip=skip,
                          extra={"method_label": kind(method.kind).label})
    record(request, tag, subject=method.user.user_id, actor=request.user.user_id,
           detail={"kind": method.kind})
