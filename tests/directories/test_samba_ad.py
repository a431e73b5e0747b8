"""What only the Active Directory back-end does, against a real Samba AD domain controller:
LDAPS with a test CA, a 15-character password settings object for Students, lockout after 5
failures, and a service account delegated Reset Password, lockoutTime and pwdLastSet on the
Students OU only. What every back-end does is in test_contract.py."""

from datetime import timedelta

import ldap
import pytest

from sspr.directory.base import AccountDisabled, PasswordRejected
from sspr.directory.ldap.connection import ServiceAccountRefused

from .backends import ad_settings
from .flows import NEW, NEWER, change, sign_in
from .servers import unique_name


@pytest.fixture
def lower_portal_minimum(settings):
    """The portal's own minimum (15 by default) stepped aside, so the server's rule is what refuses."""
    policy = settings.CONFIG.password_policy.model_copy(update={"min_length": 8, "min_strength": 0})
    settings.CONFIG = settings.CONFIG.model_copy(update={"password_policy": policy})


def test_the_alternate_email_is_read_from_othermailbox(active_directory, samba_dc):
    person = samba_dc.add_person()
    assert active_directory.lookup(person.user_id).alternate_email == f"{person.sam}@home.example"


def test_it_finds_people_by_samaccountname_too(active_directory, samba_dc):
    person = samba_dc.add_person()
    assert active_directory.authenticate(person.sam, person.password).user_id == person.user_id
    assert active_directory.lookup(person.sam.upper()).user_id == person.user_id


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


def test_a_reset_is_held_to_the_pso_and_must_change_writes_pwdlastset_0(active_directory, samba_dc):
    person = samba_dc.add_person()
    with pytest.raises(PasswordRejected) as refused:
        active_directory.reset_password(person.user_id, "Too short!")
    assert refused.value.reasons == ["The directory requires at least 15 characters."]
    active_directory.reset_password(person.user_id, NEWER, must_change=True)
    assert samba_dc.entry(person.dn, "pwdLastSet")["pwdLastSet"] == [b"0"]


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


def test_a_disabled_account_is_not_unlocked(active_directory, samba_dc):
    person = samba_dc.add_person(disabled=True)
    with pytest.raises(AccountDisabled):
        active_directory.unlock(person.user_id)


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


def test_search_finds_people_by_samaccountname_and_never_computers(active_directory, samba_dc):
    name = f"Kiosk{unique_name()}"
    samba_dc.add_computer(name)  # matches the search on displayName and sAMAccountName, but is no person
    person = samba_dc.add_person(name=f"{name} Desk")
    assert [user.user_id for user in active_directory.search(name).people] == [person.user_id]
    assert [user.user_id for user in active_directory.search(person.sam.upper()).people] == [person.user_id]


def test_groups_that_memberof_names_exist_wherever_they_are_in_the_domain(use_directory, samba_dc, ca, db):
    directory = use_directory(**ad_settings(samba_dc, ca, base_dn=f"OU=Students,{samba_dc.base}"))
    staff = samba_dc.add_person(ou="Staff", domain="district.example")
    assert directory.missing_groups(["Staff", "Students", "Domain Admins", "Nobody's group"]) == ["Nobody's group"]
    assert directory.search(staff.user_id).people == ()  # people outside base_dn are not searched


def test_a_password_expires_by_the_pso_or_the_domains_max_age_from_pwdlastset(active_directory, samba_dc):
    student = samba_dc.add_person()  # the Students PSO: msDS-MaximumPasswordAge of 360 days
    last_set = active_directory.lookup(student.user_id).password_last_set
    assert last_set is not None
    assert active_directory.password_expires(active_directory.lookup(student.user_id)) == last_set + timedelta(days=360)
    staff = samba_dc.add_person(ou="Staff", domain="district.example", password="Lucky rivers drift at noon!")
    domain_max_age = -int(samba_dc.entry(samba_dc.base, "maxPwdAge")["maxPwdAge"][0]) // 10_000_000
    assert domain_max_age == 42 * 86400  # Samba's default domain policy
    staff_user = active_directory.lookup(staff.user_id)
    assert active_directory.password_expires(staff_user) == staff_user.password_last_set + timedelta(days=42)
    # "Password never expires" on the account (userAccountControl 0x10000): no expiry, whatever the policy.
    conn = samba_dc.admin()
    try:
        conn.modify_s(staff.dn, [(ldap.MOD_REPLACE, "userAccountControl", [b"66048"])])
    finally:
        conn.unbind_s()
    assert active_directory.password_expires(active_directory.lookup(staff.user_id)) is None
