from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from sspr.demo.seed import seed, seed_prepared, seed_roster


class Command(BaseCommand):
    help = "Run the demo district: migrate, seed demo accounts, print them, and serve the portal."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=settings.CONFIG.server.port)
        parser.add_argument("--no-serve", action="store_true", help="seed and print, but do not start the server")

    def handle(self, *args, port, no_serve, **options):
        if not settings.DEMO:
            raise CommandError("demo runs only in demo mode (server.demo = true)")
        call_command("migrate", interactive=False, verbosity=0)
        rows = seed()
        width = max(len(user_id) for user_id, _, _ in rows)
        self.stdout.write(self.style.MIGRATE_HEADING("Demo accounts (user ID, password, groups):"))
        for user_id, password, groups in rows:
            self.stdout.write(f"  {user_id:<{width}}  {password:<36}  {groups}")
        self.stdout.write(self.style.MIGRATE_HEADING("\nWho is who:"))
        for user_id, note in seed_prepared():
            self.stdout.write(f"  {user_id}: {note}")
        roster = seed_roster()
        missing = len(roster.unmatched)
        self.stdout.write(f"\nClasses (sspr roster): {roster.sections} sections at {roster.schools} schools, taught by "
                          f"{roster.teachers} teachers in the group Teachers; {missing} "
                          f"{'person' if missing == 1 else 'people'} on the roster without an account yet.")
        self.stdout.write(f"\nCodes that would be texted, called or emailed appear in this terminal and at "
                          f"{settings.BASE_URL}/demo/outbox/\n")
        self.stdout.write(f"The admin pages ({settings.BASE_URL}/admin/) need an operator: run `sspr createadmin` in "
                          f"this folder.\n")
        self.stdout.write(self.style.SUCCESS(f"OpenSSPR demo: {settings.BASE_URL}/"))
        if not no_serve:
            call_command("serve", host="127.0.0.1", port=port)
