"""`sspr createadmin`: an operator account for the admin pages, and the key of the authenticator
app that is its second step there. The key is shown once, here, to whoever runs the command on
the server: the admin never offers to set one up, so a password alone never leads to one."""

import io

import segno
from django.contrib.auth.management.commands.createsuperuser import Command as CreateSuperUser
from django.core.management.base import CommandError

from sspr.accounts.models import User
from sspr.actors import Actor
from sspr.services import operators


class Command(CreateSuperUser):
    help = ("Create an operator account for the admin pages (IT staff; a local password, not a directory "
            "account) and print the key of its authenticator app. Non-interactive: --noinput with "
            "DJANGO_SUPERUSER_USER_ID and DJANGO_SUPERUSER_PASSWORD. --authenticator USER_ID gives an "
            "existing operator a new key instead (a lost phone), ending their admin sessions.")

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--authenticator", metavar="USER_ID",
                            help="Issue a new authenticator app key to this existing operator; "
                                 "the old one stops working.")

    def handle(self, *args, **options):
        if options.get("authenticator"):
            user_id = options["authenticator"].strip().lower()
            operator = User.objects.filter(user_id=user_id, is_operator=True).first()
            if operator is None:
                raise CommandError(f"{user_id} is not an operator")
            self.show(operator)
            return
        before = set(User.objects.filter(is_operator=True).values_list("pk", flat=True))
        super().handle(*args, **options)
        for operator in User.objects.filter(is_operator=True).exclude(pk__in=before):
            self.show(operator)

    def show(self, operator: User) -> None:
        shown = operators.issue_authenticator(Actor.cli(), operator)
        self.stdout.write(
            f"\nThe admin asks {operator.user_id} for a code from an authenticator app. Add this account to the "
            "app now, by scanning the QR code or typing the key; it is shown only this once.\n")
        drawing = io.StringIO()
        segno.make(shown["uri"], error="m").terminal(out=drawing, compact=True)
        self.stdout.write(drawing.getvalue(), ending="")
        self.stdout.write(f"Key:         {shown['secret']}")
        self.stdout.write(f"otpauth URI: {shown['uri']}")
        self.stdout.write("A new key: sspr createadmin --authenticator " + operator.user_id)
