"""Changing server.secret_key without losing what it seals: the keys of authenticator apps, the
people's (`Method.sealed_secret`) and the operators' (`OperatorAuthenticator.sealed_secret`),
are sealed again under the new key. Run with the new key configured and the old one given.

What a new key ends anyway, by design (keyed hashes cannot be re-keyed without the secrets they
hide): every session, live codes, "don't ask again" devices, Temporary Access Passes, the
familiar-browser list and CAPTCHAs in progress."""

from dataclasses import dataclass

from django.db import transaction

from sspr.accounts.models import OperatorAuthenticator
from sspr.methods.crypto import opens, reseal
from sspr.methods.models import Method


@dataclass(frozen=True)
class Resealed:
    resealed: int  # sealed under the old key, now under the new one
    current: int  # already under the new key (a second run, or registered since)
    unreadable: int  # under neither: left as they are


def reseal_all(old_secret_key: str) -> Resealed:
    counts = {"resealed": 0, "current": 0, "unreadable": 0}
    with transaction.atomic():
        for model in (Method, OperatorAuthenticator):
            rows = model.objects.select_for_update().exclude(sealed_secret="")
            for pk, sealed in rows.values_list("pk", "sealed_secret"):
                if opens(sealed):
                    counts["current"] += 1
                elif opens(sealed, old_secret_key):
                    model.objects.filter(pk=pk).update(sealed_secret=reseal(sealed, old_secret_key))
                    counts["resealed"] += 1
                else:
                    counts["unreadable"] += 1
    return Resealed(**counts)
