"""The Active Directory back-end against a real Samba AD domain controller: LDAPS with a test
CA, a 15-character password settings object for Students, lockout after 5 failures, and a
service account delegated Reset Password, lockoutTime and pwdLastSet on the Students OU only."""

import pytest

from sspr.config.schema import PolicyOverride
from sspr.directory.base import (
    AccountDisabled,
    AccountLocked,
    BadCredentials,
    DirectoryUnavailable,
    PasswordMustChange,
    PasswordRejected,
    UnknownUser,
)
from sspr.directory.ldap.connection import ServiceAccountRefused

from .conftest import ad_settings
from .flows import HOSTILE_USER_IDS, NEW, NEWER, WRONG_SIGNIN, change, sign_in, sspr_check
from .servers import free_port


@pytest.fixture
def lower_portal_minimum(settings):
    """The portal's own minimum (15 by default) stepped aside, so the server's rule is what refuses."""
    policy = settings.CONFIG.password_policy.model_copy(update={"min_length": 8, "min_strength": 0})
    settings.CONFIG = settings.CONFIG.model_copy(update={"password_policy": policy})


def test_it_signs_in_through_the_portal_and_reads_the_profile(client, active_directory, samba_dc):
    person = samba_dc.add_person(name="Chris Smith")
    response = sign_in(client, person)
    assert response.status_code == 302 and response["Location"] == "/account/"
    assert "Chris Smith" in client.get("/account/").content.decode()
    user = active_directory.lookup(person.user_id)
    assert (user.user_id, user.display_name, user.email, user.mobile, user.department, user.groups,
            user.alternate_email) == (person.user_id, "Chris Smith", person.user_id, "+15550200",
                                      "Lincoln High School", ("Students",), f"{person.sam}@home.example")
    assert user.enabled and not user.locked and not user.must_change_password and user.password_last_set


def test_it_finds_people_by_samaccountname_too(active_directory, samba_dc):
    person = samba_dc.add_person()
    assert active_directory.authenticate(person.sam, person.password).user_id == person.user_id
    assert active_directory.lookup(person.sam.upper()).user_id == person.user_id


def test_an_unknown_user_and_a_wrong_password_get_the_same_answer(client, active_directory, samba_dc):
    person = samba_dc.add_person()
    for user_id, password in [(person.user_id, "Not the password at all!"),
                              ("nobody@student.district.example", person.password)]:
        with pytest.raises(BadCredentials):
            active_directory.authenticate(user_id, password)
        response = client.post("/signin/", {"user_id": user_id, "password": password})
        assert response.status_code == 400 and WRONG_SIGNIN in response.content.decode()


def test_an_empty_password_is_refused_rather_than_bound_anonymously(active_directory, samba_dc):
    person = samba_dc.add_person()
    with pytest.raises(BadCredentials):
        active_directory.authenticate(person.user_id, "")


def test_it_changes_the_own_password_through_the_portal(client, active_directory, samba_dc):
    person = samba_dc.add_person()
    sign_in(client, person)
    response = change(client, person)
    assert response.status_code == 302 and response["Location"] == "/account/"
    assert active_directory.authenticate(person.user_id, NEW).user_id == person.user_id
    with pytest.raises(BadCredentials):
        active_directory.authenticate(person.user_id, person.password)


def test_a_wrong_old_password_is_named_and_changes_nothing(client, active_directory, samba_dc):
    person = samba_dc.add_person()
    sign_in(client, person)
    response = change(client, person, old="Not my password at all!")
    assert response.status_code == 400 and "Your old password is incorrect." in response.content.decode()
    assert active_directory.authenticate(person.user_id, person.password)


def test_the_pso_length_rule_is_read_and_the_servers_reason_shown(client, active_directory, samba_dc,
                                                                   lower_portal_minimum):
    person = samba_dc.add_person()
    assert active_directory.min_password_length(person.user_id) == 15
    rules = active_directory.password_rules(person.user_id)
    assert (rules.history, rules.lockout_threshold, rules.complexity) == (5, 5, False)
    sign_in(client, person)
    response = change(client, person, new="Velvet moth qz")  # 14 characters
    assert response.status_code == 400
    assert "The directory requires at least 15 characters." in response.content.decode()
    assert active_directory.authenticate(person.user_id, person.password)


def test_staff_get_the_domain_rules(active_directory, samba_dc):
    staff = samba_dc.add_person(ou="Staff", domain="district.example", password="Lucky rivers drift at noon!")
    rules = active_directory.password_rules(staff.user_id)
    assert (rules.min_length, rules.history, rules.lockout_threshold) == (7, 24, 5)


def test_the_servers_history_rule_is_shown(client, active_directory, samba_dc):
    person = samba_dc.add_person()
    active_directory.change_password(person.user_id, person.password, NEW)
    sign_in(client, person, NEW)
    response = change(client, person, old=NEW, new=person.password)
    assert response.status_code == 400
    assert "You have used this password before." in response.content.decode()
    assert active_directory.authenticate(person.user_id, NEW)


def test_the_delegated_service_account_resets_and_can_require_a_change(client, active_directory, samba_dc):
    person = samba_dc.add_person()
    active_directory.reset_password(person.user_id, NEW)
    assert active_directory.authenticate(person.user_id, NEW)
    with pytest.raises(BadCredentials):
        active_directory.authenticate(person.user_id, person.password)
    with pytest.raises(PasswordRejected) as refused:
        active_directory.reset_password(person.user_id, "Too short!")
    assert refused.value.reasons == ["The directory requires at least 15 characters."]

    active_directory.reset_password(person.user_id, NEWER, must_change=True)
    assert samba_dc.entry(person.dn, "pwdLastSet")["pwdLastSet"] == [b"0"]
    with pytest.raises(PasswordMustChange):
        active_directory.authenticate(person.user_id, NEWER)
    response = sign_in(client, person, NEWER)
    assert response.status_code == 302 and response["Location"] == "/account/password/"


def test_the_service_account_may_not_reset_outside_its_ou(active_directory, samba_dc):
    staff = samba_dc.add_person(ou="Staff", domain="district.example", password="Lucky rivers drift at noon!")
    with pytest.raises(ServiceAccountRefused):
        active_directory.reset_password(staff.user_id, NEW)
    with pytest.raises(ServiceAccountRefused):
        active_directory.unlock(staff.user_id)
    assert active_directory.authenticate(staff.user_id, staff.password)
    # A person's own change needs no delegation at all.
    active_directory.change_password(staff.user_id, staff.password, NEW)
    assert active_directory.authenticate(staff.user_id, NEW)


def test_it_unlocks_an_account_after_a_real_lockout(client, active_directory, samba_dc):
    person = samba_dc.add_person()
    for _ in range(5):
        assert sign_in(client, person, "Not the password at all!").status_code == 400
    response = sign_in(client, person)  # the right password, and still refused
    assert response.status_code == 400 and WRONG_SIGNIN in response.content.decode()
    with pytest.raises(AccountLocked):
        active_directory.authenticate(person.user_id, person.password)
    assert active_directory.lookup(person.user_id).locked
    active_directory.unlock(person.user_id)
    assert not active_directory.lookup(person.user_id).locked
    assert sign_in(client, person).status_code == 302


def test_a_reset_also_ends_a_lockout(active_directory, samba_dc):
    person = samba_dc.add_person()
    for _ in range(5):
        with pytest.raises(BadCredentials):
            active_directory.authenticate(person.user_id, "Not the password at all!")
    active_directory.reset_password(person.user_id, NEW)
    assert active_directory.authenticate(person.user_id, NEW)


def test_a_must_change_user_changes_the_password_through_the_portal(client, active_directory, samba_dc):
    person = samba_dc.add_person(must_change=True)  # pwdLastSet 0: binds are refused with 773
    with pytest.raises(PasswordMustChange):
        active_directory.authenticate(person.user_id, person.password)
    with pytest.raises(BadCredentials):
        active_directory.change_password(person.user_id, "Not the password at all!", NEW)
    response = sign_in(client, person)
    assert response.status_code == 302 and response["Location"] == "/account/password/"
    response = change(client, person)
    assert response.status_code == 302 and response["Location"] == "/account/"
    user = active_directory.authenticate(person.user_id, NEW)
    assert not user.must_change_password


def test_a_disabled_account_is_refused_and_not_unlocked(client, active_directory, samba_dc):
    person = samba_dc.add_person(disabled=True)
    with pytest.raises(AccountDisabled):
        active_directory.authenticate(person.user_id, person.password)
    response = sign_in(client, person)
    assert response.status_code == 400 and WRONG_SIGNIN in response.content.decode()
    assert not active_directory.lookup(person.user_id).enabled
    with pytest.raises(AccountDisabled):
        active_directory.unlock(person.user_id)


@pytest.mark.parametrize("user_id", HOSTILE_USER_IDS)
def test_injection_strings_find_nobody(active_directory, samba_dc, user_id):
    person = samba_dc.add_person()
    with pytest.raises(UnknownUser):
        active_directory.lookup(user_id)
    with pytest.raises(BadCredentials):
        active_directory.authenticate(user_id, person.password)
    with pytest.raises(UnknownUser):
        active_directory.reset_password(user_id, NEW)
    assert active_directory.authenticate(person.user_id, person.password)


def test_a_server_stopping_mid_flow_says_try_again_later_and_loses_nothing(client, active_directory, samba_dc):
    person = samba_dc.add_person()
    sign_in(client, person)
    assert client.get("/account/password/").status_code == 200
    samba_dc.stop()
    try:
        with pytest.raises(DirectoryUnavailable):
            active_directory.change_password(person.user_id, person.password, NEW)
        response = sign_in(client.__class__(), person)
        assert response.status_code == 503
        assert "We cannot check passwords right now. Please try again in a few minutes." in response.content.decode()
    finally:
        samba_dc.start()
    assert active_directory.authenticate(person.user_id, person.password)
    assert change(client, person).status_code == 302
    assert active_directory.authenticate(person.user_id, NEW)


def test_it_fails_over_to_the_second_server(client, use_directory, samba_dc, ca, db):
    closed = f"ldaps://127.0.0.1:{free_port()}"
    directory = use_directory(**ad_settings(samba_dc, ca, uris=[closed, samba_dc.ldaps_uri]))
    person = samba_dc.add_person()
    assert sign_in(client, person).status_code == 302
    assert directory.lookup(person.user_id).user_id == person.user_id


def test_starttls_works(use_directory, samba_dc, ca, db):
    directory = use_directory(**ad_settings(samba_dc, ca, uris=[samba_dc.ldap_uri], start_tls=True))
    person = samba_dc.add_person()
    assert directory.authenticate(person.user_id, person.password).user_id == person.user_id


def test_groups_from_ad_choose_the_portals_policy(client, active_directory, samba_dc, settings):
    policy = settings.CONFIG.password_policy.model_copy(update={"groups": {"Staff": PolicyOverride(min_length=24)}})
    settings.CONFIG = settings.CONFIG.model_copy(update={"password_policy": policy})
    staff = samba_dc.add_person(ou="Staff", domain="district.example", password="Lucky rivers drift at noon!")
    sign_in(client, staff)
    assert "At least 24 characters" in client.get("/account/password/").content.decode()


def test_check_is_quiet_when_all_is_well(active_directory, samba_dc):
    samba_dc.add_person()
    assert active_directory.check() == []
    code, printed = sspr_check()
    assert code == 0 and "configuration and back-ends OK" in printed and "error:" not in printed


def test_check_names_a_wrong_service_password(use_directory, samba_dc, ca, db, client):
    directory = use_directory(**ad_settings(samba_dc, ca, bind_password="not-the-password"))
    [problem] = directory.check()
    assert problem.startswith(f"directory.bind_password: {samba_dc.ldaps_uri} refused the service account")
    code, printed = sspr_check()
    assert code == 1 and f"error: {problem}" in printed
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["problems"] == [problem]


def test_check_names_an_untrusted_certificate(use_directory, samba_dc, untrusted_ca, db):
    [problem] = use_directory(**ad_settings(samba_dc, untrusted_ca)).check()
    assert problem.startswith(f"directory.ca_file: {samba_dc.ldaps_uri}: the server's TLS certificate is not trusted")


def test_check_names_an_unreadable_base_dn(use_directory, samba_dc, ca, db):
    [problem] = use_directory(**ad_settings(samba_dc, ca, base_dn="OU=Nowhere,DC=test,DC=example")).check()
    assert problem.startswith("directory.base_dn: 'OU=Nowhere,DC=test,DC=example' cannot be read")


def test_check_names_missing_delegated_rights(use_directory, samba_dc, ca, db):
    samba_dc.add_person(ou="Staff", domain="district.example", password="Lucky rivers drift at noon!")
    directory = use_directory(**ad_settings(samba_dc, ca, base_dn=f"OU=Staff,{samba_dc.base}"))
    assert [problem.split(" (")[0] for problem in directory.check()] == [
        "directory.bind_dn: the service account may not unlock accounts",
        "directory.bind_dn: the service account may not require a password change at next sign-in",
        "directory.bind_dn: the service account may not reset passwords",
    ]


def test_people_found_by_samaccountname_are_looked_up_again_by_their_upn(use_directory, samba_dc, ca, db):
    directory = use_directory(**ad_settings(
        samba_dc, ca, user_filter="(&(objectCategory=person)(objectClass=user)(sAMAccountName={user}))"))
    person = samba_dc.add_person()
    assert directory.authenticate(person.sam, person.password).user_id == person.user_id  # the UPN
    assert directory.lookup(person.user_id).display_name == "Chris Smith"
    directory.change_password(person.user_id, person.password, NEW)
    assert directory.authenticate(person.sam, NEW)
    [warning] = directory.warnings()
    assert warning.startswith("directory.user_filter: ") and "('userPrincipalName')" in warning
    assert directory.check() == []
