"""The OpenLDAP back-end against a real slapd: TLS with a test CA, the ppolicy overlay, and a
service account that may reset and unlock people under ou=people and only read ou=admins."""

import time

import pytest

from sspr.config.schema import PolicyOverride
from sspr.directory.ldap import connection
from sspr.directory.base import (
    AccountDisabled,
    AccountLocked,
    BadCredentials,
    DirectoryUnavailable,
    PasswordMustChange,
    PasswordRejected,
    UnknownUser,
)

from .conftest import openldap_settings
from .flows import HOSTILE_USER_IDS, NEW, NEWER, WRONG_SIGNIN, change, sign_in, sspr_check
from .servers import free_port


def test_it_signs_in_through_the_portal_and_reads_the_profile(client, openldap, slapd):
    person = slapd.add_person(name="Chris Smith")
    response = sign_in(client, person)
    assert response.status_code == 302 and response["Location"] == "/account/"
    assert "Chris Smith" in client.get("/account/").content.decode()
    user = openldap.lookup(person.user_id.upper())
    assert (user.user_id, user.display_name, user.email, user.mobile, user.department, user.groups) == (
        person.user_id, "Chris Smith", person.user_id, "+15550200", "Lincoln High School", ("Students",))
    assert user.enabled and not user.locked and not user.must_change_password and user.password_last_set


def test_an_unknown_user_and_a_wrong_password_get_the_same_answer(client, openldap, slapd):
    person = slapd.add_person()
    for user_id, password in [(person.user_id, "Not the password at all!"),
                              ("nobody@student.district.example", person.password)]:
        with pytest.raises(BadCredentials):
            openldap.authenticate(user_id, password)
        response = client.post("/signin/", {"user_id": user_id, "password": password})
        assert response.status_code == 400 and WRONG_SIGNIN in response.content.decode()


def test_an_empty_password_is_refused_rather_than_bound_anonymously(openldap, slapd):
    person = slapd.add_person()
    with pytest.raises(BadCredentials):
        openldap.authenticate(person.user_id, "")
    with pytest.raises(BadCredentials):
        openldap.change_password(person.user_id, "", NEW)


def test_it_changes_the_own_password_through_the_portal_bound_as_the_person(client, openldap, slapd):
    person = slapd.add_person()
    sign_in(client, person)
    response = change(client, person)
    assert response.status_code == 302 and response["Location"] == "/account/"
    # Made on the person's own connection, so the server's policy applied as to any own change.
    assert slapd.entry(person.dn, "modifiersName")["modifiersName"] == [person.dn.encode()]
    assert openldap.authenticate(person.user_id, NEW).user_id == person.user_id
    with pytest.raises(BadCredentials):
        openldap.authenticate(person.user_id, person.password)


def test_a_wrong_old_password_is_named_and_changes_nothing(client, openldap, slapd):
    person = slapd.add_person()
    sign_in(client, person)
    response = change(client, person, old="Not my password at all!")
    assert response.status_code == 400 and "Your old password is incorrect." in response.content.decode()
    assert openldap.authenticate(person.user_id, person.password)


def test_the_servers_history_rule_is_shown_in_the_servers_words(client, openldap, slapd):
    person = slapd.add_person()
    openldap.change_password(person.user_id, person.password, NEW)
    sign_in(client, person, NEW)
    response = change(client, person, old=NEW, new=person.password)
    assert response.status_code == 400
    assert "You have used this password before." in response.content.decode()
    assert openldap.authenticate(person.user_id, NEW)


def test_the_staff_policys_length_is_read_and_shown(client, openldap, slapd):
    staff = slapd.add_person(group="Staff", domain="district.example", staff_policy=True,
                             password="Lucky rivers drift at noon!")
    assert openldap.min_password_length(staff.user_id) == 20
    sign_in(client, staff)
    response = change(client, staff, new="Quiet owls hum jazz")  # 19: enough for the portal, not the server
    assert response.status_code == 400
    assert "The directory requires at least 20 characters." in response.content.decode()
    with pytest.raises(PasswordRejected) as refused:
        openldap.change_password(staff.user_id, staff.password, staff.password)
    assert refused.value.reasons == ["Your new password must be different from your current password."]


def test_groups_from_the_directory_choose_the_portals_policy(client, openldap, slapd, settings):
    policy = settings.CONFIG.password_policy.model_copy(update={"groups": {"Staff": PolicyOverride(min_length=24)}})
    settings.CONFIG = settings.CONFIG.model_copy(update={"password_policy": policy})
    staff = slapd.add_person(group="Staff", domain="district.example", password="Lucky rivers drift at noon!")
    student = slapd.add_person()
    assert openldap.lookup(staff.user_id).groups == ("Staff",)
    sign_in(client, staff)
    assert "At least 24 characters" in client.get("/account/password/").content.decode()
    client.post("/signout/")
    sign_in(client, student)
    assert "At least 15 characters" in client.get("/account/password/").content.decode()


def test_the_service_account_resets_a_password_and_can_require_a_change(client, openldap, slapd):
    person = slapd.add_person()
    openldap.reset_password(person.user_id, NEW)
    assert slapd.entry(person.dn, "modifiersName")["modifiersName"] == [slapd.service_dn.encode()]
    assert openldap.authenticate(person.user_id, NEW)
    with pytest.raises(BadCredentials):
        openldap.authenticate(person.user_id, person.password)

    openldap.reset_password(person.user_id, NEWER, must_change=True)
    with pytest.raises(PasswordMustChange):
        openldap.authenticate(person.user_id, NEWER)
    assert openldap.lookup(person.user_id).must_change_password
    response = sign_in(client, person, NEWER)
    assert response.status_code == 302 and response["Location"] == "/account/password/"
    with pytest.raises(UnknownUser):
        openldap.reset_password("nobody@student.district.example", NEW)


def test_it_unlocks_an_account_after_a_real_lockout(client, openldap, slapd):
    person = slapd.add_person()
    for _ in range(5):
        assert sign_in(client, person, "Not the password at all!").status_code == 400
    response = sign_in(client, person)  # the right password, and still refused
    assert response.status_code == 400 and WRONG_SIGNIN in response.content.decode()
    with pytest.raises(AccountLocked):
        openldap.authenticate(person.user_id, person.password)
    assert openldap.lookup(person.user_id).locked
    openldap.unlock(person.user_id)
    assert not openldap.lookup(person.user_id).locked
    assert sign_in(client, person).status_code == 302
    openldap.unlock(person.user_id)  # unlocking an unlocked account is no error


def test_a_reset_also_ends_a_lockout(openldap, slapd):
    person = slapd.add_person()
    for _ in range(5):
        with pytest.raises(BadCredentials):
            openldap.authenticate(person.user_id, "Not the password at all!")
    openldap.reset_password(person.user_id, NEW)
    assert openldap.authenticate(person.user_id, NEW)


def test_a_disabled_account_is_refused_and_never_reset_or_unlocked(client, openldap, slapd):
    person = slapd.add_person(disabled=True)
    with pytest.raises(AccountDisabled):
        openldap.authenticate(person.user_id, person.password)
    assert sign_in(client, person).status_code == 400
    assert not openldap.lookup(person.user_id).enabled
    with pytest.raises(AccountDisabled):
        openldap.unlock(person.user_id)
    with pytest.raises(AccountDisabled):
        openldap.reset_password(person.user_id, NEW)
    assert slapd.entry(person.dn, "pwdAccountLockedTime")["pwdAccountLockedTime"] == [b"000001010000Z"]


def test_a_must_change_user_signs_in_and_changes_the_password(client, openldap, slapd):
    person = slapd.add_person(must_change=True)
    response = sign_in(client, person)
    assert response.status_code == 302 and response["Location"] == "/account/password/"
    response = change(client, person)
    assert response.status_code == 302 and response["Location"] == "/account/"
    user = openldap.authenticate(person.user_id, NEW)
    assert not user.must_change_password


def test_an_expired_password_can_still_be_changed(client, openldap, slapd):
    person = slapd.add_person(changed="20200101000000Z")  # the policy's pwdMaxAge is a year
    with pytest.raises(PasswordMustChange):
        openldap.authenticate(person.user_id, person.password)
    with pytest.raises(BadCredentials):
        openldap.authenticate(person.user_id, "Not the password at all!")
    with pytest.raises(BadCredentials):
        openldap.change_password(person.user_id, "Not the password at all!", NEW)
    response = sign_in(client, person)
    assert response.status_code == 302 and response["Location"] == "/account/password/"
    assert change(client, person).status_code == 302
    assert openldap.authenticate(person.user_id, NEW)


@pytest.mark.parametrize("user_id", HOSTILE_USER_IDS)
def test_injection_strings_find_nobody(client, openldap, slapd, user_id):
    person = slapd.add_person()
    with pytest.raises(UnknownUser):
        openldap.lookup(user_id)
    with pytest.raises(BadCredentials):
        openldap.authenticate(user_id, person.password)
    with pytest.raises(UnknownUser):
        openldap.reset_password(user_id, NEW)
    with pytest.raises(UnknownUser):
        openldap.unlock(user_id)
    response = client.post("/signin/", {"user_id": user_id + "@district.example", "password": person.password})
    assert response.status_code == 400
    assert openldap.authenticate(person.user_id, person.password)  # nothing was locked or changed


def test_a_server_stopping_mid_flow_says_try_again_later_and_loses_nothing(client, openldap, slapd):
    person = slapd.add_person()
    sign_in(client, person)
    assert client.get("/account/password/").status_code == 200
    slapd.stop()
    try:
        with pytest.raises(DirectoryUnavailable):
            openldap.authenticate(person.user_id, person.password)
        with pytest.raises(DirectoryUnavailable):
            openldap.change_password(person.user_id, person.password, NEW)
        response = sign_in(client.__class__(), person)
        assert response.status_code == 503
        assert "We cannot check passwords right now. Please try again in a few minutes." in response.content.decode()
    finally:
        slapd.start()
    # The same session resumes where it stopped; the password was never half-changed.
    assert openldap.authenticate(person.user_id, person.password)
    assert change(client, person).status_code == 302
    assert openldap.authenticate(person.user_id, NEW)


def test_the_change_page_says_try_again_later_while_the_server_is_down(client, openldap, slapd):
    person = slapd.add_person()
    sign_in(client, person)
    slapd.stop()
    try:
        response = change(client, person)
    finally:
        slapd.start()
    assert response.status_code == 503 and "try again" in response.content.decode().lower()
    assert openldap.authenticate(person.user_id, person.password)


def test_a_server_that_stops_answering_times_out(openldap, slapd):
    person = slapd.add_person()
    openldap.lookup(person.user_id)
    slapd.pause()
    try:
        started = time.monotonic()
        with pytest.raises(DirectoryUnavailable):
            openldap.lookup(person.user_id)
        assert time.monotonic() - started < 3 * 2.0 + 1  # timeout 2 s: the pooled try, then a new connection
    finally:
        slapd.resume()
    assert openldap.lookup(person.user_id).user_id == person.user_id


def test_it_fails_over_to_the_second_server(client, use_directory, slapd, ca, db):
    closed = f"ldaps://127.0.0.1:{free_port()}"
    directory = use_directory(**openldap_settings(slapd, ca, uris=[closed, slapd.ldaps_uri]))
    person = slapd.add_person()
    assert sign_in(client, person).status_code == 302
    assert directory.lookup(person.user_id).user_id == person.user_id
    assert directory.check() == []


def test_starttls_on_the_plain_port_works(use_directory, slapd, ca, db):
    directory = use_directory(**openldap_settings(slapd, ca, uris=[slapd.ldap_uri], start_tls=True))
    person = slapd.add_person()
    assert directory.authenticate(person.user_id, person.password).user_id == person.user_id
    assert directory.check() == []


def test_connections_are_pooled_and_reused(openldap, slapd):
    person = slapd.add_person()
    openldap.authenticate(person.user_id, person.password)
    pools = openldap.connections
    service, user = pools.service_pool._idle[0], pools.user_pool._idle[0]
    for _ in range(20):
        openldap.authenticate(person.user_id, person.password)
    assert pools.service_pool._idle == [service] and pools.user_pool._idle == [user]


def test_check_is_quiet_when_all_is_well(openldap, slapd):
    slapd.add_person()
    assert openldap.check() == []
    code, printed = sspr_check()
    assert code == 0 and "configuration and back-ends OK" in printed and "error:" not in printed


def test_check_names_a_wrong_service_password(use_directory, slapd, ca, db, client):
    directory = use_directory(**openldap_settings(slapd, ca, bind_password="not-the-password"))
    [problem] = directory.check()
    assert problem.startswith(f"directory.bind_password: {slapd.ldaps_uri} refused the service account")
    code, printed = sspr_check()
    assert code == 1 and f"error: {problem}" in printed
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["problems"] == [problem]


def test_check_names_an_untrusted_certificate(use_directory, slapd, untrusted_ca, db):
    directory = use_directory(**openldap_settings(slapd, untrusted_ca))
    [problem] = directory.check()
    assert problem.startswith(f"directory.ca_file: {slapd.ldaps_uri}: the server's TLS certificate is not trusted")
    with pytest.raises(DirectoryUnavailable):
        directory.lookup("anyone@district.example")


def test_check_names_an_unreadable_base_dn(use_directory, slapd, ca, db):
    directory = use_directory(**openldap_settings(slapd, ca, base_dn="ou=nowhere,dc=district,dc=example"))
    [problem] = directory.check()
    assert problem.startswith("directory.base_dn: 'ou=nowhere,dc=district,dc=example' cannot be read")


def test_check_names_missing_delegated_rights(use_directory, slapd, ca, db):
    slapd.add_person(ou="admins", group="Staff", domain="district.example")
    directory = use_directory(**openldap_settings(slapd, ca, base_dn=f"ou=admins,{slapd.suffix}"))
    problems = directory.check()
    assert [problem.split(" (")[0] for problem in problems] == [
        "directory.bind_dn: the service account may not reset passwords",
        "directory.bind_dn: the service account may not unlock accounts",
        "directory.bind_dn: the service account may not require a password change at next sign-in",
    ]


def test_check_names_plain_ldap_without_starttls(use_directory, slapd, ca, db):
    directory = use_directory(**openldap_settings(slapd, ca, uris=[slapd.ldap_uri]))
    assert directory.check() == [f"directory.uris: {slapd.ldap_uri} would send passwords unencrypted; use ldaps:// "
                                 "or set directory.start_tls = true"]


def test_check_names_an_untrusted_certificate_behind_starttls(use_directory, slapd, untrusted_ca, db):
    directory = use_directory(**openldap_settings(slapd, untrusted_ca, uris=[slapd.ldap_uri], start_tls=True))
    [problem] = directory.check()
    assert problem.startswith(f"directory.ca_file: {slapd.ldap_uri}: the server's TLS certificate is not trusted")


def test_check_names_servers_that_do_not_answer(use_directory, slapd, ca, db):
    closed = f"ldaps://127.0.0.1:{free_port()}"
    [problem] = use_directory(**openldap_settings(slapd, ca, uris=[closed])).check()
    assert problem.startswith(f"directory.uris: no server answered: {closed} (")


def test_without_python_ldap_check_says_how_to_install_it(use_directory, slapd, ca, db, monkeypatch):
    monkeypatch.setattr(connection, "ldap", None)
    directory = use_directory(**openldap_settings(slapd, ca))
    [problem] = directory.check()
    assert "pip install 'opensspr[ldap]'" in problem and "libldap2-dev libsasl2-dev" in problem
    with pytest.raises(DirectoryUnavailable):
        directory.lookup("anyone@district.example")


def test_people_found_by_mail_are_looked_up_again_by_the_uid_the_portal_keeps(client, use_directory, slapd, ca, db):
    # The filter finds people by mail; the portal keeps their uid (the default user_id_attribute)
    # and every later look-up passes that, which once found nobody and made every page a 500.
    directory = use_directory(**openldap_settings(slapd, ca, user_id_attribute=""))
    person = slapd.add_person()
    uid = person.dn.split(",")[0].removeprefix("uid=")
    response = sign_in(client, person)
    assert response.status_code == 302 and response["Location"] == "/account/"
    page = client.get("/account/")
    assert page.status_code == 200 and "Chris Smith" in page.content.decode()
    assert change(client, person).status_code == 302
    assert directory.lookup(uid).user_id == uid and directory.lookup(person.user_id).user_id == uid
    directory.reset_password(uid, NEWER)
    assert directory.authenticate(person.user_id, NEWER).user_id == uid
    for user_id in HOSTILE_USER_IDS:  # escaped in both halves of the look-up
        with pytest.raises(UnknownUser):
            directory.lookup(user_id)


def test_check_warns_when_the_user_filter_does_not_match_on_the_user_id_attribute(use_directory, slapd, ca, db):
    slapd.add_person()
    directory = use_directory(**openldap_settings(slapd, ca, user_id_attribute="uid"))
    [warning] = directory.warnings()
    assert warning.startswith("directory.user_filter: '(&(objectClass=inetOrgPerson)(mail={user}))' does not match "
                              "on directory.user_id_attribute ('uid')")
    assert directory.check() == []  # it works: /readyz stays ready
    code, printed = sspr_check()
    assert code == 0 and f"warning: {warning}" in printed and "configuration and back-ends OK" in printed
    assert use_directory(**openldap_settings(slapd, ca)).warnings() == []  # mail and mail
    assert use_directory(**openldap_settings(slapd, ca, user_filter="(|(mail={user})(UID={user}))",
                                             user_id_attribute="uid")).warnings() == []
