import sys

from django.conf import settings
from django.core.management.base import BaseCommand

from sspr import limits
from sspr.delivery.checks import findings as delivery_findings
from sspr.ops.checks import (
    database_problems,
    demo_warnings,
    directory_problems,
    directory_warnings,
    role_warnings,
    sync_problems,
)
from sspr.reset.captcha import captcha_warnings
from sspr.roster.sheet import sheet_warnings


class Command(BaseCommand):
    help = "Reach every configured back-end; print one line per problem; exit 1 on any."

    def handle(self, *args, **options):
        problems = database_problems() + limits.backend().problems()
        if not problems:  # the embedded directory lives in the database
            problems += directory_problems()
        problems += sync_problems()
        delivery_problems, delivery_warnings = delivery_findings(settings.CONFIG, database=not problems)
        problems += delivery_problems
        roles = role_warnings(settings.CONFIG) if not problems else []
        for warning in (demo_warnings(settings.CONFIG) + captcha_warnings(settings.CONFIG) + directory_warnings()
                        + sheet_warnings() + roles):
            self.stderr.write(f"warning: {warning}")
        for problem in problems:
            self.stderr.write(f"error: {problem}")
        for warning in delivery_warnings:
            self.stderr.write(f"warning: {warning}")
        if problems:
            sys.exit(1)
        self.stdout.write("configuration and back-ends OK")
