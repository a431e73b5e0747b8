"""How the back-ends read what servers answer, for answers the test servers do not give: Windows
AD's wordless 0000052D, escaping corner cases, time formats. No server needed."""

from datetime import UTC, datetime
from types import SimpleNamespace

import ldap
import pytest

from sspr.config.schema import Config
from sspr.directory.base import AccountDisabled, AccountLocked, BadCredentials, PasswordMustChange
from sspr.directory.ldap.ad import BIND_REFUSALS, ActiveDirectory, filetime, interval_seconds, quoted
from sspr.directory.ldap.entries import DirectoryRules, Entry, filter_with, generalized_time, plausible_user_id
from sspr.directory.ldap.openldap import OpenLdapDirectory

WINDOWS_0000052D = ("0000052D: AtrErr: DSID-03191083, #1:\n\t0: 0000052D: DSID-03191083, problem 1005 "
                    "(CONSTRAINT_ATT_TYPE), data 0, Att 9005a (unicodePwd)\n")


class Rules(ActiveDirectory):
    def rules_for(self, entry):
        return DirectoryRules(min_length=14, history=24, complexity=True, min_age_seconds=86400)


def refusal(info):
    return ldap.INVALID_CREDENTIALS({"desc": "Invalid credentials", "info": info})


@pytest.mark.parametrize("code, kind", [("52e", BadCredentials), ("775", AccountLocked), ("533", AccountDisabled),
                                        ("773", PasswordMustChange), ("532", PasswordMustChange),
                                        ("701", AccountDisabled)])
def test_ad_bind_sub_codes_become_typed_errors(code, kind):
    info = f"80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data {code}, v4563"
    assert isinstance(ActiveDirectory(Config()).bind_refusal(refusal(info), [], Entry("CN=x", {}), None), kind)
    assert BIND_REFUSALS[code] is kind


def test_an_unknown_sub_code_is_bad_credentials():
    assert isinstance(ActiveDirectory(Config()).bind_refusal(refusal("data 999"), [], Entry("CN=x", {}), None),
                      BadCredentials)


def test_windows_policy_refusal_without_words_lists_the_rules_that_apply():
    directory = Rules(Config())
    reasons = directory.policy_reasons(WINDOWS_0000052D, Entry("CN=x", {}))
    assert reasons == [
        "The directory refused this password.",
        "It must be at least 14 characters long.",
        "It must not be one of your last 24 passwords.",
        "The directory requires characters from three of these groups: capital letters, small letters, numbers "
        "and symbols, and no part of your name or user ID.",
        "A password can be changed only once in 24 hours.",
    ]


@pytest.mark.parametrize("info, reason", [
    ("0000052D: Constraint violation - check_password_restrictions: the password does not meet the complexity "
     "criteria!", "capital letters"),
    ("0000052D: Constraint violation - check_password_restrictions: password is too young to change!",
     "changed too recently"),
    ("0000052D: Constraint violation - check_password_restrictions: the password was already used (in history)!",
     "used this password before"),
])
def test_samba_policy_refusals_are_put_in_plain_words(info, reason):
    [said] = Rules(Config()).policy_reasons(info, Entry("CN=x", {}))
    assert reason in said


def test_filter_values_are_escaped_per_rfc_4515():
    assert filter_with("(uid={user})", user="*)(uid=*") == "(uid=\\2a\\29\\28uid=\\2a)"
    assert filter_with("(uid={user})", user="a\\00\x00") == "(uid=a\\5c00\\00)"
    assert filter_with("(member={dn})", dn="cn=a\\,b (x),dc=y") == "(member=cn=a\\5c,b \\28x\\29,dc=y)"


def test_people_are_found_by_what_they_type_or_by_the_user_id_the_portal_keeps():
    config = Config.model_validate({"directory": {"backend": "ldap", "user_filter": "mail={user}"}})
    assert OpenLdapDirectory(config).user_query("*)(uid=*") == (
        "(|(mail=\\2a\\29\\28uid=\\2a)(&(mail=*)(uid=\\2a\\29\\28uid=\\2a)))")


@pytest.mark.parametrize("user_id, plausible", [("ana@district.example", True), ("", False), ("   ", False),
                                                ("a\nb", False), ("a" * 257, False), ("José", True)])
def test_only_plausible_user_ids_are_looked_up(user_id, plausible):
    assert plausible_user_id(user_id) is plausible


def test_times_are_read_in_both_formats():
    assert generalized_time("20261127092412Z") == datetime(2026, 11, 27, 9, 24, 12, tzinfo=UTC)
    assert generalized_time("20261127092412.123456Z") == datetime(2026, 11, 27, 9, 24, 12, tzinfo=UTC)
    assert filetime(134402451597868880).year == 2026
    assert filetime(0) is None and filetime(0x7FFFFFFFFFFFFFFF) is None
    assert interval_seconds(-864000000000) == 86400 and interval_seconds(-0x7FFFFFFFFFFFFFFF) == 0


def test_unicodepwd_is_quoted_utf16():
    assert quoted("Pässword") == '"Pässword"'.encode("utf-16-le")


def test_attributes_are_read_whatever_case_the_server_uses():
    entry = Entry("uid=a", {"DisplayName": [b"Ana"], "memberOf": [b"cn=Staff,dc=x"]})
    assert entry.first("displayname") == "Ana" and entry.all("MEMBEROF") == ["cn=Staff,dc=x"]
    assert entry.first("") == "" and entry.integer("missing") is None


def test_the_embedded_default_config_is_untouched():
    directory = Config().directory
    assert directory.backend == "embedded" and directory.uris == [] and directory.timeout == 5.0
    assert SimpleNamespace(**directory.attributes.model_dump()).groups == "memberOf"
