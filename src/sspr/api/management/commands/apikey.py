from django.core.management.base import BaseCommand, CommandError

from sspr.actors import Actor
from sspr.services import apikeys
from sspr.services.staff import KEY_ROLES


class Command(BaseCommand):
    help = "Create, list and revoke API keys (docs/api.md)."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        create = actions.add_parser("create", help="make a key; it is printed once and never again")
        create.add_argument("name", help="lowercase letters, digits, '.', '_' or '-' (the audit trail shows api:NAME)")
        create.add_argument("--scopes", required=True, help=f"separated by commas: {', '.join(apikeys.SCOPES)}")
        create.add_argument("--role", required=True, choices=[str(role) for role in KEY_ROLES],
                            help="the console role the key acts with")
        create.add_argument("--school", default="", help="for a school_helpdesk key: its school (the directory's "
                                                         "department)")
        actions.add_parser("list", help="list the keys (never the keys themselves)")
        actions.add_parser("revoke", help="revoke a key at once").add_argument("name")

    def handle(self, *args, action, **options):
        getattr(self, "do_" + action)(**options)

    def do_create(self, name, scopes, role, school, **options):
        try:
            row, key = apikeys.create(Actor.cli(), name, role, scopes.split(","), school=school)
        except apikeys.KeyRefused as exc:
            raise CommandError(exc.message) from None
        self.stderr.write(f"created the key {row.name} ({row.role}{', ' + row.school if row.school else ''}; "
                          f"{', '.join(row.scopes)}). It is shown this once; keep it in the program's secret store:")
        self.stdout.write(key)

    def do_list(self, **options):
        for row in apikeys.all_keys():
            state = f"revoked {row.revoked_at:%Y-%m-%d %H:%M}" if row.revoked_at else "live"
            used = f"{row.last_used_at:%Y-%m-%d %H:%M}" if row.last_used_at else "never used"
            self.stdout.write(f"{row.name}\t{row.role}\t{row.school or '-'}\t{','.join(row.scopes)}\t"
                              f"{apikeys.shown_as(row)}\t{state}\t{used}")

    def do_revoke(self, name, **options):
        try:
            row = apikeys.revoke(Actor.cli(), name)
        except apikeys.KeyRefused as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"revoked {row.name}")
