"""OpenLDAP, and other RFC-compliant LDAP servers, with the password policy (ppolicy) overlay.

People change their own password with the Password Modify extended operation (RFC 3062) on a
connection bound as themselves, so the server's policy (length, quality, history, minimum age,
lockout) applies exactly as it would anywhere else. Resets, unlocks and must-change marks are
made by the service account: Password Modify without the old password, deleting
pwdAccountLockedTime, and setting or removing pwdReset. The server's answers arrive as ppolicy
response controls and become the typed errors of sspr.directory.base.
"""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .base import (
    AccountDisabled,
    AccountLocked,
    BadCredentials,
    DirectoryUnavailable,
    PasswordMustChange,
    PasswordRejected,
    UnknownUser,
)
from .ldapbase import (
    DirectoryRules,
    Entry,
    LdapDirectory,
    Link,
    ServiceAccountRefused,
    describe,
    diagnostic,
    generalized_time,
    ldap,
    response_controls,
    unreachable_errors,
)

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
        return _("Your new password must be different from your current password.")
    return _("You have used this password before. Choose one you have not used recently.")


class OpenLdapDirectory(LdapDirectory):
    backend = "ldap"
    default_user_filter = "(&(objectClass=inetOrgPerson)(uid={user}))"
    default_user_id_attribute = "uid"
    state_attributes = ("pwdAccountLockedTime", "pwdReset", "pwdChangedTime", "pwdPolicySubentry")

    def authenticate(self, user_id, password):
        if not password:  # a simple bind with no password is an anonymous bind, which succeeds
            raise BadCredentials()
        try:
            entry, user = self.locate(user_id)
        except UnknownUser:
            self.spend_a_bind(password)
            raise BadCredentials() from None

        def outcome(link, controls, error):
            if error is not None:
                raise self.bind_refusal(error, controls, entry, user)
            # pwdReset: slapd allows only a password change when the policy has pwdMustChange; the
            # portal honours the mark either way, so a reset "must change" always means it.
            if ppolicy_error(controls) == CHANGE_AFTER_RESET or user.must_change_password:
                raise PasswordMustChange(user)
            return user

        return self.as_user(entry.dn, password, outcome, [PasswordPolicyControl()])

    def bind_refusal(self, error, controls, entry: Entry, user) -> Exception:
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

    def change_password(self, user_id, old_password, new_password):
        if not old_password:
            raise BadCredentials()
        try:
            entry, user = self.locate(user_id)
        except UnknownUser:
            self.spend_a_bind(old_password)
            raise BadCredentials() from None

        def as_person(link, controls, error):
            if error is not None:
                refusal = self.bind_refusal(error, controls, entry, user)
                if isinstance(refusal, PasswordMustChange):
                    return False
                raise refusal
            self.password_modify(link, entry, old_password, new_password)
            return True

        if self.as_user(entry.dn, old_password, as_person, [PasswordPolicyControl()]):
            return

        # The password has expired (pwdMaxAge) and no grace sign-ins are left, so slapd lets the
        # person bind for nothing, but its answer proved the old password. The service account
        # sends the same Password Modify, old password included: slapd checks it again, and the
        # policy's quality and history rules apply as they do to the person's own change.
        def on_behalf(link):
            self.find(link, user_id, ["1.1"])  # a read first: a stale pooled connection fails here
            self.password_modify(link, entry, old_password, new_password)

        self.as_service(on_behalf)

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

        self.as_service(reset)

    def unlock(self, user_id):
        def unlock(link):
            entry = self.find(link, user_id, ["pwdAccountLockedTime"])
            if entry.first("pwdAccountLockedTime") == ADMIN_LOCK:
                raise AccountDisabled()  # removing an administrator's lock would enable the account
            # Deleting pwdAccountLockedTime also clears pwdFailureTime (the failure count).
            self.delete_attribute(link, entry.dn, "pwdAccountLockedTime")

        self.as_service(unlock)

    @staticmethod
    def delete_attribute(link: Link, dn: str, attribute: str) -> None:
        try:
            link.call("modify_ext_s", dn, [(ldap.MOD_DELETE, attribute, None)])
        except ldap.NO_SUCH_ATTRIBUTE:
            pass  # already gone: the same result

    def password_modify(self, link: Link, entry: Entry, old_password, new_password) -> None:
        """RFC 3062 Password Modify on link, with the server's refusal as a typed error."""
        try:
            link.call("passwd_s", entry.dn, old_password, new_password, serverctrls=[PasswordPolicyControl()])
        except unreachable_errors():
            raise
        except ldap.LDAPError as exc:
            raise self.change_refusal(exc, entry, by_service=old_password is None) from exc

    def change_refusal(self, exc, entry: Entry, *, by_service: bool) -> Exception:
        state, info = ppolicy_error(response_controls(exc)), diagnostic(exc)
        if state == TOO_SHORT:
            minimum = self.rules_for(entry).min_length
            if minimum:
                return PasswordRejected([ngettext(
                    "The directory requires at least %(count)d character.",
                    "The directory requires at least %(count)d characters.", minimum) % {"count": minimum}])
            return PasswordRejected([_("The directory requires a longer password.")])
        if state == IN_HISTORY:
            return PasswordRejected([history_reason(info)])
        if state == TOO_YOUNG:
            return PasswordRejected([_("Your password was changed too recently to change it again yet. Try again "
                                       "later, or contact your help desk.")])
        if state == INSUFFICIENT_QUALITY:
            return PasswordRejected([_("The directory finds this password too easy to guess. Choose a longer or "
                                       "less predictable one.")])
        if state == LOCKED:
            return AccountLocked()
        if state == MOD_NOT_ALLOWED or (isinstance(exc, ldap.INSUFFICIENT_ACCESS) and not by_service):
            return PasswordRejected([_("The directory does not let you change your own password. Contact your "
                                       "help desk.")])
        if isinstance(exc, ldap.INSUFFICIENT_ACCESS):
            return ServiceAccountRefused(f"service account may not set the password of {entry.dn}: {describe(exc)}")
        if isinstance(exc, ldap.UNWILLING_TO_PERFORM) and "old password" in info:
            return BadCredentials()  # slapd's "unwilling to verify old password": it did not match
        if isinstance(exc, ldap.CONSTRAINT_VIOLATION) and info:
            # A password-checking module's own sentence (pwdCheckModule), shown as the server wrote it.
            return PasswordRejected([_("The directory refused this password: %(reason)s") % {"reason": info}])
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

    def password_rules(self, user_id):
        return self.as_service(lambda link: self.read_rules(link, self.find(link, user_id, ["pwdPolicySubentry"])))

    def rules_for(self, entry: Entry) -> DirectoryRules:
        try:
            return self.as_service(lambda link: self.read_rules(link, entry))
        except DirectoryUnavailable:
            return DirectoryRules()

    def read_rules(self, link: Link, entry: Entry) -> DirectoryRules:
        """The policy named by the entry's pwdPolicySubentry, else the only pwdPolicy entry under
        base_dn (slapd's ppolicy_default lives in its configuration, which we cannot read)."""
        policy_dn = entry.first("pwdPolicySubentry")
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
