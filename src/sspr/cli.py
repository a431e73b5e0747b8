"""The `sspr` command. Most subcommands are Django management commands under friendlier names;
`init` and the configuration half of `check` run before Django, so they work on a broken file."""

import os
import secrets
import sys
from pathlib import Path

from sspr import config as sspr_config

# sspr name -> Django management command
COMMANDS = {
    "demo": "demo",
    "serve": "serve",
    "migrate": "migrate",
    "check": "check_setup",
    "createadmin": "createadmin",
    "users": "users",
    "roster": "roster",
    "breached": "breached",
    "worker": "worker",
    "apikey": "apikey",
    "audit": "audit",
    "reports": "reports",
    "rotate-secret-key": "rotate_secret_key",
}
USAGE = """usage: sspr [--config FILE] COMMAND [options]

commands:
  demo [--port N]      run the demo district on http://localhost:8000
  serve                serve the portal with gunicorn
  migrate              create or upgrade the database tables
  init [FILE]          write a commented starter configuration (default sspr.toml)
  check                validate the configuration and reach every back-end
  createadmin          create an operator account for the admin pages, with its
                       authenticator app key (--authenticator USER_ID: a new key)
  users ...            manage embedded-directory accounts (sspr users --help)
  roster import PATH   replace the class rosters with a OneRoster 1.1 bundle, a folder
                       or a .zip (sspr roster --help)
  breached build FILE  build the offline breached-password filter (sspr breached build --help)
  apikey ...           create, list and revoke API keys (sspr apikey --help)
  worker [--once]      send queued emails, texts and calls (keep one running beside serve);
                       once a day it also purges old audit events and refreshes the reports
  audit purge          delete audit events older than [audit] retention_days
  reports refresh      count every account of the directory in the reports
  rotate-secret-key --old-key-file FILE
                       after changing server.secret_key, seal authenticator keys again
"""


def main(argv=None) -> None:
    args = _take_config_option(list(sys.argv[1:] if argv is None else argv))
    if not args or args[0] in ("-h", "--help", "help"):
        print(USAGE)
        return
    command, rest = args[0], args[1:]
    if command == "init":
        sys.exit(init(rest))
    if command not in COMMANDS:
        print(f"sspr: unknown command {command!r}\n\n{USAGE}", file=sys.stderr)
        sys.exit(2)
    if command == "demo":
        use_demo(f"http://localhost:{_demo_port(rest)}")
    elif command != "serve" and demo_ran_here():
        print("sspr: no configuration file here; using the demo's, since `sspr demo` ran in this folder",
              file=sys.stderr)
        use_demo(DEMO_MARKER.read_text(encoding="utf-8").strip())
    # Every command needs a valid, safe configuration; say what is wrong before Django starts.
    if not check_config():
        sys.exit(1)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sspr.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["sspr", COMMANDS[command], *rest])


DEMO_CONFIG = Path(__file__).parent / "demo" / "sspr-demo.toml"
# What `sspr demo` leaves in its folder (its base URL), so that another command run there with no
# configuration of its own (`sspr createadmin`, for the demo's admin pages) acts on the demo's
# database with the demo's configuration. `sspr serve` never does: a server without a
# configuration is refused, as everywhere.
DEMO_MARKER = Path("var") / "demo-base-url"


def use_demo(base_url: str) -> None:
    demo_config = os.environ.setdefault("SSPR_CONFIG", str(DEMO_CONFIG)) == str(DEMO_CONFIG)
    os.environ["SSPR_SERVER__DEMO"] = "true"
    # The demo's links, and its passkeys (which need a host name, not an address), name the
    # port it serves on.
    base_url = os.environ.setdefault("SSPR_SERVER__BASE_URL", base_url)
    if demo_config:
        DEMO_MARKER.parent.mkdir(parents=True, exist_ok=True)
        DEMO_MARKER.write_text(base_url + "\n", encoding="utf-8")


def demo_ran_here() -> bool:
    return sspr_config.config_path() is None and DEMO_MARKER.is_file()


def _demo_port(args: list[str]) -> str:
    for index, arg in enumerate(args):
        if arg == "--port" and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith("--port="):
            return arg.split("=", 1)[1]
    return "8000"


def _take_config_option(args: list[str]) -> list[str]:
    for index, arg in enumerate(args):
        if arg == "--config" and index + 1 < len(args):
            os.environ["SSPR_CONFIG"] = args[index + 1]
            return args[:index] + args[index + 2:]
        if arg.startswith("--config="):
            os.environ["SSPR_CONFIG"] = arg.split("=", 1)[1]
            return args[:index] + args[index + 1:]
    return args


def check_config() -> bool:
    """Print every configuration problem, one per line; True when the back-ends can be tried."""
    try:
        loaded = sspr_config.load()
    except sspr_config.ConfigError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return False
    problems = sspr_config.production_problems(loaded)
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    return not problems


def init(args: list[str]) -> int:
    target = Path(args[0] if args else sspr_config.DEFAULT_PATH)
    if target.exists():
        print(f"sspr init: {target} exists; not overwriting it", file=sys.stderr)
        return 1
    starter = (Path(__file__).parent / "ops" / "starter.toml").read_text(encoding="utf-8")
    target.write_text(starter.replace("{secret_key}", secrets.token_urlsafe(48)), encoding="utf-8")
    target.chmod(0o600)  # it holds the secret key
    print(f"wrote {target}; edit base_url and the [branding] section, then run `sspr check`")
    return 0
