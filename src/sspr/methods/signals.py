from django.dispatch import receiver

from sspr.accounts.models import User
from sspr.accounts.signals import password_changed

from . import devices


@receiver(password_changed)
def forget_devices_and_codes(sender, user_id, **kwargs):
    """A new password ends every remembered device and every code still in flight."""
    from django.utils import timezone

    from .models import OneTimeCode

    user = User.objects.filter(user_id=user_id.lower()).first()
    if user is not None:
        devices.revoke_all(user)
        OneTimeCode.objects.filter(user=user, spent_at__isnull=True).update(spent_at=timezone.now())
