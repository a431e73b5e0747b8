import signal
import threading

from django.core.management.base import BaseCommand

from sspr.actors import Actor
from sspr.delivery.queue import run_once, work
from sspr.services import housekeeping, sync


def each_round() -> None:
    sync.retry_due()  # never raises: a target's trouble must not stop the daily work
    housekeeping.daily(Actor.system())


class Command(BaseCommand):
    help = ("Send queued emails, texts and calls, retrying transient failures with backoff; retry password syncs; "
            "once a day, purge old audit events and refresh the reports' people.")

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="send what is due now, then exit")
        parser.add_argument("--poll", type=float, default=2.0, help="seconds between looks at the queue")

    def handle(self, *args, once, poll, **options):
        # Demo and console back-ends outside demo mode were warned about at start (DeliveryConfig.ready).
        if once:
            housekeeping.daily(Actor.system())
            self.stdout.write(f"sent or tried {run_once()} messages; retried {sync.retry_due()} password syncs")
            return
        stop = threading.Event()
        # systemd and docker stop with SIGTERM: finish the message in hand, then leave.
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        self.stdout.write(f"delivery worker started; looking at the queue every {poll:g} s", ending="\n")
        self.stdout.flush()
        work(stop, poll, each_round=each_round)
        self.stdout.write("delivery worker stopped")
