"""The directory contract: the same behaviours against the embedded directory, OpenLDAP (slapd)
and Active Directory (Samba AD DC). `backend` is each of the three in turn; `server` each of the
two on a real server, for what only they do (their own password policy, TLS, failover and
`sspr check`). What one back-end alone does is in test_openldap.py and test_samba_ad.py.

A new back-end is added to the `backend` fixture (conftest.py, backends.py) and must pass all of
this unchanged."""

import pytest

from sspr.config.schema import PolicyOverride
from sspr.directory.base import (
    AccountDisabled,
    AccountLocked,
    BadCredentials,
    DirectoryUnavailable,
    PasswordMustChange,
    PasswordRejected,
    SearchResult,
    UnknownUser,
)
from sspr.directory.ldap import backend as ldap_backend
from sspr.directory.ldap import connection

from .flows import HOSTILE_USER_IDS, NEW, NEWER, WRONG_SIGNIN, change, sign_in, sspr_check
from .servers import free_port, unique_name

TRY_LATER = "We cannot check passwords right now. Please try again in a few minutes."
WRONG = "Not the password at all!"
# Typed into a search, each must match only itself: as filter syntax, the first ones would list
# everyone, "Star*Sims" would find Starla Sims, and "\\44ana" (\44 is D) would find Dana.
HOSTILE_SEARCHES = ["*", "**", "*)(uid=*", "*)(|(mail=*", "a)(objectClass=*", "(", ")", "\\", "\\2a", "\\44ana",
                    "\x00", "Dana\x00", "*Okafor", "Dana*", "Dana(DX", "Dana (DJ", "Star*Sims"]


def own_department() -> str:
    """A department no other test's people are in: the servers keep everyone a session makes,
    so each search looks among its own test's people."""
    return f"Search {unique_name()}"


def user_ids(result: SearchResult) -> list[str]:
    return [user.user_id for user in result.people]


# --- all three back-ends -------------------------------------------------------------------------


def test_it_signs_in_through_the_portal_and_reads_the_profile(client, backend):
    person = backend.add_person(name="Chris Smith")
    response = sign_in(client, person)
    assert response.status_code == 302 and response["Location"] == "/account/"
    assert "Chris Smith" in client.get("/account/").content.decode()
    user = backend.directory.lookup(person.user_id.upper())
    assert (user.user_id, user.display_name, user.email, user.mobile, user.department, user.groups) == (
        person.user_id, "Chris Smith", person.user_id, "+15550200", "Lincoln High School", ("Students",))
    assert user.enabled and not user.locked and not user.must_change_password and user.password_last_set


def test_an_unknown_user_and_a_wrong_password_get_the_same_answer(client, backend):
    person = backend.add_person()
    for user_id, password in [(person.user_id, WRONG), ("nobody@student.district.example", person.password)]:
        with pytest.raises(BadCredentials):
            backend.directory.authenticate(user_id, password)
        response = client.post("/signin/", {"user_id": user_id, "password": password})
        assert response.status_code == 400 and WRONG_SIGNIN in response.content.decode()
    with pytest.raises(UnknownUser):
        backend.directory.lookup("nobody@student.district.example")


def test_an_empty_password_is_refused_rather_than_bound_anonymously(backend):
    person = backend.add_person()
    with pytest.raises(BadCredentials):
        backend.directory.authenticate(person.user_id, "")
    with pytest.raises(BadCredentials):
        backend.directory.change_password(person.user_id, "", NEW)


def test_it_changes_the_own_password_through_the_portal(client, backend):
    person = backend.add_person()
    sign_in(client, person)
    response = change(client, person)
    assert response.status_code == 302 and response["Location"] == "/account/"
    assert backend.directory.authenticate(person.user_id, NEW).user_id == person.user_id
    with pytest.raises(BadCredentials):
        backend.directory.authenticate(person.user_id, person.password)


def test_a_wrong_old_password_is_named_and_changes_nothing(client, backend):
    person = backend.add_person()
    with pytest.raises(BadCredentials):
        backend.directory.change_password(person.user_id, WRONG, NEW)
    sign_in(client, person)
    response = change(client, person, old="Not my password at all!")
    assert response.status_code == 400 and "Your old password is incorrect." in response.content.decode()
    assert backend.directory.authenticate(person.user_id, person.password)


def test_a_recently_used_password_is_refused_in_plain_words(client, backend):
    person = backend.add_person()
    backend.directory.change_password(person.user_id, person.password, NEW)
    sign_in(client, person, NEW)
    response = change(client, person, old=NEW, new=person.password)
    assert response.status_code == 400 and backend.history_reason in response.content.decode()
    assert backend.directory.authenticate(person.user_id, NEW)


def test_a_reset_sets_the_password_and_can_require_a_change(client, backend):
    person = backend.add_person()
    backend.directory.reset_password(person.user_id, NEW)
    assert backend.directory.authenticate(person.user_id, NEW)
    with pytest.raises(BadCredentials):
        backend.directory.authenticate(person.user_id, person.password)

    backend.directory.reset_password(person.user_id, NEWER, must_change=True)
    with pytest.raises(PasswordMustChange) as must_change:
        backend.directory.authenticate(person.user_id, NEWER)
    assert must_change.value.user.user_id == person.user_id
    assert backend.directory.lookup(person.user_id).must_change_password
    response = sign_in(client, person, NEWER)
    assert response.status_code == 302 and response["Location"] == "/account/password/"
    with pytest.raises(UnknownUser):
        backend.directory.reset_password("nobody@student.district.example", NEW)


def test_a_must_change_person_signs_in_and_changes_the_password(client, backend):
    person = backend.add_person(must_change=True)
    with pytest.raises(PasswordMustChange):
        backend.directory.authenticate(person.user_id, person.password)
    with pytest.raises(BadCredentials):
        backend.directory.change_password(person.user_id, WRONG, NEW)
    response = sign_in(client, person)
    assert response.status_code == 302 and response["Location"] == "/account/password/"
    response = change(client, person)
    assert response.status_code == 302 and response["Location"] == "/account/"
    assert not backend.directory.authenticate(person.user_id, NEW).must_change_password


def test_it_unlocks_an_account_after_a_real_lockout(client, backend):
    person = backend.add_person()
    for _ in range(5):  # every back-end's lockout threshold in the tests
        assert sign_in(client, person, WRONG).status_code == 400
    response = sign_in(client, person)  # the right password, and still refused
    assert response.status_code == 400 and WRONG_SIGNIN in response.content.decode()
    with pytest.raises(AccountLocked):
        backend.directory.authenticate(person.user_id, person.password)
    assert backend.directory.lookup(person.user_id).locked
    backend.directory.unlock(person.user_id)
    assert not backend.directory.lookup(person.user_id).locked
    assert sign_in(client, person).status_code == 302
    backend.directory.unlock(person.user_id)  # unlocking an unlocked account is no error
    with pytest.raises(UnknownUser):
        backend.directory.unlock("nobody@student.district.example")


def test_a_reset_also_ends_a_lockout(backend):
    person = backend.add_person()
    for _ in range(5):
        with pytest.raises(BadCredentials):
            backend.directory.authenticate(person.user_id, WRONG)
    backend.directory.reset_password(person.user_id, NEW)
    assert backend.directory.authenticate(person.user_id, NEW)


def test_a_disabled_account_is_refused(client, backend):
    person = backend.add_person(disabled=True)
    with pytest.raises(AccountDisabled):
        backend.directory.authenticate(person.user_id, person.password)
    response = sign_in(client, person)
    assert response.status_code == 400 and WRONG_SIGNIN in response.content.decode()
    assert not backend.directory.lookup(person.user_id).enabled


def test_groups_from_the_directory_choose_the_portals_policy(client, backend, settings):
    policy = settings.CONFIG.password_policy.model_copy(update={"groups": {"Staff": PolicyOverride(min_length=24)}})
    settings.CONFIG = settings.CONFIG.model_copy(update={"password_policy": policy})
    staff, student = backend.add_person(group="Staff", domain="district.example"), backend.add_person()
    assert backend.directory.lookup(staff.user_id).groups == ("Staff",)
    sign_in(client, staff)
    assert "At least 24 characters" in client.get("/account/password/").content.decode()
    client.post("/signout/")
    sign_in(client, student)
    assert "At least 15 characters" in client.get("/account/password/").content.decode()


@pytest.mark.parametrize("user_id", HOSTILE_USER_IDS)
def test_hostile_user_ids_find_nobody(client, backend, user_id):
    person = backend.add_person()
    with pytest.raises(UnknownUser):
        backend.directory.lookup(user_id)
    with pytest.raises(BadCredentials):
        backend.directory.authenticate(user_id, person.password)
    with pytest.raises(UnknownUser):
        backend.directory.reset_password(user_id, NEW)
    with pytest.raises(UnknownUser):
        backend.directory.unlock(user_id)
    response = client.post("/signin/", {"user_id": user_id + "@district.example", "password": person.password})
    assert response.status_code == 400
    assert backend.directory.authenticate(person.user_id, person.password)  # nothing was locked or changed


def test_a_server_stopping_mid_flow_says_try_again_later_and_loses_nothing(client, backend):
    person = backend.add_person()
    sign_in(client, person)
    assert client.get("/account/password/").status_code == 200
    backend.stop()
    try:
        with pytest.raises(DirectoryUnavailable):
            backend.directory.authenticate(person.user_id, person.password)
        with pytest.raises(DirectoryUnavailable):
            backend.directory.lookup(person.user_id)
        with pytest.raises(DirectoryUnavailable):
            backend.directory.change_password(person.user_id, person.password, NEW)
        with pytest.raises(DirectoryUnavailable):
            backend.directory.search("Chris")
        with pytest.raises(DirectoryUnavailable):
            backend.directory.missing_groups(["Students"])
        response = change(client, person)
        assert response.status_code == 503 and "try again" in response.content.decode().lower()
        response = sign_in(client.__class__(), person)
        assert response.status_code == 503 and TRY_LATER in response.content.decode()
    finally:
        backend.start()
    # The same session resumes where it stopped; the password was never half-changed.
    assert backend.directory.authenticate(person.user_id, person.password)
    assert change(client, person).status_code == 302
    assert backend.directory.authenticate(person.user_id, NEW)


# --- searching people, and which groups exist (all three back-ends) ------------------------------


def test_search_finds_people_by_the_start_of_their_user_id_name_or_email(backend):
    department = own_department()
    email = f"wv.{unique_name()}@mail.example"
    wilhelmina = backend.add_person(name="Wilhelmina Vasquez", department=department, email=email)
    chris = backend.add_person(name="Chris Smith", department=department)
    search = backend.directory.search
    for text in [wilhelmina.user_id[:-3].upper(), wilhelmina.user_id, "wilh", "WILHELMINA", "vasq", "Vasquez",
                 "wilhelmina v", "Wilhelmina Vasquez", email.split("@")[0].upper(), f"  {email}  "]:
        assert user_ids(search(text, department=department)) == [wilhelmina.user_id], text
    for text in ["chris", "SMI", "Chris S", chris.user_id.upper()]:
        assert user_ids(search(text, department=department)) == [chris.user_id], text
    assert user_ids(search(wilhelmina.user_id)) == [wilhelmina.user_id]  # in any department
    for text in ["ilhelmina", "asquez", "Wilhelmina Vasquezz", "Vasquez Wilhelmina", "mail.example"]:
        assert search(text, department=department) == SearchResult(), text


def test_search_folds_the_case_of_letters_beyond_ascii(backend):
    department = own_department()
    alvaro = backend.add_person(name="Álvaro Núñez", department=department)
    for text in ["álvaro", "ÁLV", "núñ", "NÚÑEZ", "Álvaro n", "ÁLVARO NÚÑEZ"]:
        assert user_ids(backend.directory.search(text, department=department)) == [alvaro.user_id], text


def test_search_keeps_to_one_department_when_asked(backend):
    north, south = own_department(), own_department()
    in_north = backend.add_person(name="Morgan Reyes", department=north)
    in_south = backend.add_person(name="Morgan Reyes", department=south)
    search = backend.directory.search
    assert user_ids(search("morgan", department=north)) == [in_north.user_id]
    assert user_ids(search("REYES", department=f" {south.upper()} ")) == [in_south.user_id]
    assert search("morgan", department=north[:-1]) == SearchResult()  # the department is equal, not a prefix
    assert search("morgan", department="*") == SearchResult()
    everywhere = user_ids(search("morgan reyes", limit=100))
    assert in_north.user_id in everywhere and in_south.user_id in everywhere
    assert [user.department for user in search("morgan", department=north).people] == [north]


def test_search_pages_in_user_id_order(backend):
    department = own_department()
    # Made in the reverse of their order: pages cut from the order a server keeps entries in would show it.
    made = [backend.add_person(name="Pat Lee", department=department, tag=tag) for tag in "edcba"]
    everyone = sorted(person.user_id for person in made)
    search = backend.directory.search
    first, second, last = (search("pat", department=department, offset=offset, limit=2) for offset in (0, 2, 4))
    assert (user_ids(first), first.more) == (everyone[:2], True)
    assert (user_ids(second), second.more) == (everyone[2:4], True)
    assert (user_ids(last), last.more) == (everyone[4:], False)
    assert search("pat", department=department, offset=0, limit=2) == first  # the same page again
    assert search("pat", department=department, offset=5, limit=2) == SearchResult()
    whole = search("Pat Lee", department=department, limit=5)
    assert (user_ids(whole), whole.more) == (everyone, False)
    assert user_ids(search("pat", department=department, offset=1, limit=3)) == everyone[1:4]


@pytest.mark.parametrize("text", ["", "   ", "\t\n "])
def test_a_search_with_no_text_finds_nobody(backend, text):
    backend.add_person()
    assert backend.directory.search(text) == SearchResult()
    assert backend.directory.search(text, department="Lincoln High School", limit=100) == SearchResult()


def test_search_text_is_matched_literally(backend):
    department = own_department()
    dana = backend.add_person(name="Dana(DJ) Okafor", department=department)
    star = backend.add_person(name="Star*Struck Jones", department=department)
    starla = backend.add_person(name="Starla Sims", department=department)
    search = backend.directory.search
    for text in HOSTILE_SEARCHES:
        assert search(text) == SearchResult(), text
        assert search(text, department=department) == SearchResult(), text
    assert user_ids(search("dana(dj", department=department)) == [dana.user_id]
    assert user_ids(search("Dana(DJ) Okafor", department=department)) == [dana.user_id]
    assert user_ids(search("star*s", department=department)) == [star.user_id]
    assert sorted(user_ids(search("star", department=department))) == sorted([star.user_id, starla.user_id])
    assert search("Dana", department="*") == SearchResult()
    assert search("Dana", department=f"{department})(cn=*") == SearchResult()


def test_search_finds_disabled_locked_and_must_change_people_as_lookup_reads_them(backend):
    department = own_department()
    disabled = backend.add_person(name="Robin Hale", department=department, disabled=True)
    locked = backend.add_person(name="Robin Hale", department=department)
    must_change = backend.add_person(name="Robin Hale", department=department, must_change=True)
    for _ in range(5):
        with pytest.raises(BadCredentials):
            backend.directory.authenticate(locked.user_id, WRONG)
    found = backend.directory.search("robin hale", department=department)
    assert user_ids(found) == sorted([disabled.user_id, locked.user_id, must_change.user_id]) and not found.more
    assert found.people == tuple(backend.directory.lookup(user.user_id) for user in found.people)
    state = {user.user_id: (user.enabled, user.locked, user.must_change_password) for user in found.people}
    assert state == {disabled.user_id: (False, False, False), locked.user_id: (True, True, False),
                     must_change.user_id: (True, False, True)}
    for user in found.people:
        assert (user.display_name, user.groups, user.department, user.email, user.mobile) == (
            "Robin Hale", ("Students",), department, user.user_id, "+15550200")


def test_missing_groups_names_the_groups_that_do_not_exist(backend):
    backend.add_person(group="Students")
    backend.add_person(group="Staff", domain="district.example")
    missing = backend.directory.missing_groups
    assert missing(["Staff", "Students"]) == []
    # Names compare exactly, as the portal compares a person's groups: "students" is not "Students".
    assert missing(["Staff", "Nobody's group", "Students", "students", "Staf", "*", "", "Staff"]) == [
        "Nobody's group", "students", "Staf", "*", ""]
    assert missing([]) == []


# --- the two back-ends on real servers -----------------------------------------------------------


def test_a_search_the_server_cuts_short_still_answers(server, monkeypatch):
    department = own_department()
    made = {server.add_person(name="Kim Tran", department=department, tag=tag).user_id for tag in "abcdef"}
    monkeypatch.setattr(ldap_backend, "SEARCH_SCAN", 4)  # the server stops after 4 (sizeLimitExceeded)
    found = server.directory.search("kim", department=department, limit=2)
    assert len(found.people) == 2 and found.more and set(user_ids(found)) <= made
    assert user_ids(found) == sorted(user_ids(found))


def test_the_servers_own_policy_refuses_in_plain_words(server):
    person = server.add_person()
    assert server.directory.min_password_length(person.user_id) == server.student_min_length
    with pytest.raises(PasswordRejected) as refused:
        server.directory.change_password(person.user_id, person.password, "Velvet moth")  # 11 characters
    assert refused.value.reasons == [server.too_short_reason]
    server.directory.change_password(person.user_id, person.password, NEW)
    with pytest.raises(PasswordRejected) as refused:
        server.directory.change_password(person.user_id, NEW, person.password)
    assert refused.value.reasons == ["You have used this password before. Choose one you have not used recently."]
    assert server.directory.authenticate(person.user_id, NEW)


def test_it_fails_over_to_the_second_server(client, server):
    closed = f"ldaps://127.0.0.1:{free_port()}"
    directory = server.use(uris=[closed, server.server.ldaps_uri])
    person = server.add_person()
    assert sign_in(client, person).status_code == 302
    assert directory.lookup(person.user_id).user_id == person.user_id
    assert directory.check() == []


def test_starttls_on_the_plain_port_works(server):
    directory = server.use(uris=[server.server.ldap_uri], start_tls=True)
    person = server.add_person()
    assert directory.authenticate(person.user_id, person.password).user_id == person.user_id
    assert directory.check() == []


def test_check_is_quiet_when_all_is_well(server):
    server.add_person()
    assert server.directory.check() == [] and server.directory.warnings() == []
    code, printed = sspr_check()
    assert code == 0 and "configuration and back-ends OK" in printed and "error:" not in printed


def test_check_names_a_wrong_service_password(client, server):
    directory = server.use(bind_password="not-the-password")
    [problem] = directory.check()
    assert problem.startswith(f"directory.bind_password: {server.server.ldaps_uri} refused the service account")
    code, printed = sspr_check()
    assert code == 1 and f"error: {problem}" in printed
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["problems"] == [problem]


def test_check_names_an_untrusted_certificate(server, untrusted_ca):
    directory = server.use(untrusted_ca)
    [problem] = directory.check()
    assert problem.startswith(f"directory.ca_file: {server.server.ldaps_uri}: the server's TLS certificate is not "
                              "trusted")
    with pytest.raises(DirectoryUnavailable):
        directory.lookup("anyone@district.example")


def test_check_names_an_untrusted_certificate_behind_starttls(server, untrusted_ca):
    [problem] = server.use(untrusted_ca, uris=[server.server.ldap_uri], start_tls=True).check()
    assert problem.startswith(f"directory.ca_file: {server.server.ldap_uri}: the server's TLS certificate is not "
                              "trusted")


def test_check_names_an_unreadable_base_dn(server):
    nowhere = f"ou=nowhere,{server.base_dn}"
    [problem] = server.use(base_dn=nowhere).check()
    assert problem.startswith(f"directory.base_dn: {nowhere!r} cannot be read")


def test_check_names_plain_ldap_without_starttls(server):
    uri = server.server.ldap_uri
    assert server.use(uris=[uri]).check() == [
        f"directory.uris: {uri} would send passwords unencrypted; use ldaps:// or set directory.start_tls = true"]


def test_check_names_servers_that_do_not_answer(server):
    closed = f"ldaps://127.0.0.1:{free_port()}"
    [problem] = server.use(uris=[closed]).check()
    assert problem.startswith(f"directory.uris: no server answered: {closed} (")


def test_without_python_ldap_check_says_how_to_install_it(server, monkeypatch):
    monkeypatch.setattr(connection, "ldap", None)
    directory = server.use()
    [problem] = directory.check()
    assert "pip install 'opensspr[ldap]'" in problem and "libldap2-dev libsasl2-dev" in problem
    with pytest.raises(DirectoryUnavailable):
        directory.lookup("anyone@district.example")
