"""`sspr rotate-secret-key --old-key-file FILE`: after server.secret_key has been changed, seal
the authenticator apps' keys again under the new key (see docs/operations.md)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from sspr.services.secret_key import reseal_all


class Command(BaseCommand):
    help = ("Run after changing server.secret_key: seal the keys of authenticator apps (people's and operators') "
            "again under the new key, reading them with the old one. Safe to run twice.")

    def add_arguments(self, parser):
        parser.add_argument("--old-key-file", required=True, type=Path,
                            help="a file holding the previous server.secret_key (a file, to keep it out of shell "
                                 "history and the process list)")

    def handle(self, *args, old_key_file: Path, **options):
        try:
            old = old_key_file.read_text().strip()
        except OSError as exc:
            raise CommandError(f"cannot read {old_key_file}: {exc.strerror}") from None
        if not old:
            raise CommandError(f"{old_key_file} is empty")
        if old == settings.SECRET_KEY:
            raise CommandError("the old key is the configured server.secret_key: configure the new key first")
        done = reseal_all(old)
        self.stdout.write(f"resealed {done.resealed}, already under the new key {done.current}, "
                          f"unreadable {done.unreadable}")
        if done.unreadable:
            raise CommandError(f"{done.unreadable} sealed keys open with neither key and were left as they are: "
                               "those people and operators must set up their authenticator app again")
