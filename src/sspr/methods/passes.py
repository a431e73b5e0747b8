"""Temporary Access Passes (Entra's name): what staff give someone who cannot use their methods
(a lost phone, a young student with none). Twelve characters from an alphabet without look-alikes
(about 59 bits), shown once, kept as a keyed hash bound to the person. Using one is a single
conditional update, so two sign-ins racing with a one-use pass cannot both get in."""

import secrets
from datetime import timedelta

from django.db.models import F
from django.utils import timezone

from .models import TemporaryPass, keyed_hash

ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i
LENGTH = 12


def normalise(typed: str) -> str:
    """What the person typed, as the pass is kept: lowercase, without spaces or dashes."""
    return "".join(typed.split()).replace("-", "").lower()[:64]


def grouped(code: str) -> str:
    """xxxx-xxxx-xxxx, for reading aloud and typing."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def _hash(user_pk: int, code: str) -> str:
    return keyed_hash(f"pass:{user_pk}:{normalise(code)}")


def issue(user, *, uses: int, hours: int, issued_by: str, batch: str = "") -> tuple[TemporaryPass, str]:
    """A new pass for user: the row, and the pass itself (grouped), which is never stored."""
    code = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    row = TemporaryPass.objects.create(user=user, pass_hash=_hash(user.pk, code), uses=uses, uses_left=uses,
                                       issued_by=issued_by, batch=batch,
                                       expires_at=timezone.now() + timedelta(hours=hours))
    return row, grouped(code)


def redeem(user, typed: str) -> TemporaryPass | None:
    """Use one of user's live passes; None when typed is none of them (wrong, used up, expired,
    revoked: the person is told the same, and the audit trail the reason)."""
    if user is None or len(normalise(typed)) != LENGTH:
        return None
    now = timezone.now()
    live = TemporaryPass.objects.filter(user=user, pass_hash=_hash(user.pk, typed), revoked_at=None,
                                        uses_left__gt=0, expires_at__gt=now)
    if not live.update(uses_left=F("uses_left") - 1, last_used_at=now):
        return None
    return TemporaryPass.objects.get(user=user, pass_hash=_hash(user.pk, typed))


def why_refused(user, typed: str) -> str:
    """For the audit trail only: "expired", "already_used", "revoked" or "" (no such pass)."""
    if user is None:
        return ""
    row = TemporaryPass.objects.filter(user=user, pass_hash=_hash(user.pk, typed)).first()
    if row is None:
        return ""
    if row.revoked_at is not None:
        return "revoked"
    return "already_used" if row.uses_left == 0 else "expired"


def live_passes(user) -> list[TemporaryPass]:
    return [row for row in TemporaryPass.objects.filter(user=user) if row.is_live()]


def revoke(user, pass_pk: int) -> bool:
    return bool(TemporaryPass.objects.filter(user=user, pk=pass_pk, revoked_at=None)
                .update(revoked_at=timezone.now()))


def revoke_rows(rows) -> int:
    return rows.filter(revoked_at=None).update(revoked_at=timezone.now())


def revoke_all(user) -> int:
    return TemporaryPass.objects.filter(user=user, revoked_at=None).update(revoked_at=timezone.now())
