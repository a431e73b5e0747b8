import csv
import getpass
import io
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from sspr.actors import Actor
from sspr.audit.models import Tag, record
from sspr.directory.base import UnknownUser
from sspr.directory.embedded.importer import ImportRejected, import_accounts, read_rows
from sspr.directory.embedded.models import Account, normalise_user_id
from sspr.services import accounts, passwords, people
from sspr.services.errors import PasswordRefused


class Command(BaseCommand):
    help = "Manage accounts in the embedded directory."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        imp = actions.add_parser("import", help="create or update accounts from a CSV file")
        imp.add_argument("file")
        listing = actions.add_parser("list", help="list accounts")
        listing.add_argument("--group")
        add = actions.add_parser("add", help="add one account (asks for the password)")
        add.add_argument("user_id")
        add.add_argument("--name", default="")
        add.add_argument("--groups", default="", help="separated by semicolons")
        add.add_argument("--department", default="")
        add.add_argument("--email", default="")
        add.add_argument("--mobile", default="")
        add.add_argument("--must-change", action="store_true")
        setpw = actions.add_parser("set-password", help="set a password (asks for it, or reads stdin)")
        setpw.add_argument("user_id")
        setpw.add_argument("--must-change", action="store_true")
        for name in ("lock", "unlock"):
            actions.add_parser(name, help=f"{name} an account").add_argument("user_id")

    def handle(self, *args, action, **options):
        if settings.CONFIG.directory.backend != "embedded":
            raise CommandError("sspr users manages the embedded directory only; directory.backend is "
                               f"{settings.CONFIG.directory.backend!r}")
        getattr(self, "do_" + action.replace("-", "_"))(**options)

    def do_import(self, file, **options):
        try:
            with open(file, newline="", encoding="utf-8-sig") as lines:
                result = import_accounts(lines, settings.CONFIG.directory.domains)
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror}") from None
        except UnicodeDecodeError:
            raise CommandError(f"{file}: not UTF-8 text") from None
        except ImportRejected as exc:
            for problem in exc.problems:
                self.stderr.write(problem)
            raise CommandError(f"{len(exc.problems)} bad rows; nothing was imported") from None
        record(Actor.cli(), Tag.ACCOUNT_IMPORT, detail={"created": result.created, "updated": result.updated})
        self.stdout.write(f"imported {file}: {result.created} created, {result.updated} updated")

    def do_list(self, group=None, **options):
        now = timezone.now()
        for account in Account.objects.iterator():
            if group and group not in account.groups:
                continue
            state = "disabled" if not account.enabled else ("locked" if account.is_locked(now) else "active")
            self.stdout.write(f"{account.user_id}\t{account.display_name}\t{';'.join(account.groups)}\t{state}")

    def do_add(self, user_id, name, groups, department, email, mobile, must_change, **options):
        row = {"user_id": user_id, "display_name": name, "groups": groups, "department": department,
               "email": email, "mobile": mobile}
        # The same checks as a CSV import (domains, addresses, duplicates), then the password.
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(row))
        writer.writeheader()
        writer.writerow(row)
        rows, problems = read_rows(io.StringIO(buffer.getvalue()), settings.CONFIG.directory.domains)
        if problems:
            raise CommandError(problems[0].removeprefix("line 2: "))
        account = rows[0] | {"password": "!"}  # unusable until reset_password below sets it
        user_id = account["user_id"]
        if Account.objects.filter(user_id=user_id).exists():
            raise CommandError(f"{user_id} exists already")
        password = self.read_password()
        with transaction.atomic():
            Account.objects.create(**account)
            self.set_password(user_id, password, must_change=must_change)
        record(Actor.cli(), Tag.ACCOUNT_ADD, subject=user_id)
        self.stdout.write(f"added {user_id}")

    def do_set_password(self, user_id, must_change, **options):
        self.set_password(user_id, self.read_password(), must_change=must_change)
        self.stdout.write(f"{Tag.PASSWORD_RESET.label}: {normalise_user_id(user_id)}")

    def do_lock(self, user_id, **options):
        self.person(user_id)
        accounts.lock(Actor.cli(), user_id)
        self.stdout.write(f"{Tag.ACCOUNT_LOCK.label}: {normalise_user_id(user_id)}")

    def do_unlock(self, user_id, **options):
        accounts.unlock(Actor.cli(), self.person(user_id))
        self.stdout.write(f"{Tag.ACCOUNT_UNLOCK.label}: {normalise_user_id(user_id)}")

    def person(self, user_id):
        try:
            return people.find(user_id)
        except UnknownUser:
            raise CommandError(f"no account {user_id}") from None

    def set_password(self, user_id, password, *, must_change):
        try:
            passwords.set_password(Actor.cli(), self.person(user_id), password, must_change=must_change)
        except PasswordRefused as exc:
            raise CommandError("the password was refused: " + " ".join(str(r) for r in exc.reasons)) from None

    def read_password(self) -> str:
        if not sys.stdin.isatty():
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("New password: ")
            if getpass.getpass("Again: ") != password:
                raise CommandError("the two passwords differ")
        if not password:
            raise CommandError("empty password")
        return password
