"""What only the OpenLDAP back-end does, against a real slapd: TLS with a test CA, the ppolicy
overlay, and a service account that may reset and unlock people under ou=people and only read
ou=admins. What every back-end does is in test_contract.py."""

import time
from datetime import UTC, datetime, timedelta

import ldap
import pytest

from sspr.directory.base import (
    AccountDisabled,
    BadCredentials,
    DirectoryUnavailable,
    PasswordMustChange,
    PasswordRejected,
    UnknownUser,
)
from sspr.directory.ldap.settings import LdapAttributes

from .backends import openldap_settings
from .flows import HOSTILE_USER_IDS, NEW, NEWER, change, sign_in, sspr_check
from .servers import unique_name


def test_the_own_change_is_made_bound_as_the_person(openldap, slapd):
    person = slapd.add_person()
    openldap.change_password(person.user_id, person.password, NEW)
    # On the person's own connection, so the server's policy applied as to any own change.
    assert slapd.entry(person.dn, "modifiersName")["modifiersName"] == [person.dn.encode()]


def test_resets_are_made_by_the_service_account(openldap, slapd):
    person = slapd.add_person()
    openldap.reset_password(person.user_id, NEW)
    assert slapd.entry(person.dn, "modifiersName")["modifiersName"] == [slapd.service_dn.encode()]


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


def test_a_disabled_account_is_never_reset_or_unlocked(openldap, slapd):
    person = slapd.add_person(disabled=True)  # ppolicy's administrator lock
    with pytest.raises(AccountDisabled):
        openldap.unlock(person.user_id)
    with pytest.raises(AccountDisabled):
        openldap.reset_password(person.user_id, NEW)
    assert slapd.entry(person.dn, "pwdAccountLockedTime")["pwdAccountLockedTime"] == [b"000001010000Z"]


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


def test_connections_are_pooled_and_reused(openldap, slapd):
    person = slapd.add_person()
    openldap.authenticate(person.user_id, person.password)
    pools = openldap.connections
    service, user = pools.service_pool._idle[0], pools.user_pool._idle[0]
    for _ in range(20):
        openldap.authenticate(person.user_id, person.password)
    assert pools.service_pool._idle == [service] and pools.user_pool._idle == [user]


def test_check_names_missing_delegated_rights(use_directory, slapd, ca, db):
    slapd.add_person(ou="admins", group="Staff", domain="district.example")
    directory = use_directory(**openldap_settings(slapd, ca, base_dn=f"ou=admins,{slapd.suffix}"))
    problems = directory.check()
    assert [problem.split(" (")[0] for problem in problems] == [
        "directory.bind_dn: the service account may not reset passwords",
        "directory.bind_dn: the service account may not unlock accounts",
        "directory.bind_dn: the service account may not require a password change at next sign-in",
    ]


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


def test_search_and_groups_stay_under_base_dn(use_directory, slapd, ca, db):
    department = f"Search {unique_name()}"
    person = slapd.add_person(name="Quinn Avery", department=department)
    admin = slapd.add_person(ou="admins", group="Staff", domain="district.example", name="Quinn Avery",
                             department=department)
    everywhere = use_directory(**openldap_settings(slapd, ca))
    found = everywhere.search("quinn", department=department)
    assert [user.user_id for user in found.people] == sorted([person.user_id, admin.user_id])
    assert [user.user_id for user in everywhere.search(person.uid.upper()).people] == [person.user_id]  # by uid
    assert everywhere.missing_groups(["Students", "Staff"]) == []

    people_only = use_directory(**openldap_settings(slapd, ca, base_dn=f"ou=people,{slapd.suffix}"))
    assert [user.user_id for user in people_only.search("quinn", department=department).people] == [person.user_id]
    # Groups are searched under base_dn (group_filter): those in ou=groups are nobody's here, so they are missing.
    assert people_only.lookup(person.user_id).groups == ()
    assert people_only.missing_groups(["Students", "Staff"]) == ["Students", "Staff"]


def test_a_password_expires_by_the_ppolicy_max_age_from_pwdchangedtime(use_directory, slapd, ca, db):
    directory = use_directory(**openldap_settings(slapd, ca, ppolicy_default=slapd.default_policy))
    student = slapd.add_person(changed="20260301120000Z")
    # The default policy's pwdMaxAge is a year (31536000 s), counted from the server's pwdChangedTime.
    assert directory.password_expires(directory.lookup(student.user_id)) == (
        datetime(2026, 3, 1, 12, tzinfo=UTC) + timedelta(seconds=31_536_000))
    # The staff policy has no pwdMaxAge: their passwords never expire, so they get no reminders.
    staff = slapd.add_person(group="Staff", domain="district.example", staff_policy=True,
                             password="Lucky rivers drift at noon!")
    assert directory.password_expires(directory.lookup(staff.user_id)) is None


def test_without_the_default_policys_dn_an_expiry_is_not_guessed(openldap, slapd):
    # Two pwdPolicy entries under base_dn and no ppolicy_default: which applies is not known.
    student = slapd.add_person(changed="20260301120000Z")
    assert openldap.password_expires(openldap.lookup(student.user_id)) is None


def test_the_grade_comes_from_the_attribute_named_for_it(use_directory, slapd, ca, db):
    directory = use_directory(**openldap_settings(slapd, ca, attributes=LdapAttributes(
        groups="", department="departmentNumber", grade="employeeType")))
    student = slapd.add_person()
    conn = slapd.admin()
    try:
        conn.modify_s(student.dn, [(ldap.MOD_ADD, "employeeType", [b"9"])])
    finally:
        conn.unbind_s()
    assert directory.lookup(student.user_id).grade == "9"
    assert use_directory(**openldap_settings(slapd, ca)).lookup(student.user_id).grade == ""  # none named
