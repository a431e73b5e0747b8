"""Run the benchmarks: python -m benchmarks [--rows N] [--profile] [--breached-entries N] [--signin-seconds S]."""

import argparse
import subprocess
import sys

from . import breached, import_accounts, signin


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
    parser.add_argument("--signin-seconds", type=float, default=10.0,
                        help="seconds of whole sign-in flows against the hash rate (default 10; 0 skips it)")
    args = parser.parse_args(argv)
    if args.rows < 1:
        parser.error("--rows must be at least 1")
    status = import_accounts.run(args.rows, profile=args.profile)
    if args.breached_entries > 0:
        print()
        status = max(status, breached.run(args.breached_entries))
    if args.signin_seconds > 0:
        print()
        status = max(status, signin.run(args.signin_seconds))
    print()
    # In a process of its own: it sets Django up with a configuration of its own.
    status = max(status, subprocess.run([sys.executable, "-m", "benchmarks.change_password"]).returncode)
    return status


if __name__ == "__main__":
    sys.exit(main())
