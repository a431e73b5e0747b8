from django.core.management.base import BaseCommand

from sspr.services import reports


class Command(BaseCommand):
    help = "Look after the reports' list of people."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        actions.add_parser("refresh", help="replace the people counted with every account of the directory, and "
                                           "count the days of activity not counted yet (the worker does both "
                                           "daily; LDAP and AD cannot list everyone)")

    def handle(self, *args, action, **options):
        counted = reports.refresh_people()
        if counted is None:
            self.stdout.write("this directory cannot list every account: the reports count the people who sign in")
        else:
            self.stdout.write(f"{counted} people counted")
        days = reports.roll_up()
        self.stdout.write(f"{days} day{'s' if days != 1 else ''} of activity counted")
