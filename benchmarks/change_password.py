"""Benchmark: how many argon2id hashes a password change really costs, at history depths 0, 5
and 24 (`password_policy.history`), and what that is in time.

One flow, as a person does it on the embedded directory: sign in (POST the password), then POST
old and new password to /account/password/. Every argon2 computation (argon2-cffi's
`hash_secret` and `verify_secret`, which every Django hash and check goes through) is counted
while the flow runs in this process through Django's test client, on a fresh SQLite database in a
temporary folder, with the account already holding `depth` previous passwords. The minimum a
change needs is: one for the sign-in, one for the old password, one per remembered password
before the current one that the new one must not be (depth - 1: the current one is the old
password just proved, and the new one differs from it as text, so its hash need not be checked
again), one for the new hash.

Reported per depth: hashes counted, the minimum, and the time of the flow against the time of
that many hashes measured in the same run (so the ratio says what the rest of the flow adds).
"""

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from .common import portal_config

DEPTHS = (0, 5, 24)
OLD = "Brave pianos dance on Fridays!"
NEW = "Purple lanterns drift over quiet harbors!"


def run() -> int:
    folder = Path(tempfile.mkdtemp(prefix="sspr-bench-change-"))
    (folder / "sspr.toml").write_text(portal_config("benchmarks/change_password.py", port=8000,
                                                    database=folder / "sspr.sqlite3"))
    os.environ["SSPR_CONFIG"] = str(folder / "sspr.toml")
    os.environ["DJANGO_SETTINGS_MODULE"] = "sspr.settings"
    try:
        return _measure()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _measure() -> int:
    import argon2.low_level
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.hashers import check_password, make_password
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from sspr.directory.embedded.models import Account, PreviousPassword

    call_command("migrate", verbosity=0)
    calls = {"n": 0}
    for name in ("hash_secret", "verify_secret"):
        real = getattr(argon2.low_level, name)

        def counted(*args, _real=real, **kwargs):
            calls["n"] += 1
            return _real(*args, **kwargs)

        setattr(argon2.low_level, name, counted)
        # argon2's PasswordHasher imported the functions by name.
        import argon2._password_hasher as hasher_module

        if hasattr(hasher_module, name):
            setattr(hasher_module, name, counted)

    encoded = make_password(OLD)
    started = time.perf_counter()
    for _ in range(10):
        check_password(OLD, encoded)
    one_hash = (time.perf_counter() - started) / 10
    print(f"Password change: hashes per flow, one argon2id hash = {one_hash * 1000:.1f} ms here "
          f"(load average {os.getloadavg()[0]:.2f})")
    print(f"  {'history':>7} {'hashes':>6} {'minimum':>7} {'flow':>8} {'flow / hashes':>13}")
    status = 0
    for depth in (None, *DEPTHS):  # None: a first flow, unreported, so imports and caches are warm
        warm_up, depth = depth is None, depth or 0
        config = settings.CONFIG
        settings.CONFIG = config.model_copy(update={"password_policy": config.password_policy.model_copy(
            update={"history": depth})})
        user_id = f"change{depth}{'-warm-up' if warm_up else ''}@district.example"
        account = Account.objects.create(user_id=user_id, password=encoded, password_last_set=timezone.now(),
                                         display_name="Benchmark")
        PreviousPassword.objects.bulk_create([PreviousPassword(account=account, password=make_password(f"old {n}"))
                                              for n in range(max(0, depth - 1))])
        client = Client(HTTP_HOST="127.0.0.1")
        calls["n"] = 0
        started = time.perf_counter()
        assert client.post("/signin/", {"user_id": user_id, "password": OLD}).status_code == 302
        answer = client.post("/account/password/", {"old_password": OLD, "new_password": NEW,
                                                     "confirm_password": NEW})
        elapsed = time.perf_counter() - started
        assert answer.status_code == 302, answer.content.decode()[:400]
        minimum = 1 + 1 + max(0, depth - 1) + 1
        settings.CONFIG = config
        if warm_up:
            continue
        print(f"  {depth:>7} {calls['n']:>6} {minimum:>7} {elapsed * 1000:>6.0f} ms "
              f"{elapsed / (calls['n'] * one_hash):>13.2f}")
        if calls["n"] > minimum:
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(run())
