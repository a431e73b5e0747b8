"""Changing server.secret_key without losing authenticator apps: `sspr rotate-secret-key` seals
their keys (people's and operators') again under the new key, so the same app's codes keep
working; it can be run twice, and refuses to guess when it is given the wrong old key."""

import time

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from sspr.methods.crypto import seal
from sspr.methods.kinds.totp import STEP_SECONDS, code_at, new_secret
from sspr.methods.models import Method

from .conftest import admin_sign_in
from .methods.conftest import give_method, verify_with

NEW_KEY = "the-new-secret-key-after-rotation-0123456789-abcdefghijkl"


def now_code(secret: str) -> str:
    return code_at(secret, int(time.time() // STEP_SECONDS))


def run(tmp_path, old: str) -> str:
    (tmp_path / "old-key").write_text(old + "\n")
    from io import StringIO

    out = StringIO()
    call_command("rotate_secret_key", old_key_file=tmp_path / "old-key", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_after_rotation_the_same_apps_still_answer(settings, tmp_path, student, operator):
    secret = new_secret()
    method = give_method(student, "totp", sealed_secret=seal(secret), name="Phone")
    old = settings.SECRET_KEY
    settings.SECRET_KEY = NEW_KEY  # the configuration now holds the new key
    assert run(tmp_path, old) == "resealed 2, already under the new key 0, unreadable 0\n"

    method = Method.objects.get(pk=method.pk)
    assert verify_with(method, {"code": now_code(secret)}) == method
    response = admin_sign_in(Client(), operator)  # the operator's app, unchanged
    assert response.status_code == 302 and response["Location"] == "/admin/"
    # A second run changes nothing.
    assert run(tmp_path, old) == "resealed 0, already under the new key 2, unreadable 0\n"


@pytest.mark.django_db
def test_the_wrong_old_key_changes_nothing_and_says_so(settings, tmp_path, student):
    sealed = seal(new_secret())
    method = give_method(student, "totp", sealed_secret=sealed, name="Phone")
    settings.SECRET_KEY = NEW_KEY
    with pytest.raises(CommandError, match="1 sealed keys open with neither key"):
        run(tmp_path, "not-the-old-key-at-all-0123456789-abcdefghijklmnopqrstu")
    assert Method.objects.get(pk=method.pk).sealed_secret == sealed
    with pytest.raises(CommandError, match="configure the new key first"):
        run(tmp_path, NEW_KEY)


@pytest.mark.django_db
def test_waiting_syncs_survive_the_rotation(settings, tmp_path, student):
    """A password not yet taken by a target that keeps it sealed is sealed again too; Google's
    crypt hash is not sealed and is left alone. A link handing an authenticator-app key to the
    portal's app ends, as codes do (its token is a keyed hash)."""
    from datetime import timedelta

    from django.utils import timezone

    from sspr.methods.kinds import kind
    from sspr.sync import unseal
    from sspr.sync.models import SyncJob

    from .methods.conftest import local_user

    soon = timezone.now() + timedelta(minutes=5)
    waiting = SyncJob.objects.create(target="microsoft", user_id=student.user_id, account=student.user_id,
                                     secret=seal("Brave new pianos!"), next_attempt_at=soon)
    crypt = "$6$rounds=10000$salt$hash"
    google = SyncJob.objects.create(target="google", user_id=student.user_id, account=student.user_id,
                                    secret=crypt, next_attempt_at=soon)
    secret = new_secret()
    token = kind("totp").offer_to_app(local_user(student), seal(secret))
    old = settings.SECRET_KEY
    settings.SECRET_KEY = NEW_KEY
    assert run(tmp_path, old) == "resealed 1, already under the new key 0, unreadable 0\n"
    assert unseal(SyncJob.objects.get(pk=waiting.pk).secret) == "Brave new pianos!"
    assert SyncJob.objects.get(pk=google.pk).secret == crypt
    assert kind("totp").take_from_app(token) is None
