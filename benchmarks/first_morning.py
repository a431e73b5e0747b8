"""Benchmark: the first morning of the school year, scaled down and extrapolated.

Issue 15's scenario: 10,000 students sign in with the first password they were given and change
it (the portal sends them straight to the change: their account must change its password) within
60 minutes, from 20 client addresses (their schools' networks), on 2 cores.

What runs, on `sspr serve` (one sync gunicorn worker per core) on the embedded directory in
SQLite, with `server.trusted_proxies` set so the 20 addresses arrive as X-Forwarded-For from a
proxy on 127.0.0.1, exactly as behind nginx, so the per-address limits see 20 schools:
- each student's flow: GET the sign-in page, POST the first password (302 to the change page),
  GET the change page, POST the old and the new password (302), GET My account;
- capacity: 16 students at a time back to back, flows per second at saturation;
- arrivals: students arriving at random (a Poisson process) at the morning's average rate,
  10,000 / 3,600 s, and at three times that (a school bell), each arrival a new browser whose
  flow starts at once; the wait reported is the time from arrival to My account.

The 60-minute window is simulated for ARRIVAL_SECONDS at each rate (a scaled simulation): the
morning holds when the capacity exceeds the average rate with room to spare (the queue drains),
and the p99 wait is the one measured at the rates above. The exit status is non-zero when the
capacity is below the rate that 10,000 flows in 60 minutes need, or when the p99 wait at the
average rate is above P99_LIMIT seconds, or when a worker's resident memory reaches 150 MB.
"""

import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from .common import free_port, in_threads, portal_config, portal_env, serve, stop
from .signin import SETUP, TARGET_RSS_MB, Client, process_cpu_seconds, server_pids, worker_rss_mb

STUDENTS, WINDOW, ADDRESSES = 10_000, 3600.0, 20
ARRIVAL_SECONDS = 40.0
P99_LIMIT = 5.0
FIRST = "Given by the teacher 2026!"
NEW = "Purple lanterns drift over quiet harbors!"

class Student(Client):
    """A new browser behind one school's address (the proxy on 127.0.0.1 says which)."""

    def __init__(self, port: int, address: str):
        super().__init__(port, {"X-Forwarded-For": address})

    def first_morning(self, user_id: str) -> None:
        self.sign_in(user_id, FIRST)  # to the change page: the first password must change
        self.change(FIRST, NEW)
        self.my_account()


class Morning:
    def __init__(self, port: int):
        self.port, self.next_student, self.lock = port, 0, threading.Lock()
        self.failures: list[BaseException] = []

    def student(self) -> tuple[str, str]:
        with self.lock:
            number, self.next_student = self.next_student, self.next_student + 1
        return f"student{number}@district.example", f"10.{number % ADDRESSES}.0.1"

    def one(self, waits: list[float], arrived: float) -> None:
        user_id, address = self.student()
        browser = Student(self.port, address)
        try:
            browser.first_morning(user_id)
            waits.append(time.monotonic() - arrived)
        except BaseException as failure:
            self.failures.append(failure)
        finally:
            browser.connection.close()

    def capacity(self, clients: int, seconds: float) -> int:
        done: list[float] = []
        deadline = time.monotonic() + seconds

        def loop() -> None:
            while time.monotonic() < deadline and not self.failures:
                self.one(done, time.monotonic())

        in_threads(clients, loop)
        self.check()
        return len(done)

    def arrivals(self, rate: float, seconds: float, seed: int) -> list[float]:
        """Poisson arrivals at rate per second for seconds; the wait of each, arrival to done."""
        waits: list[float] = []
        chance, threads = random.Random(seed), []
        start = time.monotonic()
        at = start + chance.expovariate(rate)
        while at < start + seconds:
            time.sleep(max(0.0, at - time.monotonic()))
            thread = threading.Thread(target=self.one, args=(waits, at))
            thread.start()
            threads.append(thread)
            at += chance.expovariate(rate)
        for thread in threads:
            thread.join()
        self.check()
        return sorted(waits)

    def check(self) -> None:
        if self.failures:
            raise self.failures[0]


def percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def run(seconds: float = ARRIVAL_SECONDS) -> int:
    cores = os.cpu_count() or 1
    average = STUDENTS / WINDOW
    accounts = int(seconds * 40) + 1000  # every flow a student of its own, at up to 20 flows/s
    folder = Path(tempfile.mkdtemp(prefix="sspr-bench-morning-"))
    port = free_port()
    (folder / "sspr.toml").write_text(portal_config("benchmarks/first_morning.py", port=port, workers=cores,
                                                    database=folder / "sspr.sqlite3",
                                                    server='trusted_proxies = ["127.0.0.1"]'))
    env = portal_env(folder / "sspr.toml")
    server = None
    try:
        subprocess.run([sys.executable, "-c", SETUP, FIRST, str(accounts), "must-change"], env=env, cwd=folder,
                       check=True, capture_output=True, text=True)
        server = serve(env, folder, port)
        morning = Morning(port)
        morning.capacity(2, 3.0)  # warm up
        load_before = os.getloadavg()
        pids = server_pids(server.pid)
        cpu_before, flows_before = process_cpu_seconds(pids), morning.next_student
        capacity = morning.capacity(16, seconds / 2) / (seconds / 2)
        cpu_per_flow = (process_cpu_seconds(pids) - cpu_before) / (morning.next_student - flows_before)
        at_average = morning.arrivals(average, seconds, seed=1)
        at_peak = morning.arrivals(3 * average, seconds, seed=2)
        rss = worker_rss_mb(server.pid)
        load_after = os.getloadavg()
    finally:
        stop(server)
        shutil.rmtree(folder, ignore_errors=True)

    hours = STUDENTS / capacity / 3600
    holds = capacity >= average and percentile(at_average, 0.99) <= P99_LIMIT and rss and max(rss) < TARGET_RSS_MB
    print(f"The first morning: {STUDENTS:,} students sign in and change their first password in "
          f"{WINDOW / 60:.0f} minutes from {ADDRESSES} addresses, {cores} cores, {cores} gunicorn workers "
          f"(a scaled simulation: {seconds:g} s at each arrival rate)")
    print(f"  load average before {load_before[0]:.2f}, after {load_after[0]:.2f}")
    print(f"  capacity              {capacity:6.1f} students/s at saturation (16 at a time); server CPU "
          f"{cpu_per_flow * 1000:.0f} ms per student")
    print(f"  on {cores} idle cores     {cores / cpu_per_flow:6.1f} students/s (the cores over the server's CPU per "
          f"student: what the same server would reach with the machine to itself)")
    print(f"  needed                {average:6.2f} students/s on average; {STUDENTS:,} students take "
          f"{hours * 60:.0f} minutes of the server at capacity")
    for name, rate, waits in (("average rate", average, at_average), ("3 x average", 3 * average, at_peak)):
        print(f"  {name:<13} {rate:5.2f}/s: {len(waits)} students, wait p50 {statistics.median(waits):.2f} s, "
              f"p99 {percentile(waits, 0.99):.2f} s")
    print(f"  worker RSS            {', '.join(f'{mb:.0f} MB' for mb in rss)}   target < {TARGET_RSS_MB} MB: "
          f"{'PASS' if rss and max(rss) < TARGET_RSS_MB else 'FAIL'}")
    print(f"  holds: {'PASS' if holds else 'FAIL'} (capacity above the average rate, p99 wait at it "
          f"<= {P99_LIMIT:g} s)")
    return 0 if holds else 1


if __name__ == "__main__":
    sys.exit(run(float(sys.argv[1]) if len(sys.argv) > 1 else ARRIVAL_SECONDS))
