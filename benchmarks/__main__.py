"""Run the benchmarks: python -m benchmarks [--rows N] [--profile] [--breached-entries N]
[--signin-seconds S] [--report-accounts N] [--report-events N] [--pages-seconds S]
[--directory-seconds S] [--morning-seconds S]."""

import argparse
import subprocess
import sys

from . import breached, directory, first_morning, import_accounts, pages, signin


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--rows", type=int, default=import_accounts.TARGET_ROWS,
                        help=f"accounts to import (default {import_accounts.TARGET_ROWS:,}); the time limit "
                             "scales with it")
    parser.add_argument("--profile", action="store_true",
                        help="also print where the import spends its time (cProfile, slower)")
    parser.add_argument("--breached-entries", type=int, default=breached.DEFAULT_ENTRIES,
                        help=f"hashes for the breached-password filter (default {breached.DEFAULT_ENTRIES:,}; "
                             "0 skips it)")
    parser.add_argument("--report-accounts", type=int, default=60_000,
                        help="accounts for the report pages' benchmark (default 60,000; 0 skips it)")
    parser.add_argument("--report-events", type=int, default=1_000_000,
                        help="audit events for the report pages' benchmark (default 1,000,000)")
    parser.add_argument("--signin-seconds", type=float, default=10.0,
                        help="seconds of whole sign-in flows against the hash rate (default 10; 0 skips it)")
    parser.add_argument("--pages-seconds", type=float, default=6.0,
                        help="seconds of wrk per page and concurrency, sign-in page against a bare Django page "
                             "(default 6; 0 skips it)")
    parser.add_argument("--directory-seconds", type=float, default=12.0,
                        help="seconds per flow kind on OpenLDAP against bare python-ldap (default 12; 0 skips it)")
    parser.add_argument("--morning-seconds", type=float, default=first_morning.ARRIVAL_SECONDS,
                        help=f"seconds at each arrival rate of the first morning (default "
                             f"{first_morning.ARRIVAL_SECONDS:g}; 0 skips it)")
    args = parser.parse_args(argv)
    if args.rows < 1:
        parser.error("--rows must be at least 1")
    status = import_accounts.run(args.rows, profile=args.profile)
    if args.breached_entries > 0:
        print()
        status = max(status, breached.run(args.breached_entries))
    if args.report_accounts > 0:
        print()
        # A process of its own: it sets Django up on a database of its own, as the import did.
        status = max(status, subprocess.call([sys.executable, "-m", "benchmarks.reports", "--accounts",
                                              str(args.report_accounts), "--events", str(args.report_events)]))
    if args.signin_seconds > 0:
        print()
        status = max(status, signin.run(args.signin_seconds))
    print()
    # In a process of its own: it sets Django up with a configuration of its own.
    status = max(status, subprocess.run([sys.executable, "-m", "benchmarks.change_password"]).returncode)
    for seconds, benchmark in ((args.pages_seconds, pages), (args.directory_seconds, directory),
                               (args.morning_seconds, first_morning)):
        if seconds > 0:
            print()
            status = max(status, benchmark.run(seconds))
    return status


if __name__ == "__main__":
    sys.exit(main())
