from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from sspr.actors import Actor
from sspr.audit.models import AuditEvent, Tag, record
from sspr.directory.base import DirectoryUnavailable
from sspr.roster.importer import RosterRejected, import_roster
from sspr.roster.models import Enrollment, Role, School, Section
from sspr.services import people

SHOWN_PROBLEMS = 50  # a bundle gone wrong can have thousands of bad rows; the first ones say why


def plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


class Command(BaseCommand):
    help = "Import class rosters (OneRoster 1.1 CSV) and show what is stored."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        imp = actions.add_parser("import", help="replace the roster with a OneRoster 1.1 bundle (a folder or a .zip)")
        imp.add_argument("path", metavar="DIR_OR_ZIP")
        imp.add_argument("--verbose", action="store_true", help="list the people on the roster who have no account")
        actions.add_parser("show", help="count what the stored roster holds")

    def handle(self, *args, action, **options):
        getattr(self, "do_" + action)(**options)

    def do_import(self, path, verbose, **options):
        try:
            result = import_roster(path, find=people.find, domains=settings.CONFIG.directory.domains)
        except RosterRejected as exc:
            for problem in exc.problems[:SHOWN_PROBLEMS]:
                self.stderr.write(problem)
            if len(exc.problems) > SHOWN_PROBLEMS:
                self.stderr.write(f"... and {len(exc.problems) - SHOWN_PROBLEMS} more")
            raise CommandError(f"{plural(len(exc.problems), 'problem', 'problems')}; "
                               "nothing was imported and the roster is as it was") from None
        except DirectoryUnavailable as exc:
            raise CommandError(f"the directory is unavailable ({exc}); nothing was imported") from None
        record(Actor.cli(), Tag.ROSTER_IMPORT, detail=result.counts())
        self.stdout.write(
            f"imported the roster: {plural(result.schools, 'school', 'schools')}, "
            f"{plural(result.sections, 'section', 'sections')}, {plural(result.teachers, 'teacher', 'teachers')}, "
            f"{plural(result.students, 'student', 'students')}, {plural(result.staff, 'other staff', 'other staff')}, "
            f"{plural(result.enrollments, 'enrolment', 'enrolments')}")
        if result.unmatched:
            listed = "" if verbose else " (--verbose lists them)"
            self.stdout.write(f"{plural(len(result.unmatched), 'person', 'people')} in a class had no account; "
                              f"their enrolments were skipped{listed}")
        if verbose:
            for user in result.unmatched:
                self.stdout.write(f"  no account: sourcedId {user.sourced_id}, username {user.username!r}, "
                                  f"email {user.email!r}")

    def do_show(self, **options):
        enrolled = Enrollment.objects.values("user_id").distinct()
        self.stdout.write(f"schools: {School.objects.count()}\n"
                          f"sections: {Section.objects.count()}\n"
                          f"teachers: {enrolled.filter(role=Role.TEACHER).count()}\n"
                          f"students: {enrolled.filter(role=Role.STUDENT).count()}\n"
                          f"other staff: {enrolled.filter(role=Role.STAFF).count()}\n"
                          f"enrolments: {Enrollment.objects.count()}")
        last = AuditEvent.objects.filter(tag=Tag.ROSTER_IMPORT).first()
        self.stdout.write(f"last import: {last.created_at:%Y-%m-%d %H:%M:%S} UTC" if last else "last import: never")
