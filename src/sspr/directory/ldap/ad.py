"""Active Directory (Windows domain controllers, and Samba AD DC).

People change their own password bound as themselves, in one modify that deletes the old
unicodePwd value and adds the new one: AD treats that as a change, checks the old password and
applies the whole policy (length, complexity, history, minimum age). Resets replace unicodePwd
as the service account, which needs only the Reset Password right on the OUs it serves;
unlocking writes lockoutTime 0 and "must change at next sign-in" writes pwdLastSet 0.

AD explains itself in diagnostic text: bind refusals carry a sub-code ("data 52e"), password
refusals a Win32 code (00000056 wrong old password, 0000052D policy), with Samba adding the
reason in words. Fine-grained password policies (msDS-ResultantPSO) are read to tell people
the rules that apply to them.
"""

import logging
import re
import time
from datetime import UTC, datetime, timedelta

from sspr.config.schema import Config

from ..base import (
    AccountDisabled,
    AccountLocked,
    BadCredentials,
    DirectoryUnavailable,
    PasswordMustChange,
    PasswordRejected,
)
from . import messages
from .backend import LdapDirectory
from .connection import Link, ServiceAccountRefused, describe, diagnostic, ldap, unreachable_errors
from .entries import DirectoryRules, Entry

log = logging.getLogger("sspr.directory")

UF_ACCOUNTDISABLE = 0x2
UF_LOCKOUT = 0x10  # in msDS-User-Account-Control-Computed
UF_DONT_EXPIRE_PASSWD = 0x10000  # "Password never expires"
UF_PASSWORD_EXPIRED = 0x800000  # in msDS-User-Account-Control-Computed
DOMAIN_PASSWORD_COMPLEX = 0x1  # in the domain's pwdProperties
NEVER = 0x7FFFFFFFFFFFFFFF
FILETIME_EPOCH = datetime(1601, 1, 1, tzinfo=UTC)
PSO_SECONDS = 300

# The sub-code after "data" in a refused bind's diagnostic message.
BIND_REFUSALS = {
    "52e": BadCredentials,  # wrong password (or unknown user)
    "525": BadCredentials,  # no such user
    "530": AccountDisabled,  # not allowed to sign in at this time
    "531": AccountDisabled,  # not allowed to sign in from this computer
    "532": PasswordMustChange,  # password expired
    "533": AccountDisabled,  # disabled
    "701": AccountDisabled,  # account expired
    "773": PasswordMustChange,  # must change password (pwdLastSet 0)
    "775": AccountLocked,  # locked out
}
BIND_CODE = re.compile(r"\bdata ([0-9a-f]{3,8})\b", re.IGNORECASE)
ATTRIBUTE_WRITE_PROBES = [
    ("lockoutTime", "unlock accounts", 'the "Write lockoutTime" permission'),
    ("pwdLastSet", "require a password change at next sign-in", 'the "Write pwdLastSet" permission'),
]


def quoted(password: str) -> bytes:
    """unicodePwd's only accepted form: the password in double quotes, as UTF-16-LE."""
    return f'"{password}"'.encode("utf-16-le")


def filetime(value: int | None) -> datetime | None:
    if not value or value >= NEVER:
        return None
    return FILETIME_EPOCH + timedelta(microseconds=value // 10)


def interval_seconds(value: int | None) -> int | None:
    """AD stores durations as negative counts of 100 ns; "never" as the most negative."""
    if value is None:
        return None
    if value <= -NEVER:
        return 0
    return -value // 10_000_000


class ActiveDirectory(LdapDirectory):
    backend = "ad"
    default_user_filter = ("(&(objectCategory=person)(objectClass=user)"
                           "(|(sAMAccountName={user})(userPrincipalName={user})))")
    default_user_id_attribute = "userPrincipalName"
    state_attributes = ("sAMAccountName", "userAccountControl", "msDS-User-Account-Control-Computed", "pwdLastSet",
                        "lockoutTime")
    policy_attributes = ("msDS-ResultantPSO",)
    # What people call their user ID, and the parts of their name, matched by search().
    search_attributes = ("sAMAccountName", "givenName", "sn", "cn")
    group_classes = ("group",)

    def __init__(self, config: Config):
        super().__init__(config)
        self._pso_cache: dict[str, tuple[float, DirectoryRules]] = {}
        self._domain_dn: str | None = None

    def user_id_of(self, entry):
        # Accounts without a UPN exist (old or imported ones); they sign in with sAMAccountName.
        return entry.first(self.user_id_attribute) or entry.first("sAMAccountName")

    def user_id_attributes(self):
        return [self.user_id_attribute, "sAMAccountName"]

    # --- signing in and changing one's own password --------------------------------------------

    def bind_refusal(self, error, controls, entry, user) -> Exception:
        if not isinstance(error, ldap.INVALID_CREDENTIALS):
            return DirectoryUnavailable(describe(error))
        code = BIND_CODE.search(diagnostic(error))
        kind = BIND_REFUSALS.get(code[1].lower(), BadCredentials) if code else BadCredentials
        return PasswordMustChange(user) if kind is PasswordMustChange else kind()

    def change_own_password(self, link, entry, old_password, new_password) -> None:
        """One modify that deletes the old unicodePwd value and adds the new one. When the
        password must change (773) or has expired (532), AD lets the person bind for nothing and
        this goes on the service account's connection: it is still a change, not a reset, so AD
        checks the old password and the whole policy (history, length, age), and it needs only
        the Change Password right, which every account grants to Everyone."""
        change = [(ldap.MOD_DELETE, "unicodePwd", [quoted(old_password)]),
                  (ldap.MOD_ADD, "unicodePwd", [quoted(new_password)])]
        self.modify_password(link, entry, change, by_service=False)

    # --- the service account's operations ------------------------------------------------------

    def reset_password(self, user_id, new_password, *, must_change=False):
        def reset(link):
            entry = self.find(link, user_id, ["msDS-User-Account-Control-Computed", "msDS-ResultantPSO"])
            changes = [(ldap.MOD_REPLACE, "unicodePwd", [quoted(new_password)])]
            if must_change:
                changes.append((ldap.MOD_REPLACE, "pwdLastSet", [b"0"]))
            if (entry.integer("msDS-User-Account-Control-Computed") or 0) & UF_LOCKOUT:
                changes.append((ldap.MOD_REPLACE, "lockoutTime", [b"0"]))
            # One modify: the new password, its must-change mark and the unlock apply together or not at all.
            self.modify_password(link, entry, changes, by_service=True)

        self.connections.as_service(reset)

    def unlock(self, user_id):
        def unlock(link):
            entry = self.find(link, user_id, ["userAccountControl"])
            if (entry.integer("userAccountControl") or 0) & UF_ACCOUNTDISABLE:
                raise AccountDisabled()
            link.call("modify_ext_s", entry.dn, [(ldap.MOD_REPLACE, "lockoutTime", [b"0"])])

        self.connections.as_service(unlock)

    def modify_password(self, link: Link, entry: Entry, changes: list, *, by_service: bool) -> None:
        try:
            link.call("modify_ext_s", entry.dn, changes)
        except unreachable_errors():
            raise
        except ldap.LDAPError as exc:
            raise self.change_refusal(exc, entry, by_service=by_service) from exc

    def change_refusal(self, exc: Exception, entry: Entry, *, by_service: bool) -> Exception:
        info = diagnostic(exc)
        if info.startswith("00000056"):
            return BadCredentials()  # the old password given does not match
        if isinstance(exc, ldap.CONSTRAINT_VIOLATION):
            return PasswordRejected(self.policy_reasons(info, entry))
        if isinstance(exc, ldap.INSUFFICIENT_ACCESS):
            if by_service:
                return ServiceAccountRefused(f"service account may not reset the password of {entry.dn}: "
                                             f"{describe(exc)}")
            return PasswordRejected([messages.own_change_not_allowed()])
        return DirectoryUnavailable(describe(exc))

    def policy_reasons(self, info: str, entry: Entry) -> list[str]:
        """0000052D's reason: in words from Samba; Windows gives none, so the rules that apply are listed."""
        text = info.lower()
        if "too short" in text:
            found = re.search(r"(\d+) characters", info)
            return [messages.too_short(int(found[1]) if found else self.rules_for(entry).min_length)]
        if "too long" in text:
            return [messages.too_long()]
        if "history" in text:
            return [messages.used_before()]
        if "complexity" in text or "complex" in text:
            return [messages.not_complex_enough()]
        if "too young" in text or "minimum password age" in text:
            return [messages.changed_too_recently()]
        return [messages.refused(), *messages.rules_that_apply(self.rules_for(entry))]

    def never_expires(self, entry):
        return bool((entry.integer("userAccountControl") or 0) & UF_DONT_EXPIRE_PASSWD)

    def account_state(self, entry):
        flags = entry.integer("userAccountControl") or 0
        computed = entry.integer("msDS-User-Account-Control-Computed") or 0
        last_set = entry.integer("pwdLastSet")
        return {
            "enabled": not flags & UF_ACCOUNTDISABLE,
            "locked": bool(computed & UF_LOCKOUT),
            "must_change_password": last_set == 0 or bool(computed & UF_PASSWORD_EXPIRED),
            "password_last_set": filetime(last_set),
        }

    # --- rules: the fine-grained policy (PSO) that applies, else the domain's ------------------

    def read_rules(self, link: Link, entry: Entry) -> DirectoryRules:
        pso = entry.first("msDS-ResultantPSO")
        if not pso and not entry.has("msDS-ResultantPSO"):
            found = link.call("search_ext_s", entry.dn, ldap.SCOPE_BASE, "(objectClass=*)", ["msDS-ResultantPSO"])
            pso = Entry(*found[0]).first("msDS-ResultantPSO") if found else ""
        if pso:
            return self.pso_rules(link, pso)
        return self.domain_rules(link)

    def pso_rules(self, link: Link, pso: str) -> DirectoryRules:
        cached = self._pso_cache.get(pso)
        if cached and time.monotonic() - cached[0] < PSO_SECONDS:
            return cached[1]
        attributes = ["msDS-MinimumPasswordLength", "msDS-PasswordHistoryLength", "msDS-PasswordComplexityEnabled",
                      "msDS-MinimumPasswordAge", "msDS-MaximumPasswordAge", "msDS-LockoutThreshold"]
        try:
            found = link.call("search_ext_s", pso, ldap.SCOPE_BASE, "(objectClass=*)", attributes)
        except (ldap.NO_SUCH_OBJECT, ldap.INSUFFICIENT_ACCESS):
            found = []
        policy = Entry(*found[0]) if found else Entry(pso, {})
        if policy.integer("msDS-MinimumPasswordLength") is None:
            # By default only administrators may read password settings objects (docs/directories.md).
            log.warning("cannot read the password settings object %s; grant the service account read access", pso)
            rules = DirectoryRules()
        else:
            rules = DirectoryRules(
                min_length=policy.integer("msDS-MinimumPasswordLength"),
                history=policy.integer("msDS-PasswordHistoryLength"),
                complexity=policy.first("msDS-PasswordComplexityEnabled").upper() == "TRUE",
                min_age_seconds=interval_seconds(policy.integer("msDS-MinimumPasswordAge")),
                max_age_seconds=interval_seconds(policy.integer("msDS-MaximumPasswordAge")),
                lockout_threshold=policy.integer("msDS-LockoutThreshold"),
            )
        self._pso_cache[pso] = (time.monotonic(), rules)
        return rules

    def domain_rules(self, link: Link) -> DirectoryRules:
        if self._domain_dn is None:
            found = link.call("search_ext_s", "", ldap.SCOPE_BASE, "(objectClass=*)", ["defaultNamingContext"])
            self._domain_dn = Entry(*found[0]).first("defaultNamingContext") if found else ""
        if not self._domain_dn:
            return DirectoryRules()
        attributes = ["minPwdLength", "pwdHistoryLength", "pwdProperties", "minPwdAge", "maxPwdAge", "lockoutThreshold"]
        found = link.call("search_ext_s", self._domain_dn, ldap.SCOPE_BASE, "(objectClass=*)", attributes)
        domain = Entry(*found[0]) if found else Entry(self._domain_dn, {})
        return DirectoryRules(
            min_length=domain.integer("minPwdLength"),
            history=domain.integer("pwdHistoryLength"),
            complexity=bool((domain.integer("pwdProperties") or 0) & DOMAIN_PASSWORD_COMPLEX),
            min_age_seconds=interval_seconds(domain.integer("minPwdAge")),
            max_age_seconds=interval_seconds(domain.integer("maxPwdAge")),
            lockout_threshold=domain.integer("lockoutThreshold"),
        )

    # --- sspr check -------------------------------------------------------------------------

    def rights_problems(self, link, samples):
        """lockoutTime and pwdLastSet: AD lists the attributes the bound account may write in
        allowedAttributesEffective. Reset Password is a control access right that no attribute
        reports, so a unicodePwd replace with a lone NUL byte is sent: no password can be that
        value (it must be quoted UTF-16), so AD refuses it whatever happens, with
        insufficientAccessRights when the right is missing and unwillingToPerform otherwise."""
        writable = {}
        for sample in samples:
            found = link.call("search_ext_s", sample.dn, ldap.SCOPE_BASE, "(objectClass=*)",
                              ["allowedAttributesEffective"])
            allowed = {name.lower() for name in Entry(*found[0]).all("allowedAttributesEffective")} if found else set()
            writable[sample.dn] = allowed
        problems = []
        for attribute, action, right in ATTRIBUTE_WRITE_PROBES:
            if not any(attribute.lower() in allowed for allowed in writable.values()):
                problems.append(f"directory.bind_dn: the service account may not {action} (it lacks {right} on "
                                f"{samples[0].dn!r}, for example); delegate it on the OUs the portal serves")
        target = next((dn for dn, allowed in writable.items() if "lockouttime" in allowed), samples[0].dn)
        try:
            link.call("modify_ext_s", target, [(ldap.MOD_REPLACE, "unicodePwd", [b"\x00"])])
        except ldap.INSUFFICIENT_ACCESS:
            problems.append(f"directory.bind_dn: the service account may not reset passwords (it lacks the "
                            f'"Reset Password" right on {target!r}, for example); delegate it on the OUs the '
                            "portal serves")
        except ldap.LDAPError:
            pass  # refused for the value itself: the right is there
        else:
            log.error("AD accepted an impossible unicodePwd value on %s during the rights check", target)
        return problems

