"""The `sspr` command as an operator runs it: a real process, in an empty folder."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

SSPR = [sys.executable, "-m", "sspr"]


@pytest.fixture
def workdir(tmp_path):
    os.chmod(tmp_path, 0o700)
    return tmp_path


def sspr(workdir, *args, stdin="", **env):
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("SSPR_", "DJANGO_"))}
    environment.update(env)
    return subprocess.run([*SSPR, *args], cwd=workdir, input=stdin, capture_output=True, text=True,
                          env=environment, timeout=120)


def test_check_names_every_problem_of_a_broken_config(workdir):
    (workdir / "broken.toml").write_text(
        "[server]\nbase_url = 'http://sspr.example.org'\nport = 'eighty'\nsecret_key = 'change-me'\n"
        "[directory]\nbakend = 'ldap'\n"
    )
    result = sspr(workdir, "--config", "broken.toml", "check")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines == ["error: server.port: Input should be a valid integer", "error: directory.bakend: unknown key"]


def test_check_names_unsafe_production_settings(workdir):
    (workdir / "sspr.toml").write_text("[server]\nbase_url = 'http://sspr.example.org'\nsecret_key = 'change-me'\n")
    result = sspr(workdir, "check")
    assert result.returncode == 1
    assert "error: server.secret_key" in result.stderr and "error: server.base_url" in result.stderr


def test_init_writes_a_config_that_passes_check_once_migrated(workdir):
    assert sspr(workdir, "init").returncode == 0
    config = workdir / "sspr.toml"
    assert config.stat().st_mode & 0o077 == 0  # the secret key is for the service alone
    assert "change-me" not in config.read_text()
    assert sspr(workdir, "init").returncode == 1  # never overwrites
    before = sspr(workdir, "check")
    assert before.returncode == 1 and "migrations not applied" in before.stderr
    assert sspr(workdir, "migrate").returncode == 0
    after = sspr(workdir, "check")
    assert after.returncode == 0, after.stderr
    assert "OK" in after.stdout


def test_check_reports_an_unreachable_database(workdir):
    sspr(workdir, "init")
    result = sspr(workdir, "check", SSPR_DATABASE__URL="postgresql://nobody:s3cret-pw@127.0.0.1:9/none")
    assert result.returncode == 1
    assert result.stderr.startswith("error: database.url: cannot use the database")
    assert "s3cret-pw" not in result.stderr


def test_check_warns_about_demo_mode(workdir):
    sspr(workdir, "init")
    sspr(workdir, "migrate")
    result = sspr(workdir, "check", SSPR_SERVER__DEMO="true")
    assert "warning: server.demo" in result.stderr


def test_users_commands_manage_the_embedded_directory(workdir):
    sspr(workdir, "init")
    sspr(workdir, "migrate")
    Path(workdir, "people.csv").write_text(
        "user_id,display_name,groups,department,email,mobile,alternate_email,password\n"
        "ana@district.example,Ana,Staff,Office,ana@district.example,+15550100,,Sunny otters at noon!\n"
    )
    imported = sspr(workdir, "users", "import", "people.csv")
    assert imported.returncode == 0 and "1 created" in imported.stdout
    assert sspr(workdir, "users", "lock", "ANA@district.example").returncode == 0
    assert "ana@district.example\tAna\tStaff\tlocked" in sspr(workdir, "users", "list").stdout
    assert sspr(workdir, "users", "unlock", "ana@district.example").returncode == 0
    assert sspr(workdir, "users", "set-password", "ana@district.example", stdin="New phrase for Ana!\n").returncode == 0
    added = sspr(workdir, "users", "add", "bo@district.example", "--name", "Bo", "--groups", "Staff;Help Desk",
                 stdin="Bo likes long passphrases!\n")
    assert added.returncode == 0
    listing = sspr(workdir, "users", "list", "--group", "Help Desk").stdout
    assert listing == "bo@district.example\tBo\tStaff;Help Desk\tactive\n"
    missing = sspr(workdir, "users", "unlock", "nobody@district.example")
    assert missing.returncode == 1 and "no account nobody@district.example" in missing.stderr


def test_an_unknown_command_is_refused(workdir):
    result = sspr(workdir, "frobnicate")
    assert result.returncode == 2 and "unknown command" in result.stderr


def test_serve_refuses_an_unsafe_configuration_with_clear_lines(workdir):
    (workdir / "sspr.toml").write_text("[server]\nbase_url = 'https://sspr.example.org'\ndebug = true\n")
    result = sspr(workdir, "serve")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "error: server.secret_key: missing, placeholder or shorter than 32 characters",
        "error: server.debug: must be false outside demo mode",
    ]


def test_users_add_checks_like_an_import_and_leaves_nothing_half_made(workdir):
    sspr(workdir, "init")
    sspr(workdir, "migrate")
    domains = {"SSPR_DIRECTORY__DOMAINS": '["district.example"]'}
    wrong_domain = sspr(workdir, "users", "add", "bo@elsewhere.example", stdin="Bo likes long passphrases!\n",
                        **domains)
    assert wrong_domain.returncode == 1 and "user_id must end in one of: @district.example" in wrong_domain.stderr
    empty_password = sspr(workdir, "users", "add", "bo@district.example", stdin="\n", **domains)
    assert empty_password.returncode == 1 and "empty password" in empty_password.stderr
    assert sspr(workdir, "users", "list").stdout == ""


def test_createadmin_works_in_the_demo_without_a_configuration_of_its_own(workdir):
    import sqlite3

    demo = sspr(workdir, "demo", "--no-serve", "--port", "8123")
    assert demo.returncode == 0, demo.stderr
    # As the README says: `make demo`, then `sspr createadmin` in the same folder, nothing else.
    made = sspr(workdir, "createadmin", "--noinput", DJANGO_SUPERUSER_USER_ID="it.admin.demo",
                DJANGO_SUPERUSER_PASSWORD="Operator passphrase for the demo!")
    assert made.returncode == 0, made.stderr
    assert "using the demo's" in made.stderr
    assert "Key:" in made.stdout and "otpauth://totp/" in made.stdout
    with sqlite3.connect(workdir / "var" / "sspr.sqlite3") as db:  # the demo's own database
        operators = db.execute("SELECT user_id FROM accounts_user WHERE is_operator").fetchall()
        people = db.execute("SELECT count(*) FROM embedded_directory_account").fetchone()[0]
    assert operators == [("it.admin.demo",)] and people >= 10
    # Serving still needs a configuration: the demo's is only ever served by `sspr demo`.
    served = sspr(workdir, "serve")
    assert served.returncode == 1 and "error: server.secret_key" in served.stderr
    # A folder of its own configuration never falls back to the demo's.
    sspr(workdir, "init")
    assert "using the demo's" not in sspr(workdir, "check").stderr
