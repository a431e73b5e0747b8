import os
import subprocess
import sys
from operator import attrgetter
from pathlib import Path

import pytest

import sspr.config
from sspr.config import ConfigError, load, production_problems, secret_keys
from sspr.config.base import Secret, Section
from sspr.config.schema import Config

GOOD_SECRET = "a-real-secret-key-with-more-than-32-characters"


def write(tmp_path, text):
    path = tmp_path / "sspr.toml"
    path.write_text(text)
    return path


def problems_of(path, environ=None):
    with pytest.raises(ConfigError) as caught:
        load(path, environ or {})
    return caught.value.problems


def test_defaults_load_without_a_file():
    config = load(None, {})
    assert config.server.port == 8000 and config.directory.backend == "embedded"
    assert config.database.url.startswith("sqlite:///var/")


def test_the_configuration_loads_without_importing_django():
    # `sspr init` and `sspr check` read a broken file before Django starts, and the schema reads
    # from the delivery package, which must not pull Django in.
    loaded = ("import sys, sspr.config; sspr.config.load(None, {}); "
              "print(sorted(name for name in sys.modules if name.startswith('django')))")
    source = str(Path(sspr.config.__file__).parents[2])  # this checkout's, not an installed copy
    result = subprocess.run([sys.executable, "-c", loaded], capture_output=True, text=True, check=True,
                            env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": source})
    assert result.stdout.strip() == "[]"


def test_an_unknown_key_is_named(tmp_path):
    path = write(tmp_path, "[server]\nbase_url = 'https://x.example'\nprot = 8000\n[colour]\nx = 1\n")
    assert problems_of(path) == ["server.prot: unknown key", "colour: unknown key"]


def test_a_wrong_type_is_named(tmp_path):
    path = write(tmp_path, "[server]\nport = '8000'\nworkers = true\n[directory]\ndomains = 'a.example'\n")
    problems = problems_of(path)
    assert [p.split(":")[0] for p in problems] == ["server.port", "server.workers", "directory.domains"]


def test_a_toml_syntax_error_names_the_file(tmp_path):
    path = write(tmp_path, "[server\n")
    assert str(path) in problems_of(path)[0]


def test_environment_overrides_file_values_with_typed_literals(tmp_path):
    path = write(tmp_path, "[server]\nport = 8000\n")
    config = load(path, {
        "SSPR_SERVER__PORT": "8123",
        "SSPR_SERVER__BASE_URL": "https://sspr.example.org",
        "SSPR_DIRECTORY__DOMAINS": '["district.example", "student.district.example"]',
        "SSPR_SERVER__DEBUG": "false",
    })
    assert config.server.port == 8123
    assert config.server.base_url == "https://sspr.example.org"
    assert config.directory.domains == ["district.example", "student.district.example"]


def test_an_unknown_environment_key_is_an_error():
    assert problems_of(None, {"SSPR_SERVER__PROT": "1"}) == ["server.prot: unknown key"]


def test_secrets_can_come_from_files(tmp_path):
    secret = tmp_path / "key"
    secret.write_text(GOOD_SECRET + "\n")
    config = load(None, {"SSPR_SERVER__SECRET_KEY_FILE": str(secret)})
    assert config.server.secret_key == GOOD_SECRET
    path = write(tmp_path, f"[server]\nsecret_key_file = '{secret}'\n")
    assert load(path, {}).server.secret_key == GOOD_SECRET


def test_an_unreadable_secret_file_is_named(tmp_path):
    problems = problems_of(None, {"SSPR_SERVER__SECRET_KEY_FILE": str(tmp_path / "missing")})
    assert problems[0].startswith("server.secret_key_file: cannot read")


@pytest.mark.parametrize("key", ["server.port", "directory.bind_dn", "email.host", "twilio.account_sid"])
def test_only_secrets_have_a_file_form(key):
    variable = "SSPR_" + key.upper().replace(".", "__") + "_FILE"
    assert problems_of(None, {variable: "/etc/hostname"}) == [f"{key}_file: unknown key"]


def test_the_secrets_are_found_in_the_schema_by_their_type():
    # Their names are public (operators' files and secret stores use them): this list only grows.
    assert set(secret_keys()) == {"server.secret_key", "database.url", "directory.bind_password",
                                  "email.password", "sms.token", "voice.token", "twilio.auth_token", "limits.redis_url",
                                  "sync.google.key", "sync.microsoft.client_secret", "sync.microsoft.certificate_key",
                                  "sync.directory.bind_password"}


@pytest.mark.parametrize("key", secret_keys())
def test_every_secret_can_come_from_a_file_in_the_file_or_the_environment(tmp_path, key):
    secret = tmp_path / "secret"
    secret.write_text(f"{key} from a file\n")
    variable = "SSPR_" + key.upper().replace(".", "__") + "_FILE"
    # A directory secret is read only by the back-ends that use it.
    backend = {"SSPR_DIRECTORY__BACKEND": "ldap"} if key.startswith("directory.") else {}
    assert attrgetter(key)(load(None, {variable: str(secret), **backend})) == f"{key} from a file"
    *sections, name = key.split(".")
    path = write(tmp_path, f"[{'.'.join(sections)}]\n{name}_file = '{secret}'\n")
    assert attrgetter(key)(load(path, {**backend})) == f"{key} from a file"


def test_a_secret_given_both_ways_is_refused_by_its_name(tmp_path):
    secret = tmp_path / "key"
    secret.write_text(GOOD_SECRET)
    path = write(tmp_path, "[twilio]\nauth_token = 'in-the-file'\n")
    problems = problems_of(path, {"SSPR_TWILIO__AUTH_TOKEN_FILE": str(secret)})
    assert problems == ["twilio.auth_token: given both as auth_token and as auth_token_file; keep one"]


def test_a_secret_file_named_like_a_number_is_still_a_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "2024").write_text(GOOD_SECRET)
    assert load(None, {"SSPR_SERVER__SECRET_KEY_FILE": "2024"}).server.secret_key == GOOD_SECRET
    path = write(tmp_path, "[server]\nsecret_key_file = 2024\n")
    assert problems_of(path) == ["server.secret_key_file: must be a file path (a string)"]


def test_secrets_stay_out_of_problems_and_out_of_the_configuration_s_repr(tmp_path):
    secret = tmp_path / "key"
    secret.write_bytes(b"\xff" + GOOD_SECRET.encode())
    problems = problems_of(None, {"SSPR_SERVER__SECRET_KEY_FILE": str(secret)})
    assert problems == [f"server.secret_key_file: {secret} is not UTF-8 text"]
    config = load(None, {"SSPR_SERVER__SECRET_KEY": GOOD_SECRET, "SSPR_EMAIL__PASSWORD": "smtp-password"})
    assert GOOD_SECRET not in repr(config) and "smtp-password" not in repr(config)
    path = write(tmp_path, "[server]\nsecret_key = 31415926535897932384626433832795\n")
    assert problems_of(path) == ["server.secret_key: Input should be a valid string"]


class _Credentials(Section):
    user: str = ""
    password: Secret = ""


class _Connection(Section):
    credentials: _Credentials = _Credentials()


class _Sync(Section):
    connection: _Connection = _Connection()


class _ConfigWithNestedSecret(Config):
    sync_test: _Sync = _Sync()


def test_a_secret_nested_at_any_depth_is_found_and_read(tmp_path, monkeypatch):
    monkeypatch.setattr(sspr.config, "Config", _ConfigWithNestedSecret)
    assert "sync_test.connection.credentials.password" in secret_keys(_ConfigWithNestedSecret)
    secret = tmp_path / "password"
    secret.write_text("nested\n")
    config = load(None, {"SSPR_SYNC_TEST__CONNECTION__CREDENTIALS__PASSWORD_FILE": str(secret)})
    assert config.sync_test.connection.credentials.password == "nested"
    assert problems_of(None, {"SSPR_SYNC_TEST__CONNECTION__CREDENTIALS__USER_FILE": str(secret)}) == [
        "sync_test.connection.credentials.user_file: unknown key"]


def test_argon2_cost_below_owasp_minimum_is_refused(tmp_path):
    path = write(tmp_path, "[passwords]\nargon2_memory_kib = 4096\n")
    assert problems_of(path)[0].startswith("passwords.argon2_memory_kib:")


@pytest.mark.parametrize("server, expected", [
    ({}, ["server.secret_key"]),
    ({"secret_key": "change-me", "base_url": "https://x.example"}, ["server.secret_key"]),
    ({"secret_key": GOOD_SECRET, "base_url": "http://sspr.example.org"}, ["server.base_url"]),
    ({"secret_key": GOOD_SECRET, "base_url": "https://x.example", "debug": True}, ["server.debug"]),
    ({"secret_key": GOOD_SECRET, "base_url": "https://x.example/path?x=1"}, ["server.base_url"]),
    ({"secret_key": GOOD_SECRET, "base_url": "https://x.example"}, []),
    ({"secret_key": GOOD_SECRET, "base_url": "http://localhost:8000"}, []),
    ({"demo": True, "base_url": "http://10.0.0.5:8000", "debug": True}, []),
])
def test_production_refuses_unsafe_settings(server, expected):
    config = load(None, {f"SSPR_SERVER__{key.upper()}": value if isinstance(value, str) else str(value).lower()
                         for key, value in server.items()})
    assert [problem.split(":")[0] for problem in production_problems(config)][:1] == expected[:1]
    assert len(production_problems(config)) == len(expected)


def test_text_settings_from_the_environment_stay_text():
    config = load(None, {"SSPR_BRANDING__HELPDESK_PHONE": "+15550100", "SSPR_BRANDING__ORG_NAME": "1984",
                         "SSPR_SERVER__PORT": "8123"})
    assert config.branding.helpdesk_phone == "+15550100" and config.branding.org_name == "1984"
    assert config.server.port == 8123


def test_the_admin_networks_must_be_addresses_or_ranges(tmp_path):
    path = write(tmp_path, "[admin]\nallowed_networks = ['10.0.0.0/8', 'intranet', '2001:db8::/32']\n")
    problems = problems_of(path)
    assert len(problems) == 1 and problems[0].startswith("admin.allowed_networks")
    assert "'intranet' is not an IP address or CIDR range" in problems[0]
    assert load(write(tmp_path, "[admin]\nallowed_networks = []\n"), {}).admin.allowed_networks == []
