"""The LDAP back-end OpenLdapDirectory and ActiveDirectory share: finding one person safely,
reading a profile through [directory.attributes], and the sign-in and own-change flows, which
are the same on both servers except for a few steps each server does its own way. Those steps
are the abstract methods below (template methods): the two back-ends supply only what differs.
"""

import logging
import re
from abc import abstractmethod
from collections.abc import Sequence

from sspr.config.schema import Config

from ..base import BadCredentials, Directory, DirectoryUnavailable, DirectoryUser, PasswordMustChange, UnknownUser
from .connection import Connections, Link, ServiceAccountRefused, describe, ldap
from .diagnostics import SetupCheck
from .entries import DirectoryRules, Entry, filter_with, first_rdn_value, plausible_user_id

log = logging.getLogger("sspr.directory")


def as_filter(text: str) -> str:
    """The filter in parentheses: libldap accepts `uid={user}` alone, and the filters composed
    from it below need it whole."""
    return text if text.startswith("(") else f"({text})"


class LdapDirectory(Directory):
    """Shared by OpenLdapDirectory and ActiveDirectory; the abstract methods are what differs."""

    backend = ""
    default_user_filter = ""
    default_user_id_attribute = ""
    # Attributes read with every profile besides [directory.attributes] (account state).
    state_attributes: tuple[str, ...] = ()
    # Read from a person's entry to find the password policy that applies to them (read_rules).
    policy_attributes: tuple[str, ...] = ()

    def __init__(self, config: Config):
        self.settings = config.directory
        self.connections = Connections(self.settings, self.backend)
        self.user_filter = as_filter(self.settings.user_filter or self.default_user_filter)
        self.user_id_attribute = self.settings.user_id_attribute or self.default_user_id_attribute
        self.setup_check = SetupCheck(self)

    def close(self) -> None:
        self.connections.close()

    def __del__(self):
        # Not contextlib.suppress: at interpreter shutdown a module's globals may already be gone.
        try:  # noqa: SIM105
            self.close()
        except Exception:  # interpreter shutdown: the sockets close anyway
            pass

    # --- finding people ------------------------------------------------------------------

    @property
    def anyone_filter(self) -> str:
        """The user filter matching any user ID: everyone the portal may find."""
        return self.user_filter.replace("{user}", "*")

    def user_query(self, user_id: str) -> str:
        """Who user_id names: whom the user filter finds by it (what people type at sign-in), or,
        among everyone the filter can find, whoever has it as their user ID (user_id_attribute,
        which is what the portal keeps and passes to every later look-up). The two differ when
        people sign in with, say, their mail and the portal keeps their uid."""
        typed = filter_with(self.user_filter, user=user_id)
        kept = filter_with(f"(&{self.anyone_filter}({self.user_id_attribute}={{user}}))", user=user_id)
        return f"(|{typed}{kept})"

    def find(self, link: Link, user_id: str, attributes: Sequence[str] | None = None) -> Entry:
        """The one entry user_id names. Raises UnknownUser for nobody, and also for several
        (an ambiguous ID must never act on the wrong person)."""
        if not plausible_user_id(user_id):
            raise UnknownUser(user_id)
        try:
            found = link.call("search_ext_s", self.settings.base_dn, ldap.SCOPE_SUBTREE,
                              self.user_query(user_id.strip()), list(attributes or self.profile_attributes()),
                              sizelimit=2)
        except ldap.SIZELIMIT_EXCEEDED:
            found = [("", {}), ("", {})]
        except ldap.NO_SUCH_OBJECT as exc:
            raise ServiceAccountRefused(f"directory.base_dn cannot be read: {describe(exc)}") from exc
        entries = [Entry(dn, attrs) for dn, attrs in found if dn is not None]  # dn None: a referral
        if len(entries) > 1:
            log.warning("user ID %r matches several directory entries; refusing it", user_id)
        if len(entries) != 1:
            raise UnknownUser(user_id)
        return entries[0]

    def profile_attributes(self) -> list[str]:
        mapped = self.settings.attributes
        names = [self.user_id_attribute, mapped.display_name, mapped.email, mapped.mobile,
                 mapped.alternate_email, mapped.groups, mapped.department, *self.state_attributes]
        return list(dict.fromkeys(name for name in names if name))

    def locate(self, user_id: str) -> tuple[Entry, DirectoryUser]:
        def read(link: Link) -> tuple[Entry, DirectoryUser]:
            entry = self.find(link, user_id)
            return entry, self.to_user(entry, self.groups_of(link, entry))
        return self.connections.as_service(read)

    def lookup(self, user_id: str) -> DirectoryUser:
        return self.locate(user_id)[1]

    def groups_of(self, link: Link, entry: Entry) -> tuple[str, ...]:
        attribute = self.settings.attributes.groups
        if attribute:
            return tuple(first_rdn_value(dn) for dn in entry.all(attribute))
        if not self.settings.group_filter:
            return ()
        query = filter_with(self.settings.group_filter, dn=entry.dn, user=self.user_id_of(entry))
        found = link.call("search_ext_s", self.settings.base_dn, ldap.SCOPE_SUBTREE, query, ["cn"])
        return tuple(sorted(Entry(dn, attrs).first("cn") or first_rdn_value(dn) for dn, attrs in found if dn))

    def user_id_of(self, entry: Entry) -> str:
        return entry.first(self.user_id_attribute)

    def to_user(self, entry: Entry, groups: tuple[str, ...]) -> DirectoryUser:
        mapped = self.settings.attributes
        return DirectoryUser(
            user_id=self.user_id_of(entry),
            display_name=entry.first(mapped.display_name),
            groups=groups,
            department=entry.first(mapped.department),
            email=entry.first(mapped.email),
            mobile=entry.first(mapped.mobile),
            alternate_email=entry.first(mapped.alternate_email),
            extra={"dn": entry.dn},
            **self.account_state(entry),
        )

    @abstractmethod
    def account_state(self, entry: Entry) -> dict:
        """enabled, locked, must_change_password and password_last_set from the state attributes."""

    # --- signing in and changing one's own password --------------------------------------------

    def authenticate(self, user_id: str, password: str) -> DirectoryUser:
        if not password:  # a simple bind with no password is an anonymous bind, which succeeds
            raise BadCredentials()
        entry, user = self.locate_for_bind(user_id, password)

        def outcome(link: Link, controls: list, error: Exception | None) -> DirectoryUser:
            if error is not None:
                raise self.bind_refusal(error, controls, entry, user)
            return self.signed_in(user, controls)

        return self.connections.as_user(entry.dn, password, outcome, self.bind_controls())

    def change_password(self, user_id: str, old_password: str, new_password: str) -> None:
        if not old_password:
            raise BadCredentials()
        entry, user = self.locate_for_bind(user_id, old_password)

        def as_person(link: Link, controls: list, error: Exception | None) -> bool:
            if error is not None:
                refusal = self.bind_refusal(error, controls, entry, user)
                if isinstance(refusal, PasswordMustChange):
                    return False
                raise refusal
            self.change_own_password(link, entry, old_password, new_password)
            return True

        if self.connections.as_user(entry.dn, old_password, as_person, self.bind_controls()):
            return

        # The password must be changed (expired, or reset with "must change") and the server
        # lets the person bind for nothing, but it says so only to the right password. The
        # service account then sends the same change, old password included: it is still a
        # change, not a reset, so the server checks the old password again and applies its whole
        # policy (how each server does that: change_own_password).
        def on_behalf(link: Link) -> None:
            self.find(link, user_id, ["1.1"])  # a read first: a stale pooled connection fails here
            self.change_own_password(link, entry, old_password, new_password)

        self.connections.as_service(on_behalf)

    def locate_for_bind(self, user_id: str, password: str) -> tuple[Entry, DirectoryUser]:
        """The entry and profile user_id names. For nobody, a bind that fails as a wrong password
        does is spent first, so the time the answer takes does not tell unknown user IDs from
        known ones, and both are BadCredentials."""
        try:
            return self.locate(user_id)
        except UnknownUser:
            decoy = ",".join(part for part in ("cn=sspr-no-such-user", self.settings.base_dn) if part)
            self.connections.as_user(decoy, password, lambda link, controls, error: None)
            raise BadCredentials() from None

    def bind_controls(self) -> list:
        """Request controls sent with a person's bind."""
        return []

    @abstractmethod
    def bind_refusal(self, error: Exception, controls: list, entry: Entry, user: DirectoryUser) -> Exception:
        """The typed error for a refused bind as the person (PasswordMustChange when the password
        was right but must be changed first)."""

    def signed_in(self, user: DirectoryUser, controls: list) -> DirectoryUser:
        """After a successful bind as the person: their profile, or PasswordMustChange."""
        return user

    @abstractmethod
    def change_own_password(self, link: Link, entry: Entry, old_password: str, new_password: str) -> None:
        """The person's own change on link (bound as them, or as the service account when the
        server allows them no more than that), with the server's refusal as a typed error."""

    # --- the rules that apply to a person ------------------------------------------------------

    def password_rules(self, user_id: str) -> DirectoryRules:
        """The directory's own password rules for this person; fields it cannot read are None."""
        return self.connections.as_service(
            lambda link: self.read_rules(link, self.find(link, user_id, self.policy_attributes)))

    def min_password_length(self, user_id: str) -> int | None:
        """The minimum length the directory enforces for this person, when it can be read."""
        return self.password_rules(user_id).min_length

    def rules_for(self, entry: Entry) -> DirectoryRules:
        """The rules for an entry already found, or none known when they cannot be read now (for
        explaining a refusal, which must not fail for want of them)."""
        try:
            return self.connections.as_service(lambda link: self.read_rules(link, entry))
        except DirectoryUnavailable:
            return DirectoryRules()

    @abstractmethod
    def read_rules(self, link: Link, entry: Entry) -> DirectoryRules:
        """The password policy that applies to the entry, read on link."""

    # --- sspr check and /readyz --------------------------------------------------------------

    def check(self) -> list[str]:
        return self.setup_check.problems()

    def warnings(self) -> list[str]:
        if re.search(rf"\(\s*{re.escape(self.user_id_attribute)}\s*[~<>]?=", self.user_filter, re.IGNORECASE):
            return []
        return [f"directory.user_filter: {self.user_filter!r} does not match on directory.user_id_attribute "
                f"({self.user_id_attribute!r}), the user ID the portal keeps, so people are found by what they type "
                f"or by their {self.user_id_attribute}, and can sign in with either. Set "
                "directory.user_id_attribute to the attribute people type, or match on both in the filter to "
                "say that either is meant"]

    @abstractmethod
    def rights_problems(self, link: Link, samples: list[Entry]) -> list[str]:
        """Missing delegated rights: a problem only when the service account lacks a right on
        every sample (an OU left out on purpose, such as administrators, is not a problem)."""
