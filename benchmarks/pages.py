"""Benchmark: a page without a hash (the sign-in page) against a bare Django form page.

Two servers in the same run, each gunicorn with one sync worker per core and the same options
as `sspr serve` (access log on, no trusted proxies), each on a fresh SQLite database in WAL mode
opened with the same settings (sspr.settings' DATABASES):
- the portal: `sspr serve` on the embedded directory, GET /signin/ (a form with a CSRF token,
  rendered by the portal's templates through its whole middleware stack);
- the reference: a Django project of one view in a temporary folder, GET / rendering a form of
  two fields with {% csrf_token %}, with only the middleware such a page needs (CSRF) and the
  same database settings. Neither page reads the database: the sign-in page's look at the
  address's budget reuses a recent answer (services.signin.address_over_budget).

wrk (Debian's package, installed by scripts/install-system-packages) asks for each page with 16
and with 50 open connections, in alternating rounds, so other work on a shared machine weighs on
both alike. The target (issue 15): the sign-in page costs at most 1.3 times the bare page per
request (requests per second of the bare page over those of the sign-in page, on the same cores).
Reported: that ratio, and p50 and p99 latency of each, at both concurrencies. The exit status is
non-zero when the target is missed.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .common import free_port, portal_config, portal_env, serve, start, stop

TARGET = 1.3
CONNECTIONS = (16, 50)
ROUNDS = 3

BARE_SETTINGS = """\
# Written by benchmarks/pages.py: the least a Django form page with a CSRF token needs.
SECRET_KEY = "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
ROOT_URLCONF = "bare_urls"
INSTALLED_APPS = ["django.contrib.contenttypes"]
MIDDLEWARE = ["django.middleware.csrf.CsrfViewMiddleware"]
TEMPLATES = [{{"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [{folder!r}]}}]
# The portal's database settings for a file SQLite database (sspr.settings).
DATABASES = {{"default": {{
    "ENGINE": "django.db.backends.sqlite3", "NAME": {database!r}, "CONN_MAX_AGE": 60, "CONN_HEALTH_CHECKS": True,
    "OPTIONS": {{"transaction_mode": "IMMEDIATE", "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}},
}}}}
USE_TZ = True
"""

BARE_URLS = """\
from django import forms
from django.shortcuts import render
from django.urls import path


class SignInForm(forms.Form):
    user_id = forms.CharField(max_length=254)
    password = forms.CharField(widget=forms.PasswordInput)


def page(request):
    return render(request, "form.html", {"form": SignInForm()})


urlpatterns = [path("", page)]
"""

BARE_TEMPLATE = """\
<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in</title></head>
<body><main><h1>Sign in</h1>
<form method="post">{% csrf_token %}{{ form.as_div }}<button type="submit">Sign in</button></form>
</main></body></html>
"""


def wrk(url: str, connections: int, seconds: float) -> dict:
    """Requests per second and latency percentiles (ms) from one wrk run."""
    threads = min(connections, os.cpu_count() or 1)
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--latency", url],
                         capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in out or "Socket errors" in out:
        raise RuntimeError(f"wrk saw errors for {url}:\n{out}")
    unit = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    latency = {p: float(v) * unit[u] for p, v, u in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)}
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), "requests": int(
        re.search(r"(\d+) requests in", out).group(1)), "p50": latency["50"], "p99": latency["99"]}


def run(seconds: float = 5.0) -> int:
    if shutil.which("wrk") is None:
        print("Pages without a hash: wrk is missing (scripts/install-system-packages installs it): FAIL")
        return 1
    cores = os.cpu_count() or 1
    folder = Path(tempfile.mkdtemp(prefix="sspr-bench-pages-"))
    portal_port, bare_port = free_port(), free_port()
    (folder / "sspr.toml").write_text(portal_config("benchmarks/pages.py", port=portal_port, workers=cores,
                                                    database=folder / "sspr.sqlite3"))
    (folder / "bare_settings.py").write_text(BARE_SETTINGS.format(folder=str(folder),
                                                                  database=str(folder / "bare.sqlite3")))
    (folder / "bare_urls.py").write_text(BARE_URLS)
    (folder / "form.html").write_text(BARE_TEMPLATE)
    env = portal_env(folder / "sspr.toml")
    bare_env = {**env, "DJANGO_SETTINGS_MODULE": "bare_settings",
                "PYTHONPATH": os.pathsep.join([str(folder), env.get("PYTHONPATH", "")])}
    servers: list[subprocess.Popen] = []
    results: dict[tuple[str, int], list[dict]] = {}
    try:
        subprocess.run([sys.executable, "-m", "sspr", "migrate", "--verbosity", "0"], env=env, cwd=folder,
                       check=True, capture_output=True)
        subprocess.run([sys.executable, "-m", "django", "migrate", "--verbosity", "0"], env=bare_env, cwd=folder,
                       check=True, capture_output=True)
        servers.append(serve(env, folder, portal_port))
        # The options `sspr serve` gives gunicorn (sspr/ops/management/commands/serve.py).
        servers.append(start([sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{bare_port}", "--workers",
                              str(cores), "--access-logfile", "-", "--forwarded-allow-ips", "", "--timeout", "60",
                              "django.core.wsgi:get_wsgi_application()"], bare_env, folder, bare_port,
                             "the bare Django page"))
        pages = {"sign-in page": f"http://127.0.0.1:{portal_port}/signin/", "bare page": f"http://127.0.0.1:{bare_port}/"}
        for url in pages.values():
            wrk(url, 4, 1)  # warm up: imports, templates, connections
        load_before = os.getloadavg()
        for _round in range(ROUNDS):
            for connections in CONNECTIONS:
                for name, url in pages.items():
                    results.setdefault((name, connections), []).append(wrk(url, connections, seconds / ROUNDS))
        load_after = os.getloadavg()
    finally:
        for server in servers:
            stop(server)
        shutil.rmtree(folder, ignore_errors=True)

    print(f"Pages without a hash: wrk, {seconds:g} s per page and concurrency ({ROUNDS} alternating rounds), "
          f"{cores} cores, {cores} gunicorn workers each")
    print(f"  load average before {load_before[0]:.2f}, after {load_after[0]:.2f}")
    print(f"  {'connections':>11} {'page':<13} {'requests/s':>10} {'p50':>8} {'p99':>8}")
    status = 0
    for connections in CONNECTIONS:
        summary = {}
        for name in pages:
            runs = results[(name, connections)]
            requests = sum(run["requests"] for run in runs)
            summary[name] = requests / seconds
            # The percentiles of the middle round by throughput: one number per page, not a mix.
            middle = sorted(runs, key=lambda run: run["rps"])[len(runs) // 2]
            print(f"  {connections:>11} {name:<13} {summary[name]:>10.0f} {middle['p50']:>6.1f}ms "
                  f"{middle['p99']:>6.1f}ms")
        ratio = summary["bare page"] / summary["sign-in page"]
        verdict = "PASS" if ratio <= TARGET else "FAIL"
        print(f"  {connections:>11} cost per request, sign-in / bare: {ratio:.2f}   target <= {TARGET}: {verdict}")
        if ratio > TARGET:
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(run(float(sys.argv[1]) if len(sys.argv) > 1 else 6.0))
