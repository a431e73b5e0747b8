"""`sspr check` on delivery: each back-end checks its own settings, and development back-ends
outside demo mode are pointed out."""

import os
import subprocess
import sys

from django.core.management import call_command

from .servers import free_port


def check(capsys) -> tuple[int, list[str]]:
    try:
        call_command("check_setup")
        code = 0
    except SystemExit as exit:
        code = exit.code
    return code, capsys.readouterr().err.strip().splitlines()


def test_working_providers_pass(configure, smtp_settings, twilio_settings, mail_server, twilio, capsys):
    configure(email=smtp_settings, twilio=twilio_settings, sms={"backend": "twilio"}, voice={"backend": "twilio"},
              delivery={"admin_emails": ["it@district.example"]})
    assert check(capsys) == (0, [])
    assert mail_server.received == []  # signing in is enough; nothing is sent


def test_each_backend_names_its_missing_and_wrong_settings(configure, capsys):
    configure(email={"backend": "smtp", "from_address": "not-an-address", "username": "u", "security": "none"},
              sms={"backend": "twilio", "allowed_countries": ["US", "XX"]},
              voice={"backend": "http", "body": '{"number": "{to}"}'},
              twilio={"account_sid": "AC123", "from_number": "555"})
    code, lines = check(capsys)
    assert code == 1
    assert lines == [
        'error: email.host: required when email.backend = "smtp"',
        "error: email.from_address: not an email address",
        "error: email.password: required with email.username",
        'error: email.security: "none" would send the password unencrypted; use starttls or tls',
        'error: twilio.auth_token: required when sms.backend = "twilio"',
        "error: twilio.account_sid: must be AC followed by 32 hexadecimal digits",
        "error: twilio.from_number: must be a phone number in +E.164 form or a Messaging Service SID (MG...)",
        "error: sms.allowed_countries: unknown country code XX",
        'error: voice.url: required when voice.backend = "http"',
        "error: voice.body: {message} appears nowhere in the url, headers or body",
        "warning: delivery.admin_emails: empty, so nobody will be told when sms.daily_spending_cap stops sending",
        "warning: delivery.admin_emails: empty, so nobody will be told when voice.daily_spending_cap stops sending",
    ]


def test_a_mail_server_that_refuses_the_password_is_named(configure, smtp_settings, mail_server, capsys):
    configure(email={**smtp_settings, "password": "wrong"})
    code, lines = check(capsys)
    assert code == 1
    assert lines[0].startswith(f"error: email: 127.0.0.1:{mail_server.port}: the server refused the user name")


def test_an_unreachable_gateway_is_not_probed_but_twilio_is(configure, twilio_settings, capsys):
    configure(twilio={**twilio_settings, "base_url": f"http://127.0.0.1:{free_port()}"}, sms={"backend": "twilio"},
              delivery={"admin_emails": ["it@district.example"]})
    code, lines = check(capsys)
    assert code == 1 and lines[0].startswith("error: twilio.base_url: cannot reach the provider")


def test_development_backends_outside_demo_mode_are_warned_about_at_start_and_by_check(tmp_path):
    config = tmp_path / "sspr.toml"
    config.write_text("[server]\nbase_url = 'https://sspr.test'\n"
                      "secret_key = 'check-test-secret-0123456789-abcdefghij'\n"
                      f"[database]\nurl = 'sqlite:///{tmp_path}/db.sqlite3'\n"
                      "[email]\nbackend = 'console'\n[sms]\nbackend = 'demo'\n")
    env = {key: value for key, value in os.environ.items() if not key.startswith(("SSPR_", "DJANGO_"))}
    result = subprocess.run([sys.executable, "-m", "sspr", "--config", str(config), "check"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=60)
    expected = ['email.backend = "console": messages never reach anyone; for development only, not for real users',
                'sms.backend = "demo": messages never reach anyone; for development only, not for real users']
    logged = [line for line in result.stderr.splitlines() if "WARNING sspr.delivery" in line]
    assert [line.split("WARNING sspr.delivery ")[1] for line in logged] == expected  # at start
    assert {f"warning: {text}" for text in expected} <= set(result.stderr.splitlines())  # and by check


def test_an_email_to_sms_gateway_needs_the_mail_server(configure, capsys):
    configure(sms={"backend": "email", "gateway_address": "sms.example.net"},
              email={"from_address": "bad", "username": "u", "password": "p"},
              delivery={"admin_emails": ["it@district.example"]})
    code, lines = check(capsys)
    assert code == 1
    assert lines == [
        'error: email.host: required when sms.backend = "email"',
        "error: sms.gateway_address: must contain {to}, {digits} or {national}",
        "error: email.from_address: not an email address",
        'warning: email.backend = "none": codes and notifications cannot be emailed',
    ]
