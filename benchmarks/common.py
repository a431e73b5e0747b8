"""What the benchmarks share: a configuration of their own, `sspr serve` started and stopped,
client threads."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

SECRET_KEY = "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"


def portal_config(writer: str, *, port: int, database: Path, workers: int | None = None, server: str = "",
                  directory: str = 'domains = ["district.example"]', registration: bool = False) -> str:
    """An sspr.toml for one run on a fresh SQLite database, written by the benchmark `writer`."""
    lines = [f"# Written by {writer} for one run; removed afterwards.", "[server]",
             f'base_url = "http://127.0.0.1:{port}"', f'secret_key = "{SECRET_KEY}"']
    lines += [f"workers = {workers}"] if workers else []
    lines += [server] if server else []
    lines += ["", "[database]", f'url = "sqlite:///{database}"', "", "[directory]", directory, ""]
    lines += [] if registration else ["[methods]", "require_registration = false", ""]
    lines += ["[logging]", 'level = "WARNING"', ""]
    return "\n".join(lines)


def portal_env(config: Path) -> dict:
    """This process's environment without its own SSPR_/DJANGO_ settings, for the config's portal."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("SSPR_", "DJANGO_"))}
    return {**env, "SSPR_CONFIG": str(config), "DJANGO_SETTINGS_MODULE": "sspr.settings"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(port: int, process: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{what} did not start") from None
            time.sleep(0.1)


def start(command: list[str], env: dict, folder: Path, port: int, what: str) -> subprocess.Popen:
    """A server in a process group of its own, once it accepts connections on port."""
    process = subprocess.Popen(command, env=env, cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    wait_for(port, process, what)
    return process


def serve(env: dict, folder: Path, port: int) -> subprocess.Popen:
    return start([sys.executable, "-m", "sspr", "serve", "--host", "127.0.0.1", "--port", str(port)], env, folder,
                 port, "sspr serve")


def stop(process: subprocess.Popen | None) -> None:
    if process is not None and process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def in_threads(count: int, work: Callable[[], None]) -> None:
    """work() in count threads at once; the first failure of any is raised here."""
    failures: list[BaseException] = []

    def guarded() -> None:
        try:
            work()
        except BaseException as failure:
            failures.append(failure)

    threads = [threading.Thread(target=guarded) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
