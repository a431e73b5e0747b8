import time

from django.core.management.base import BaseCommand, CommandError

from sspr.passwords.breached import HEADER_SIZE, BreachedFilter, MalformedInput, count_entries

DEFAULT_OUTPUT = "var/breached-passwords.filter"


class Command(BaseCommand):
    help = "Build the offline breached-password filter from a Pwned Passwords download."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        build = actions.add_parser(
            "build", help="build the filter from a file of SHA1HEX:COUNT lines",
            description="Build the filter from a file of SHA1HEX:COUNT lines (the Pwned Passwords SHA-1 "
                        "download, in hash order). The file is read twice: once to count its lines, "
                        "which sizes the filter, and once to fill it. Point password_policy.breached_filter "
                        "at the output and restart the portal.")
        build.add_argument("file")
        build.add_argument("--output", default=DEFAULT_OUTPUT, help=f"default {DEFAULT_OUTPUT}")
        build.add_argument("--false-positive-rate", type=float, default=0.001, metavar="R",
                           help="share of passwords not in the corpus that are refused anyway (default 0.001)")
        build.add_argument("--expected-entries", type=int, metavar="N",
                           help="size the filter for N lines instead of counting them first")

    def handle(self, *args, action, **options):
        getattr(self, "do_" + action)(**options)

    def do_build(self, file, output, false_positive_rate, expected_entries, **options):
        if not 1e-9 <= false_positive_rate < 1:
            raise CommandError("--false-positive-rate must be between 1e-9 and 1")
        started = time.perf_counter()
        try:
            if expected_entries is None:
                self.stdout.write(f"counting the lines of {file} ...")
                expected_entries = count_entries(file)
            self.stdout.write(f"building a filter for {expected_entries:,} entries ...")
            built = BreachedFilter.build(file, output, expected_entries, false_positive_rate)
        except OSError as exc:
            raise CommandError(f"{exc.filename or file}: {exc.strerror}") from None
        except MalformedInput as exc:
            raise CommandError(f"{file}: {exc}") from None
        seconds = time.perf_counter() - started
        with built:
            self.stdout.write(
                f"wrote {output}: {built.entries:,} entries, {built.size_bytes:,} bytes, "
                f"{built.size_bytes / built.entries:.2f} bytes per entry "
                f"({(built.size_bytes - HEADER_SIZE) / built.entries:.2f} without the header), "
                f"expected false-positive rate 1 in {1 / built.expected_false_positive_rate:,.0f}, {seconds:.1f} s")
