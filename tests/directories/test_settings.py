"""[directory] is composed of the keys every back-end shares and each back-end's own settings
model; every key keeps its name, environment override and `_file` form. No server needed."""

import subprocess
import sys
from pathlib import Path

import pytest

from sspr.config import ConfigError, load
from sspr.config.schema import Directory

SOURCE = Path(__file__).resolve().parents[2] / "src"
# Every key [directory] and [directory.attributes] had before they were composed; operators automate against them.
DIRECTORY_KEYS = {"backend", "domains", "lockout_threshold", "lockout_minutes", "uris", "bind_dn", "bind_password",
                  "base_dn", "user_filter", "user_id_attribute", "group_filter", "start_tls", "ca_file", "timeout",
                  "ppolicy_default",
                  "attributes"}
ATTRIBUTE_KEYS = {"display_name", "email", "mobile", "alternate_email", "groups", "department", "grade"}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sspr.toml"
    path.write_text(text)
    return path


def problems(tmp_path: Path, text: str, environ: dict | None = None) -> list[str]:
    with pytest.raises(ConfigError) as refused:
        load(write(tmp_path, text), environ or {})
    return refused.value.problems


def test_the_schema_loads_without_django_or_python_ldap():
    imported = subprocess.run(
        [sys.executable, "-c", "import sys, sspr.config; sspr.config.load(None, {}); "
                               "print(sorted({name.split('.')[0] for name in sys.modules} & {'django', 'ldap'}))"],
        capture_output=True, text=True, check=True, env={"PYTHONPATH": str(SOURCE)})
    assert imported.stdout.strip() == "[]"


def test_every_key_keeps_its_name():
    assert set(Directory.model_fields) == DIRECTORY_KEYS
    assert set(Directory.model_fields["attributes"].annotation.model_fields) == ATTRIBUTE_KEYS


def test_ldap_keys_come_from_the_file_the_environment_and_secret_files(tmp_path):
    secret = tmp_path / "bind_password"
    secret.write_text("Service-account-secret\n")
    path = write(tmp_path, '[directory]\nbackend = "ldap"\nuris = ["ldaps://ldap1.district.example"]\n'
                           '[directory.attributes]\ndepartment = "departmentNumber"\n')
    config = load(path, {"SSPR_DIRECTORY__BIND_PASSWORD_FILE": str(secret), "SSPR_DIRECTORY__TIMEOUT": "3.0",
                         "SSPR_DIRECTORY__ATTRIBUTES__GROUPS": "", "SSPR_DIRECTORY__USER_ID_ATTRIBUTE": "mail"})
    directory = config.directory
    assert (directory.backend, directory.uris, directory.bind_password, directory.timeout) == (
        "ldap", ["ldaps://ldap1.district.example"], "Service-account-secret", 3.0)
    assert (directory.user_id_attribute, directory.attributes.groups, directory.attributes.department) == (
        "mail", "", "departmentNumber")


def test_the_embedded_keys_come_from_the_file_and_the_environment(tmp_path):
    config = load(write(tmp_path, "[directory]\nlockout_threshold = 5\n"), {"SSPR_DIRECTORY__LOCKOUT_MINUTES": "0"})
    assert (config.directory.lockout_threshold, config.directory.lockout_minutes) == (5, 0)


def test_a_key_another_back_end_reads_is_refused_by_name(tmp_path):
    found = problems(tmp_path, '[directory]\nbackend = "ad"\nlockout_threshold = 5\n')
    assert found == ['directory.lockout_threshold: only read when directory.backend is "embedded", and it is "ad": '
                     "remove the key, or set directory.backend"]
    found = problems(tmp_path, '[directory]\nuris = ["ldaps://dc1.district.example"]\n[directory.attributes]\n'
                               'groups = ""\n', {"SSPR_DIRECTORY__BIND_DN": "svc-sspr@district.example"})
    assert [problem.split(": ")[0] for problem in found] == [
        "directory.uris", "directory.bind_dn", "directory.attributes"]
    assert 'only read when directory.backend is "ldap" or "ad", and it is "embedded"' in found[0]


def test_a_key_written_with_its_default_is_no_problem(tmp_path):
    # `sspr init`'s starter file writes the embedded lockout keys; switching backend must not trip over them.
    config = load(write(tmp_path, '[directory]\nbackend = "ldap"\nlockout_threshold = 10\nlockout_minutes = 30\n'),
                  {})
    assert config.directory.backend == "ldap"


def test_type_errors_still_name_their_key(tmp_path):
    assert problems(tmp_path, '[directory]\nbackend = "ldap"\ntimeout = "3"\nbakend = 1\n') == [
        "directory.timeout: Input should be a valid number", "directory.bakend: unknown key"]
