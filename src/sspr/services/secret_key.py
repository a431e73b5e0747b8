"""Changing server.secret_key without losing what it seals: the keys of authenticator apps, the
people's (`Method.sealed_secret`) and the operators' (`OperatorAuthenticator.sealed_secret`), and
the passwords still waiting to be synced to a target that keeps the password sealed (`SyncJob`),
are sealed again under the new key. Run with the new key configured and the old one given.

What a new key ends anyway, by design (keyed hashes cannot be re-keyed without the secrets they
hide): every session, live codes, "don't ask again" devices, Temporary Access Passes, the
familiar-browser list, CAPTCHAs in progress and the one-time links that hand an authenticator-app
key to the portal's app (the registration page offers a new one)."""

from dataclasses import dataclass

from django.db import transaction
from django.utils.module_loading import import_string

from sspr.accounts.models import OperatorAuthenticator
from sspr.methods.crypto import opens, reseal
from sspr.methods.models import Method
from sspr.sync import TARGETS
from sspr.sync.models import SyncJob


@dataclass(frozen=True)
class Resealed:
    resealed: int  # sealed under the old key, now under the new one
    current: int  # already under the new key (a second run, or registered since)
    unreadable: int  # under neither: left as they are


def _sealed():
    """(the rows holding something sealed, the field it is in)."""
    sealing_targets = [name for name, path in TARGETS.items() if import_string(path).seals_secret]
    return [(Method.objects.exclude(sealed_secret=""), "sealed_secret"),
            (OperatorAuthenticator.objects.exclude(sealed_secret=""), "sealed_secret"),
            (SyncJob.objects.filter(status=SyncJob.Status.PENDING, target__in=sealing_targets).exclude(secret=""),
             "secret")]


def reseal_all(old_secret_key: str) -> Resealed:
    counts = {"resealed": 0, "current": 0, "unreadable": 0}
    with transaction.atomic():
        for rows, field in _sealed():
            for pk, sealed in rows.select_for_update().values_list("pk", field):
                if opens(sealed):
                    counts["current"] += 1
                elif opens(sealed, old_secret_key):
                    rows.model.objects.filter(pk=pk).update(**{field: reseal(sealed, old_secret_key)})
                    counts["resealed"] += 1
                else:
                    counts["unreadable"] += 1
    return Resealed(**counts)
