"""`make demo` (`sspr demo`) serves a sign-in page where a demo student signs in, and its outbox
is accessible. This starts the real product in a subprocess, exactly as a newcomer would."""

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .helpers import PHONE, TEXT, assert_accessible

SSPR = Path(sys.executable).with_name("sspr")
STARTUP_SECONDS = 60
# "  csmith1234@student.district.example  Brave pianos dance on Fridays!      Students"
ACCOUNT_LINE = re.compile(r"^  (?P<user_id>\S+@\S+)  +(?P<password>\S.*?)  +(?P<groups>\S.*)$")


@dataclass
class Demo:
    url: str
    accounts: dict  # user ID -> (password, groups)
    workdir: Path
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def deliver(self, channel, to, subject, body):
        """Put a message in the outbox as the demo's delivery would (no flow sends one yet)."""
        with sqlite3.connect(self.workdir / "var" / "sspr.sqlite3") as db:
            db.execute("INSERT INTO demo_outboxmessage (created_at, channel, \"to\", subject, body) "
                       "VALUES (datetime('now'), ?, ?, ?, ?)", (channel, to, subject, body))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("demo")  # the demo writes var/ into its working directory
    port = free_port()
    # As from a fresh shell: no test configuration or settings module leaks into the product.
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("SSPR_") and key not in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env["PYTHONUNBUFFERED"] = "1"
    log = workdir / "demo.log"
    with log.open("w") as out:
        process = subprocess.Popen([str(SSPR), "demo", "--port", str(port)], cwd=workdir, env=env,
                                   stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not listening(port):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"sspr demo did not start (exit {process.poll()}):\n{log.read_text()}")
            time.sleep(0.1)
        accounts = {}
        for line in log.read_text().splitlines():
            if match := ACCOUNT_LINE.match(line):
                accounts[match["user_id"]] = (match["password"].rstrip(), match["groups"])
        assert f"OpenSSPR demo: http://localhost:{port}/" in log.read_text()  # a host name: passkeys work
        yield Demo(f"http://127.0.0.1:{port}", accounts, workdir, log)
    finally:
        process.send_signal(signal.SIGINT)  # gunicorn's quick shutdown (SIGTERM waits for workers)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def a_student(demo, language=None):
    """A different demo student for each test, since each signs in and skips registration."""
    students = [user_id for user_id, (_, groups) in demo.accounts.items()
                if groups == "Students" and not user_id.startswith("new.")]
    assert len(students) >= 3, f"not enough demo students printed:\n{demo.output()}"
    chosen = students[{None: 0, "en": 1, "es": 2}[language]]
    return chosen, demo.accounts[chosen][0]


def test_it_prints_demo_accounts_that_work(demo):
    from sspr.demo.seed import demo_password

    assert len(demo.accounts) >= 10
    for user_id, (password, _) in demo.accounts.items():
        assert password == demo_password(user_id), user_id


def sign_in_demo(page, demo, user_id, password):
    """A demo student has no security info yet: the demo asks them to register it, and they skip."""
    page.goto(f"{demo.url}/signin/")
    page.locator("#id_user_id").fill(user_id)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]:not(.button--secondary)").click()
    expect(page).to_have_url(f"{demo.url}/security-info/register/")
    assert_accessible(page)
    page.locator("main form button[type=submit]:not(.button--secondary)").click()  # "Skip for now"
    expect(page).to_have_url(f"{demo.url}/account/")


def test_it_lets_a_demo_student_sign_in(page, demo):
    page.goto(f"{demo.url}/")
    expect(page).to_have_url(f"{demo.url}/signin/")
    expect(page.locator("h1")).to_have_text(TEXT["en"]["signin_heading"])
    expect(page.locator(".demo-banner")).to_be_visible()
    assert_accessible(page)

    user_id, password = a_student(demo)
    sign_in_demo(page, demo, user_id, password)
    expect(page.locator("h1")).to_have_text(TEXT["en"]["profile_heading"])
    expect(page.locator("main")).to_contain_text(user_id)
    assert_accessible(page)


def test_it_serves_an_accessible_demo_outbox(lang_page, language, demo):
    user_id, password = a_student(demo, language)
    sign_in_demo(lang_page, demo, user_id, password)
    expect(lang_page.locator("h1")).to_have_text(TEXT[language]["profile_heading"])
    assert_accessible(lang_page)

    lang_page.locator(".demo-banner a").click()
    expect(lang_page).to_have_url(f"{demo.url}/demo/outbox/")
    expect(lang_page.locator("html")).to_have_attribute("lang", language)
    expect(lang_page.locator("h1")).to_have_text(TEXT[language]["outbox"])
    assert_accessible(lang_page)


def test_it_shows_outbox_messages_accessibly_even_on_a_phone(page_in, demo):
    demo.deliver("email", "csmith1234@student.district.example", "Your verification code",
                 "Your verification code is 482913\n\nIt expires in 10 min. Questions? Call +1 555 0100.")
    demo.deliver("sms", "+12025550150", "", "105277 is your Demo Unified School District code.\n\n@demo #105277")
    for language, context_args in (("en", {}), ("es", PHONE)):
        page = page_in(language, **context_args)
        page.goto(f"{demo.url}/demo/outbox/")
        expect(page.locator(".outbox-message")).to_have_count(2)
        newest = page.locator(".outbox-message").first
        expect(newest.locator(".outbox-message__code")).to_have_text("105277")
        expect(newest.locator(".outbox-message__to")).to_have_text("+1 202-555-0150")  # as people write it
        expect(page.locator(".outbox-message__code").nth(1)).to_have_text("482913")
        assert_accessible(page)
    # On a phone the code is in view at once, and nothing scrolls sideways.
    expect(newest.locator(".outbox-message__code")).to_be_in_viewport()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["viewport"]["width"]


# At the demo's own address (http://localhost:PORT, its base URL): passkeys and the admin ----------

VIRTUAL_AUTHENTICATOR = {"protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
                         "hasUserVerification": True, "isUserVerified": True, "automaticPresenceSimulation": True}
PASSKEY_TEXT = {
    "en": {"name": "Name this passkey", "create": "Create passkey", "password": "Password",
           "reenter": "Re-enter my password", "added": "Passkey added: Demo laptop.",
           "security": "Your browser won't create a passkey at this address. Open the portal at {url} and try "
                       "again.",
           "registered": "This device already has a passkey for your account. Use it to sign in, or create one "
                         "on another device."},
    "es": {"name": "Asigne un nombre a esta clave de acceso", "create": "Crear clave de acceso",
           "password": "Contraseña", "reenter": "Volver a ingresar mi contraseña",
           "added": "Método agregado: Clave de acceso, Demo laptop.",
           "security": "Su explorador no crea claves de acceso en esta dirección. Abra el portal en {url} y vuelva "
                       "a intentarlo.",
           "registered": "Este dispositivo ya tiene una clave de acceso para su cuenta. Úsela para iniciar sesión o "
                         "cree una en otro dispositivo."},
}


def own_address(demo) -> str:
    return demo.url.replace("127.0.0.1", "localhost")


def another_student(demo, index):
    """Students the tests above do not use (they take the first three)."""
    students = [user_id for user_id, (_, groups) in demo.accounts.items()
                if groups == "Students" and not user_id.startswith(("new.", "nrossi", "kwhite"))]
    return students[3 + index], demo.accounts[students[3 + index]][0]


def open_passkey_setup(page, base, user_id, password, text):
    page.goto(f"{base}/signin/")
    page.locator("#id_user_id").fill(user_id)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]:not(.button--secondary)").click()
    expect(page).to_have_url(f"{base}/security-info/register/")
    page.goto(f"{base}/security-info/add/passkey/")
    page.get_by_label(text["password"]).fill(password)
    page.get_by_role("button", name=text["reenter"]).click()
    page.goto(f"{base}/security-info/add/passkey/")
    page.get_by_label(text["name"]).fill("Demo laptop")


def test_a_passkey_registers_and_signs_in_at_the_demos_own_address(page, demo):
    base = own_address(demo)
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send("WebAuthn.addVirtualAuthenticator", {"options": VIRTUAL_AUTHENTICATOR})
    user_id, password = another_student(demo, 0)
    text = PASSKEY_TEXT["en"]
    open_passkey_setup(page, base, user_id, password, text)
    page.get_by_role("button", name=text["create"]).click()
    expect(page).to_have_url(f"{base}/security-info/")
    expect(page.get_by_role("status")).to_have_text(text["added"])
    assert_accessible(page)

    page.locator("header form.signout button").click()
    page.locator("#id_user_id").fill(user_id)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]:not(.button--secondary)").click()
    expect(page).to_have_url(f"{base}/signin/verify/")
    expect(page.get_by_label("Use my passkey (Demo laptop)")).to_be_checked()
    page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Verify").click()
    # Signed in: one method of the two the demo asks for, so the reminder first, then My account.
    expect(page).to_have_url(f"{base}/security-info/register/")
    page.locator("main form button[type=submit]").click()  # "Skip for now"
    expect(page).to_have_url(f"{base}/account/")
    expect(page.locator("main")).to_contain_text(user_id)


def test_a_passkey_refused_by_the_browser_says_what_happened(page_in, demo, language):
    text = PASSKEY_TEXT[language]
    # Opened at 127.0.0.1 while the portal's address is localhost: no passkey can belong here.
    page = page_in(language, **PHONE)
    user_id, password = another_student(demo, 1 if language == "en" else 2)
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send("WebAuthn.addVirtualAuthenticator", {"options": VIRTUAL_AUTHENTICATOR})
    open_passkey_setup(page, demo.url, user_id, password, text)
    page.get_by_role("button", name=text["create"]).click()
    expect(page.get_by_role("alert")).to_have_text(text["security"].format(url=own_address(demo)))
    assert_accessible(page)

    # At the right address it works; a second one on the same device is refused, and said so.
    page = page_in(language)
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send("WebAuthn.addVirtualAuthenticator", {"options": VIRTUAL_AUTHENTICATOR})
    open_passkey_setup(page, own_address(demo), user_id, password, text)
    page.get_by_role("button", name=text["create"]).click()
    expect(page.get_by_role("status")).to_have_text(text["added"])
    page.goto(f"{own_address(demo)}/security-info/add/passkey/")
    page.get_by_label(text["name"]).fill("Demo laptop, again")
    page.get_by_role("button", name=text["create"]).click()
    expect(page.get_by_role("alert")).to_have_text(text["registered"])
    expect(page).to_have_url(f"{own_address(demo)}/security-info/add/passkey/")
    assert_accessible(page)


def test_createadmin_gives_the_demo_an_operator_who_signs_in_to_the_admin(page, demo):
    from sspr.methods.kinds.totp import STEP_SECONDS, code_at

    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("SSPR_", "DJANGO_"))}
    made = subprocess.run([str(SSPR), "createadmin", "--noinput"], cwd=demo.workdir, capture_output=True, text=True,
                          timeout=60, env={**env, "DJANGO_SUPERUSER_USER_ID": "it.operator",
                                           "DJANGO_SUPERUSER_PASSWORD": "Operator passphrase for the demo!"})
    assert made.returncode == 0, made.stderr
    secret = re.search(r"^Key:\s+(.+)$", made.stdout, re.M)[1].replace(" ", "")
    base = own_address(demo)
    page.goto(f"{base}/admin/login/")
    page.locator("#id_username").fill("it.operator")
    page.locator("#id_password").fill("Operator passphrase for the demo!")
    page.locator("input[type=submit]").click()
    expect(page).to_have_url(f"{base}/admin/login/code/")
    page.locator("#id_code").fill(code_at(secret, int(time.time() // STEP_SECONDS)))
    page.locator("input[type=submit]").click()
    expect(page).to_have_url(f"{base}/admin/")
