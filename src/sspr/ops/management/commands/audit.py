from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from sspr.actors import Actor
from sspr.services import housekeeping


class Command(BaseCommand):
    help = "Look after the audit trail."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        purge = actions.add_parser("purge", help="delete events older than [audit] retention_days (the worker "
                                                 "does this daily)")
        purge.add_argument("--days", type=int, help="keep this many days instead (at least 1)")

    def handle(self, *args, action, days=None, **options):
        if days is not None and days < 1:
            raise CommandError("--days must be at least 1")
        kept = days or settings.CONFIG.audit.retention_days
        deleted = housekeeping.purge_audit(Actor.cli(), days=kept)
        self.stdout.write(f"deleted {deleted} audit event{'' if deleted == 1 else 's'} older than {kept} days")
