"""Real servers for the several-instances test (tests/test_instances.py), each a plain process on
loopback with its state in one temporary folder: PostgreSQL (as scripts/with-postgres starts it),
nginx in front of two `sspr serve` instances, and `sspr worker` processes."""

import contextlib
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from .redis_server import free_port


def wait_for_port(port: int, process: subprocess.Popen | None = None, *, log: Path | None = None,
                  seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            if process is not None and process.poll() is not None:
                raise AssertionError(f"exited with {process.returncode}: {log.read_text() if log else ''}") from None
            time.sleep(0.1)
    raise AssertionError(f"nothing listening on port {port}: {log.read_text() if log else ''}")


class Postgres:
    def __init__(self, folder: Path):
        bindirs = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
        assert bindirs, "PostgreSQL is not installed: run scripts/install-system-packages"
        self.bindir, self.folder, self.port = bindirs[-1], folder / "pg", free_port()
        self.folder.mkdir()
        # The server refuses root: run it as postgres, through folders it can enter.
        self.run_as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.run_as:
            shutil.chown(self.folder, "postgres")
            for parent in (folder, *folder.parents):
                if parent == Path("/"):
                    break
                parent.chmod(parent.stat().st_mode | 0o755)

    @property
    def url(self) -> str:
        return f"postgresql://sspr@127.0.0.1:{self.port}/sspr"

    def start(self) -> "Postgres":
        subprocess.run([*self.run_as, str(self.bindir / "initdb"), "-D", str(self.folder / "db"), "-A", "trust",
                        "-U", "sspr", "-E", "UTF8", "--no-locale"], check=True, capture_output=True)
        self.resume()
        subprocess.run([*self.run_as, str(self.bindir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port),
                        "-U", "sspr", "sspr"], check=True, capture_output=True)
        return self

    def resume(self) -> None:
        """Start the server on the data folder as it is."""
        subprocess.run([*self.run_as, str(self.bindir / "pg_ctl"), "-D", str(self.folder / "db"), "-l",
                        str(self.folder / "server.log"), "-w", "-o",
                        f"-h 127.0.0.1 -p {self.port} -k {self.folder} -c fsync=off -c full_page_writes=off "
                        "-c max_connections=200", "start"], check=True, capture_output=True)

    def stop(self, mode: str = "immediate") -> None:
        subprocess.run([*self.run_as, str(self.bindir / "pg_ctl"), "-D", str(self.folder / "db"), "-m", mode,
                        "stop"], capture_output=True)


NGINX = """
daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 512; }}
http {{
  access_log off;
  client_body_temp_path {folder}/body;
  proxy_temp_path {folder}/proxy;
  fastcgi_temp_path {folder}/fastcgi;
  uwsgi_temp_path {folder}/uwsgi;
  scgi_temp_path {folder}/scgi;
{site}
}}
"""

# What docs/operations.md recommends, on loopback.
SITE = """
  upstream sspr {{
    server 127.0.0.1:{a} max_fails=1 fail_timeout=5s;
    server 127.0.0.1:{b} max_fails=1 fail_timeout=5s;
  }}
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://sspr;
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_next_upstream error timeout;
      proxy_connect_timeout 2s;
      proxy_read_timeout 60s;
    }}
  }}
"""


class Nginx:
    def __init__(self, folder: Path, port: int, a: int, b: int):
        self.folder, self.port = folder / "nginx", port
        self.folder.mkdir()
        config = self.folder / "nginx.conf"
        config.write_text(NGINX.format(folder=self.folder, site=SITE.format(a=a, b=b, port=self.port)))
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        assert Path(binary).exists(), "nginx is not installed: run scripts/install-system-packages"
        self.process = subprocess.Popen([binary, "-c", str(config), "-p", str(self.folder)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        wait_for_port(self.port, self.process, log=self.folder / "error.log", seconds=10)

    def stop(self) -> None:
        stop(self.process)


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    """Stop a process and everything it started (it leads a process group of its own)."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


class Deployment:
    """The portal's processes under one configuration file."""

    def __init__(self, folder: Path, config: str):
        self.folder = folder
        (folder / "sspr.toml").write_text(config)
        self.env = {key: value for key, value in os.environ.items() if not key.startswith(("SSPR_", "DJANGO_"))}
        self.env.update(SSPR_CONFIG=str(folder / "sspr.toml"), DJANGO_SETTINGS_MODULE="sspr.settings",
                        GLIBC_TUNABLES="glibc.malloc.mmap_threshold=1073741824")

    def run(self, *args: str) -> str:
        done = subprocess.run([sys.executable, *args], cwd=self.folder, env=self.env, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def start(self, name: str, *args: str) -> subprocess.Popen:
        log = open(self.folder / f"{name}.log", "w")  # noqa: SIM115 (the process holds it)
        return subprocess.Popen([sys.executable, "-m", "sspr", *args], cwd=self.folder, env=self.env,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text()


class Answer:
    def __init__(self, status: int, headers: dict[str, str], text: str):
        self.status_code, self.headers, self.text = status, headers, text


def fetch(method: str, url: str, *, form: dict | None = None, cookies: dict | None = None) -> Answer:
    """One request, redirects not followed; Set-Cookie lands in `cookies` (name=value only)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in (cookies or {}).items())}
    body = None
    if form is not None:
        body = urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, parts.path or "/", body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode()
        if cookies is not None:
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    cookies[name] = rest.split(";", 1)[0]
        return Answer(response.status, {k.title(): v for k, v in response.getheaders()}, text)
    finally:
        connection.close()
