"""The operators' admin is not an open door: who may reach it (admin.allowed_networks), how hard
its sign-in is to guess at (a per-address limit and a per-operator lockout), the second step (an
authenticator app, issued by `sspr createadmin`), who gets in (superuser operators, signed in
both steps), and the audit trail of every try. In each test the attacker's requests fail and the
operator's own sign-in still works."""

import re
from io import StringIO
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY
from django.core.management import call_command
from django.test import Client

from sspr.accounts.auth import OPERATOR_BACKEND
from sspr.accounts.models import OperatorAuthenticator
from sspr.audit.models import AuditEvent, Tag
from sspr.methods.kinds.totp import STEP_SECONDS, code_at
from sspr.web.operators import VERIFIED

from .conftest import Operator, admin_sign_in, sign_in

pytestmark = pytest.mark.django_db

ATTACKER = {"REMOTE_ADDR": "10.0.0.66"}  # inside the admin's networks, or it would see nothing at all
OWNER = {"REMOTE_ADDR": "10.0.0.5"}
WRONG = "Not the operator's passphrase!"


def signed_in_to_admin(client) -> bool:
    return client.get("/admin/").status_code == 200


def owner_signs_in(operator, client=None) -> bool:
    client = client or Client(**OWNER)
    response = admin_sign_in(client, operator)
    return response.status_code == 302 and signed_in_to_admin(client)


def failures(**fields):
    return AuditEvent.objects.filter(tag=Tag.SIGNIN_FAILURE, actor_role="admin", **fields)


# -- the operator's own journey ------------------------------------------------------------------


def test_an_operator_signs_in_with_the_password_then_the_authenticator_code(operator, clock):
    client = Client(**OWNER)
    response = client.post("/admin/login/?next=/admin/audit/auditevent/",
                           {"username": operator.user_id, "password": operator.password,
                            "next": "/admin/audit/auditevent/"})
    assert response.status_code == 302 and response["Location"] == "/admin/login/code/"
    page = client.get("/admin/login/code/")
    assert page.status_code == 200 and operator.user_id in page.content.decode()
    response = client.post("/admin/login/code/", {"code": operator.code()})
    assert response.status_code == 302 and response["Location"] == "/admin/audit/auditevent/"
    assert client.get("/admin/audit/auditevent/").status_code == 200
    success = AuditEvent.objects.get(tag=Tag.SIGNIN_SUCCESS)
    assert success.actor_role == "admin" and success.subject == operator.user_id
    assert success.client_ip == "10.0.0.5" and success.detail == {"second_step": "totp"}


def test_the_password_alone_opens_nothing(operator):
    client = Client(**OWNER)
    client.post("/admin/login/", {"username": operator.user_id, "password": operator.password})
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert not client.login(user_id=operator.user_id, password=operator.password)  # no back door via authenticate()
    # A session with the operators' back-end but without the second step is no admin session either.
    forced = Client(**OWNER)
    forced.force_login(operator.user, backend=OPERATOR_BACKEND)
    assert not signed_in_to_admin(forced)
    assert owner_signs_in(operator, client)


def test_a_code_is_accepted_once(operator, clock):
    seen = operator.code()
    assert owner_signs_in(operator)
    eavesdropper = Client(**ATTACKER)
    response = admin_sign_in(eavesdropper, operator, code=seen)  # the password too, and the code read over a shoulder
    assert response.status_code == 400 and "already used" in response.content.decode()
    assert not signed_in_to_admin(eavesdropper)
    assert failures(reason="already_used").count() == 1
    clock.advance(seconds=STEP_SECONDS)
    assert owner_signs_in(operator)  # the next code works


def test_the_code_step_waits_only_a_few_minutes(operator, clock):
    client = Client(**OWNER)
    client.post("/admin/login/", {"username": operator.user_id, "password": operator.password})
    clock.advance(minutes=5, seconds=1)
    response = client.post("/admin/login/code/", {"code": operator.code()})
    assert response.status_code == 302 and response["Location"] == "/admin/login/"
    assert not signed_in_to_admin(client)
    assert owner_signs_in(operator, client)


def test_an_empty_code_is_asked_for_again_without_counting(operator):
    client = Client(**OWNER)
    client.post("/admin/login/", {"username": operator.user_id, "password": operator.password})
    assert client.post("/admin/login/code/", {"code": ""}).status_code == 400
    assert not failures().exists()
    assert client.post("/admin/login/code/", {"code": operator.code()}).status_code == 302


# -- guessing --------------------------------------------------------------------------------------


def test_150_wrong_passwords_in_a_burst_are_mostly_not_even_tried(operator, settings, password_checks, clock):
    admin = settings.CONFIG.admin
    attacker = Client(**ATTACKER)
    statuses = [attacker.post("/admin/login/", {"username": operator.user_id, "password": f"{WRONG} {n}"}).status_code
                for n in range(150)]
    assert statuses[:admin.lockout_threshold] == [400] * admin.lockout_threshold
    assert set(statuses[admin.lockout_threshold:]) == {429}
    assert len(password_checks) == admin.lockout_threshold  # locked, then over the address's limit: untested
    # Every one of them is in the audit trail, with its real reason.
    assert failures().count() == 150
    assert failures(reason="wrong_password", outcome="failure").count() == admin.lockout_threshold
    locked_out = admin.signin_attempts_per_ip - admin.lockout_threshold
    assert failures(reason="account_locked", outcome="refused").count() == locked_out
    assert failures(reason="rate_limited", outcome="refused").count() == 150 - admin.signin_attempts_per_ip
    assert AuditEvent.objects.filter(tag=Tag.ACCOUNT_LOCK, subject=operator.user_id).count() == 1
    assert {e.actor_role for e in failures()} == {"admin"} and {e.client_ip for e in failures()} == {"10.0.0.66"}
    # The right password, from the operator's own desk, waits for the lockout too, and is not tested.
    response = admin_sign_in(Client(**OWNER), operator)
    assert response.status_code == 429 and "locked" in response.content.decode()
    assert len(password_checks) == admin.lockout_threshold
    clock.advance(minutes=admin.lockout_minutes)
    assert owner_signs_in(operator)


def test_the_lockout_ends_on_time_whatever_arrives_meanwhile(operator, settings, password_checks, clock):
    admin = settings.CONFIG.admin
    for n in range(admin.lockout_threshold):
        Client(REMOTE_ADDR=f"10.0.1.{n}").post("/admin/login/", {"username": operator.user_id, "password": WRONG})
    tested = len(password_checks)
    for minute in range(admin.lockout_minutes - 1):
        clock.advance(minutes=1)
        guess = Client(REMOTE_ADDR=f"10.0.2.{minute}").post("/admin/login/", {"username": operator.user_id,
                                                                            "password": WRONG})
        assert guess.status_code == 429
        assert admin_sign_in(Client(**OWNER), operator).status_code == 429
    assert len(password_checks) == tested  # nothing was tested while locked
    clock.advance(minutes=1)
    assert owner_signs_in(operator)


def test_the_lockout_counts_one_user_id_however_it_is_typed_and_from_any_address(operator, settings, clock):
    for n in range(settings.CONFIG.admin.lockout_threshold):
        user_id = operator.user_id.upper() if n % 2 else f"  {operator.user_id} "
        Client(REMOTE_ADDR=f"10.0.3.{n}").post("/admin/login/", {"username": user_id, "password": WRONG})
    assert admin_sign_in(Client(**OWNER), operator).status_code == 429


def test_failures_age_out_of_the_window(operator, settings, clock):
    admin = settings.CONFIG.admin
    for _ in range(3 * admin.lockout_threshold):
        Client(**ATTACKER).post("/admin/login/", {"username": operator.user_id, "password": WRONG})
        clock.advance(minutes=admin.signin_window_minutes // (admin.lockout_threshold - 1) + 1)
    assert owner_signs_in(operator)


def test_wrong_codes_count_toward_the_lockout(operator, settings, clock):
    """Someone who has the password still gets only a handful of guesses at the code."""
    admin = settings.CONFIG.admin
    attacker = Client(**ATTACKER)
    for _ in range(admin.lockout_threshold):
        response = admin_sign_in(attacker, operator, code="000000" if operator.code() != "000000" else "111111")
        assert response.status_code == 400
    assert failures(reason="wrong_answer", detail__step="code").count() == admin.lockout_threshold
    response = admin_sign_in(attacker, operator)  # the right password and code, now too late
    assert response.status_code == 429 and not signed_in_to_admin(attacker)
    owner = Client(**OWNER)
    assert admin_sign_in(owner, operator).status_code == 429
    clock.advance(minutes=admin.lockout_minutes, seconds=STEP_SECONDS)
    assert owner_signs_in(operator, owner)


def test_a_lockout_reached_during_the_code_step_ends_that_sign_in(operator, settings, clock):
    owner = Client(**OWNER)
    owner.post("/admin/login/", {"username": operator.user_id, "password": operator.password})
    for _ in range(settings.CONFIG.admin.lockout_threshold):
        Client(**ATTACKER).post("/admin/login/", {"username": operator.user_id, "password": WRONG})
    response = owner.post("/admin/login/code/", {"code": operator.code()})
    assert response.status_code == 429 and not signed_in_to_admin(owner)
    clock.advance(minutes=settings.CONFIG.admin.lockout_minutes)
    assert owner.post("/admin/login/code/", {"code": operator.code()})["Location"] == "/admin/login/"  # start again
    assert owner_signs_in(operator, owner)


def test_only_a_finished_sign_in_clears_the_failures(operator, settings, clock):
    """A right password alone must not reset the count, or its holder could guess codes for ever."""
    admin = settings.CONFIG.admin
    attacker = Client(**ATTACKER)
    for _ in range(admin.lockout_threshold - 1):
        admin_sign_in(attacker, operator, code="000000" if operator.code() != "000000" else "111111")
    attacker.post("/admin/login/", {"username": operator.user_id, "password": operator.password})
    attacker.post("/admin/login/code/", {"code": "000000" if operator.code() != "000000" else "111111"})
    assert admin_sign_in(Client(**OWNER), operator).status_code == 429


def test_one_address_gets_a_limited_number_of_tries_at_any_user_ids(operator, settings, password_checks):
    limit = settings.CONFIG.admin.signin_attempts_per_ip
    attacker = Client(**ATTACKER)
    for n in range(limit):
        assert attacker.post("/admin/login/", {"username": f"op{n}", "password": WRONG}).status_code == 400
    refused = admin_sign_in(attacker, operator)  # even the right password, from there
    assert refused.status_code == 429 and "from your network" in refused.content.decode()
    assert len(password_checks) == 0  # unknown user IDs cost a hash but test nothing; the last was not tried
    assert failures(reason="rate_limited", subject=operator.user_id).exists()
    assert owner_signs_in(operator)  # from another address


def test_unknown_and_known_user_ids_get_the_same_answer(operator):
    unknown = Client(**ATTACKER).post("/admin/login/", {"username": "nobody", "password": WRONG})
    wrong = Client(**ATTACKER).post("/admin/login/", {"username": operator.user_id, "password": WRONG})
    assert unknown.status_code == wrong.status_code == 400
    message = "Your user ID or password is incorrect"
    assert message in unknown.content.decode() and message in wrong.content.decode()


# -- who gets in ----------------------------------------------------------------------------------


def test_an_operator_who_is_not_a_superuser_gets_no_admin(db, clock):
    helper = Operator("helpdesk.jlee", "Help desk passphrase for testing!", superuser=False)
    client = Client(**OWNER)
    response = admin_sign_in(client, helper)
    assert response.status_code == 400 and not signed_in_to_admin(client)
    assert failures(reason="not_allowed", subject=helper.user_id).exists()
    # Even a session made by hand with both marks is refused.
    client.force_login(helper.user, backend=OPERATOR_BACKEND)
    session = client.session
    session[VERIFIED] = "totp"
    session.save()
    assert not signed_in_to_admin(client)


def test_a_portal_session_is_no_admin_session(student, operator):
    client = Client(**OWNER)
    sign_in(client, student)
    assert client.get("/account/").status_code == 200
    assert not signed_in_to_admin(client)
    # And a directory account named like the operator never lands on the operator's row.
    assert client.session[BACKEND_SESSION_KEY] != OPERATOR_BACKEND


def test_an_operator_without_an_authenticator_is_told_how_to_get_one(db, password_checks):
    newcomer = Operator("admin.new", "Newcomer passphrase for testing!", authenticator=False)
    client = Client(**OWNER)
    response = client.post("/admin/login/", {"username": newcomer.user_id, "password": newcomer.password})
    assert response.status_code == 403
    assert "sspr createadmin --authenticator admin.new" in response.content.decode()
    assert not signed_in_to_admin(client)
    assert failures(reason="no_second_step", outcome="refused").count() == 1


def test_signing_out_of_the_admin_is_audited(operator):
    client = Client(**OWNER)
    assert owner_signs_in(operator, client)
    client.post("/admin/logout/")
    assert not signed_in_to_admin(client)
    event = AuditEvent.objects.get(tag=Tag.SIGNOUT)
    assert event.actor_role == "admin" and event.subject == operator.user_id


# -- sspr createadmin ------------------------------------------------------------------------------


def key_from(output: str) -> str:
    uri = re.search(r"otpauth://totp/\S+", output)[0]
    return parse_qs(urlsplit(uri).query)["secret"][0]


def createadmin(*args) -> str:
    out = StringIO()
    call_command("createadmin", *args, stdout=out)
    return out.getvalue()


def test_createadmin_prints_the_authenticator_key_that_signs_the_operator_in(db, monkeypatch, clock):
    monkeypatch.setenv("DJANGO_SUPERUSER_USER_ID", "Admin.RMorgan")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "Operator passphrase for the audit trail!")
    output = createadmin("--noinput")
    assert "otpauth://totp/Test%20Unified%20School%20District:admin.rmorgan?" in output
    secret = key_from(output)
    grouped = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
    assert grouped in output
    stored = OperatorAuthenticator.objects.get(user__user_id="admin.rmorgan")
    assert secret not in stored.sealed_secret  # sealed at rest
    assert AuditEvent.objects.filter(tag=Tag.METHOD_ADD, subject="admin.rmorgan", actor_role="cli").exists()
    client = Client(**OWNER)
    client.post("/admin/login/", {"username": "admin.rmorgan", "password": "Operator passphrase for the audit trail!"})
    code = code_at(secret, int(clock.now().timestamp() // STEP_SECONDS))
    assert client.post("/admin/login/code/", {"code": code}).status_code == 302
    assert signed_in_to_admin(client)


def test_a_new_key_replaces_the_old_one_and_ends_the_operator_s_sessions(operator, clock):
    client = Client(**OWNER)
    assert owner_signs_in(operator, client)
    old_secret = operator.secret
    operator.secret = key_from(createadmin("--authenticator", operator.user_id.upper()))
    assert not signed_in_to_admin(client)  # every admin session of the operator has ended
    clock.advance(seconds=STEP_SECONDS)
    lost_phone = Client(**ATTACKER)
    stale = code_at(old_secret, int(clock.now().timestamp() // STEP_SECONDS))
    assert admin_sign_in(lost_phone, operator, code=stale).status_code == 400
    assert owner_signs_in(operator)


def test_createadmin_gives_a_new_key_only_to_an_operator(student):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not an operator"):
        createadmin("--authenticator", student.user_id)
