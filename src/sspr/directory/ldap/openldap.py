"""OpenLDAP, and other RFC-compliant LDAP servers, with the password policy (ppolicy) overlay.

People change their own password with the Password Modify extended operation (RFC 3062) on a
connection bound as themselves, so the server's policy (length, quality, history, minimum age,
lockout) applies exactly as it would anywhere else. Resets, unlocks and must-change marks are
made by the service account: Password Modify without the old password, deleting
pwdAccountLockedTime, and setting or removing pwdReset. The server's answers arrive as ppolicy
response controls and become the typed errors of sspr.directory.base.
"""

import contextlib

from ..base import (
    AccountDisabled,
    AccountLocked,
    BadCredentials,
    DirectoryUnavailable,
    DirectoryUser,
    PasswordMustChange,
    PasswordRejected,
)
from . import messages
from .backend import LdapDirectory
from .connection import Link, ServiceAccountRefused, describe, diagnostic, ldap, response_controls, unreachable_errors
from .entries import DirectoryRules, Entry, generalized_time

if ldap is not None:
    from ldap.controls.ppolicy import PasswordPolicyControl

# ppolicy's permanent lock, set by an administrator: the account is disabled, not locked out.
ADMIN_LOCK = "000001010000Z"

# The ppolicy response control's error codes (draft-behera-ldap-password-policy, section 6.2).
EXPIRED, LOCKED, CHANGE_AFTER_RESET, MOD_NOT_ALLOWED, MUST_SUPPLY_OLD = 0, 1, 2, 3, 4
INSUFFICIENT_QUALITY, TOO_SHORT, TOO_YOUNG, IN_HISTORY = 5, 6, 7, 8

POLICY_ATTRIBUTES = ["pwdMinLength", "pwdInHistory", "pwdMinAge", "pwdMaxAge", "pwdLockout", "pwdMaxFailure"]


def ppolicy_error(controls) -> int | None:
    for control in controls or ():
        if control.controlType == PasswordPolicyControl.controlType:
            return control.error
    return None


def history_reason(info: str) -> str:
    if "existing value" in info:  # slapd's wording when the new password is the current one
        return messages.same_as_current()
    return messages.used_before()


class OpenLdapDirectory(LdapDirectory):
    backend = "ldap"
    default_user_filter = "(&(objectClass=inetOrgPerson)(uid={user}))"
    default_user_id_attribute = "uid"
    state_attributes = ("pwdAccountLockedTime", "pwdReset", "pwdChangedTime", "pwdPolicySubentry")
    policy_attributes = ("pwdPolicySubentry",)
    # uid besides the user ID attribute (which may be mail), and the parts of the name: search().
    search_attributes = ("uid", "givenName", "sn", "cn")

    # --- signing in and changing one's own password --------------------------------------------

    def bind_controls(self) -> list:
        return [PasswordPolicyControl()]

    def bind_refusal(self, error, controls, entry, user) -> Exception:
        if isinstance(error, ldap.INVALID_CREDENTIALS):
            state = ppolicy_error(controls)
            if state == EXPIRED:  # slapd says so only when the password was right
                return PasswordMustChange(user)
            if state == LOCKED:
                return AccountDisabled() if entry.first("pwdAccountLockedTime") == ADMIN_LOCK else AccountLocked()
            return BadCredentials()
        if isinstance(error, ldap.UNWILLING_TO_PERFORM):
            return BadCredentials()
        return DirectoryUnavailable(describe(error))

    def signed_in(self, user: DirectoryUser, controls: list) -> DirectoryUser:
        # pwdReset: slapd allows only a password change when the policy has pwdMustChange; the
        # portal honours the mark either way, so a reset "must change" always means it.
        if ppolicy_error(controls) == CHANGE_AFTER_RESET or user.must_change_password:
            raise PasswordMustChange(user)
        return user

    def change_own_password(self, link, entry, old_password, new_password) -> None:
        """Password Modify with the old password. After a reset with must-change the person's
        own bind may do exactly this. An expired password (pwdMaxAge, no grace sign-ins left)
        lets them do nothing, so it goes on the service account's connection: slapd checks the
        old password again, and the policy's quality and history rules apply all the same."""
        self.password_modify(link, entry, old_password, new_password)

    # --- the service account's operations ------------------------------------------------------

    def reset_password(self, user_id, new_password, *, must_change=False):
        def reset(link):
            entry = self.find(link, user_id, ["pwdAccountLockedTime", "pwdReset", "pwdPolicySubentry"])
            lock = entry.first("pwdAccountLockedTime")
            if lock == ADMIN_LOCK:
                raise AccountDisabled()  # slapd lifts every lock, an administrator's too, with a new password
            # Password Modify, not a modify of userPassword: the server hashes the password
            # whatever its configuration (a plain modify is stored as sent without ppolicy_hash_cleartext).
            self.password_modify(link, entry, None, new_password)
            if must_change:
                link.call("modify_ext_s", entry.dn, [(ldap.MOD_REPLACE, "pwdReset", [b"TRUE"])])
            elif entry.first("pwdReset"):  # marked before, and this reset was asked not to be
                self.delete_attribute(link, entry.dn, "pwdReset")
            if lock:  # slapd's ppolicy clears it already; other servers may not
                self.delete_attribute(link, entry.dn, "pwdAccountLockedTime")

        self.connections.as_service(reset)

    def unlock(self, user_id):
        def unlock(link):
            entry = self.find(link, user_id, ["pwdAccountLockedTime"])
            if entry.first("pwdAccountLockedTime") == ADMIN_LOCK:
                raise AccountDisabled()  # removing an administrator's lock would enable the account
            # Deleting pwdAccountLockedTime also clears pwdFailureTime (the failure count).
            self.delete_attribute(link, entry.dn, "pwdAccountLockedTime")

        self.connections.as_service(unlock)

    @staticmethod
    def delete_attribute(link: Link, dn: str, attribute: str) -> None:
        with contextlib.suppress(ldap.NO_SUCH_ATTRIBUTE):  # already gone: the same result
            link.call("modify_ext_s", dn, [(ldap.MOD_DELETE, attribute, None)])

    def password_modify(self, link: Link, entry: Entry, old_password: str | None, new_password: str) -> None:
        """RFC 3062 Password Modify on link, with the server's refusal as a typed error."""
        try:
            link.call("passwd_s", entry.dn, old_password, new_password, serverctrls=[PasswordPolicyControl()])
        except unreachable_errors():
            raise
        except ldap.LDAPError as exc:
            raise self.change_refusal(exc, entry, by_service=old_password is None) from exc

    def change_refusal(self, exc: Exception, entry: Entry, *, by_service: bool) -> Exception:
        state, info = ppolicy_error(response_controls(exc)), diagnostic(exc)
        if state == TOO_SHORT:
            return PasswordRejected([messages.too_short(self.rules_for(entry).min_length)])
        if state == IN_HISTORY:
            return PasswordRejected([history_reason(info)])
        if state == TOO_YOUNG:
            return PasswordRejected([messages.changed_too_recently()])
        if state == INSUFFICIENT_QUALITY:
            return PasswordRejected([messages.too_easy_to_guess()])
        if state == LOCKED:
            return AccountLocked()
        if state == MOD_NOT_ALLOWED or (isinstance(exc, ldap.INSUFFICIENT_ACCESS) and not by_service):
            return PasswordRejected([messages.own_change_not_allowed()])
        if isinstance(exc, ldap.INSUFFICIENT_ACCESS):
            return ServiceAccountRefused(f"service account may not set the password of {entry.dn}: {describe(exc)}")
        if isinstance(exc, ldap.UNWILLING_TO_PERFORM) and "old password" in info:
            return BadCredentials()  # slapd's "unwilling to verify old password": it did not match
        if isinstance(exc, ldap.CONSTRAINT_VIOLATION) and info:
            return PasswordRejected([messages.refused_because(info)])  # a pwdCheckModule's own sentence
        return DirectoryUnavailable(describe(exc))

    def account_state(self, entry):
        lock = entry.first("pwdAccountLockedTime")
        changed = entry.first("pwdChangedTime")
        return {
            "enabled": lock != ADMIN_LOCK,
            # A lockout with pwdLockoutDuration may have run out; slapd clears it at the next sign-in.
            "locked": bool(lock) and lock != ADMIN_LOCK,
            "must_change_password": entry.first("pwdReset").upper() == "TRUE",
            "password_last_set": generalized_time(changed) if changed else None,
        }

    # --- rules -----------------------------------------------------------------------------

    def read_rules(self, link, entry):
        """The policy named by the entry's pwdPolicySubentry, else directory.ppolicy_default, else
        the only pwdPolicy entry under base_dn (slapd's ppolicy_default lives in its configuration,
        which we cannot read)."""
        policy_dn = entry.first("pwdPolicySubentry") or self.settings.ppolicy_default
        try:
            if policy_dn:
                found = link.call("search_ext_s", policy_dn, ldap.SCOPE_BASE, "(objectClass=pwdPolicy)",
                                  POLICY_ATTRIBUTES)
            else:
                found = link.call("search_ext_s", self.settings.base_dn, ldap.SCOPE_SUBTREE,
                                  "(objectClass=pwdPolicy)", POLICY_ATTRIBUTES, sizelimit=2)
        except (ldap.NO_SUCH_OBJECT, ldap.INSUFFICIENT_ACCESS, ldap.SIZELIMIT_EXCEEDED):
            return DirectoryRules()
        policies = [Entry(dn, attrs) for dn, attrs in found if dn]
        if len(policies) != 1:
            return DirectoryRules()
        policy = policies[0]
        lockout = policy.first("pwdLockout").upper() == "TRUE"
        return DirectoryRules(
            min_length=policy.integer("pwdMinLength"),
            history=policy.integer("pwdInHistory"),
            min_age_seconds=policy.integer("pwdMinAge"),
            max_age_seconds=policy.integer("pwdMaxAge"),
            lockout_threshold=policy.integer("pwdMaxFailure") if lockout else None,
        )

    # --- sspr check -------------------------------------------------------------------------

    def rights_problems(self, link, samples):
        """Deleting a value an entry does not have changes nothing: slapd checks write access first
        (insufficientAccessRights) and only then finds the value missing (noSuchAttribute)."""
        probes = [
            ("userPassword", b"{SSHA}sspr-check-probe", "reset passwords", "write access to userPassword"),
            ("pwdAccountLockedTime", b"19700101000000Z", "unlock accounts", "write access to pwdAccountLockedTime"),
            ("pwdReset", b"FALSE", "require a password change at next sign-in", "write access to pwdReset"),
        ]
        problems = []
        for attribute, value, action, right in probes:
            refused_on = []
            for sample in samples:
                try:
                    link.call("modify_ext_s", sample.dn, [(ldap.MOD_DELETE, attribute, [value])])
                except ldap.INSUFFICIENT_ACCESS:
                    refused_on.append(sample.dn)
                    continue
                except ldap.LDAPError:
                    pass
                break
            if len(refused_on) == len(samples):
                problems.append(f"directory.bind_dn: the service account may not {action} (it lacks {right} on "
                                f"{refused_on[0]!r}, for example); grant it in the server's access rules")
        return problems
