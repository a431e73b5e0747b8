"""The LDAP back-end OpenLdapDirectory and ActiveDirectory share: finding one person safely,
reading a profile through [directory.attributes], and the sign-in and own-change flows, which
are the same on both servers except for a few steps each server does its own way. Those steps
are the abstract methods below (template methods): the two back-ends supply only what differs.
"""

import contextlib
import logging
import re
from abc import abstractmethod
from collections import deque
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from sspr.config.schema import Config

from ..base import (
    SEARCH_LIMIT_MAX,
    SEARCH_OFFSET_MAX,
    BadCredentials,
    Directory,
    DirectoryUnavailable,
    DirectoryUser,
    PasswordMustChange,
    SearchResult,
    UnknownUser,
)
from .connection import Connections, Link, ServiceAccountRefused, describe, ldap
from .diagnostics import SetupCheck
from .entries import DirectoryRules, Entry, dn_within, filter_with, first_rdn_value, plausible_user_id

log = logging.getLogger("sspr.directory")

# search() reads the user IDs of at most this many matches and serves its page from them in
# user-ID order: servers return entries in an order of their own, so a page cut from fewer
# would not be the page of the sorted whole. Every page search() may be asked for lies within.
SEARCH_SCAN = SEARCH_OFFSET_MAX + SEARCH_LIMIT_MAX + 1
# The most group entries missing_groups() reads for the names it is asked about.
GROUPS_SCAN = 1000


def as_filter(text: str) -> str:
    """The filter in parentheses: libldap accepts `uid={user}` alone, and the filters composed
    from it below need it whole."""
    return text if text.startswith("(") else f"({text})"


def collect(link: Link, base: str, query: str, attributes: Sequence[str], limit: int,
            timeout: float) -> tuple[list[Entry], bool]:
    """The entries a subtree search finds, at most limit of them, and whether there were more.
    A server stops at its own size limit too (often 500 or 1000 entries): python-ldap then raises
    SIZELIMIT_EXCEEDED after the entries it sent, and those are kept. Referrals are left out."""
    msgid = link.call("search_ext", base, ldap.SCOPE_SUBTREE, query, list(attributes), sizelimit=limit)
    entries: list[Entry] = []
    try:
        while True:
            kind, found, _, _ = link.call("result3", msgid, all=0, timeout=timeout)
            entries += [Entry(dn, attrs) for dn, attrs in found or [] if dn]
            if kind == ldap.RES_SEARCH_RESULT:
                return entries, False
    except ldap.SIZELIMIT_EXCEEDED:
        return entries, True


class LdapDirectory(Directory):
    """Shared by OpenLdapDirectory and ActiveDirectory; the abstract methods are what differs."""

    backend = ""
    default_user_filter = ""
    default_user_id_attribute = ""
    # Attributes read with every profile besides [directory.attributes] (account state).
    state_attributes: tuple[str, ...] = ()
    # Read from a person's entry to find the password policy that applies to them (read_rules).
    policy_attributes: tuple[str, ...] = ()
    # Matched by search() from their start, besides the user ID, display name and email attributes.
    search_attributes: tuple[str, ...] = ("givenName", "sn", "cn")
    # The object classes of group entries (missing_groups).
    group_classes: tuple[str, ...] = ("groupOfNames", "groupOfUniqueNames", "posixGroup", "groupOfURLs")

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

    def user_id_attributes(self) -> list[str]:
        """What user_id_of reads."""
        return [self.user_id_attribute]

    def profile_attributes(self) -> list[str]:
        mapped = self.settings.attributes
        names = [self.user_id_attribute, mapped.display_name, mapped.email, mapped.mobile,
                 mapped.alternate_email, mapped.groups, mapped.department, mapped.grade, *self.state_attributes]
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
        return tuple(sorted(self.group_name(Entry(dn, attrs)) for dn, attrs in found if dn))

    def group_name(self, group: Entry) -> str:
        """A group entry's name as groups_of reports it: the first RDN value of the DN that
        memberOf lists, or, for groups found by group_filter, their cn."""
        if self.settings.attributes.groups:
            return first_rdn_value(group.dn)
        return group.first("cn") or first_rdn_value(group.dn)

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
            grade=entry.first(mapped.grade),
            extra={"dn": entry.dn},
            **self.account_state(entry),
        )

    @abstractmethod
    def account_state(self, entry: Entry) -> dict:
        """enabled, locked, must_change_password and password_last_set from the state attributes."""

    # --- searching people, and which groups exist ------------------------------------------------

    def find_people(self, text: str, *, department: str, offset: int, limit: int) -> SearchResult:
        """Everyone the user filter can find whose user ID, display name, email or one of
        search_attributes starts with text (the server compares case-insensitively), all of it
        escaped. Only the user IDs of the matches are read (at most SEARCH_SCAN), sorted, and
        the page's people read whole, one base read each, all sent before any answer is awaited."""
        mapped = self.settings.attributes
        if department and not mapped.department:
            return SearchResult()  # no attribute holds a department, so nobody is in this one
        attributes = dict.fromkeys(name for name in (self.user_id_attribute, mapped.display_name, mapped.email,
                                                     *self.search_attributes) if name)
        starts = filter_with("(|" + "".join(f"({name}={{text}}*)" for name in attributes) + ")", text=text)
        within = filter_with(f"({mapped.department}={{department}})", department=department) if department else ""
        query = f"(&{self.anyone_filter}{starts}{within})"

        def search(link: Link) -> SearchResult:
            try:
                found, _ = collect(link, self.settings.base_dn, query, self.user_id_attributes(), SEARCH_SCAN,
                                   self.settings.timeout)
            except ldap.NO_SUCH_OBJECT as exc:
                raise ServiceAccountRefused(f"directory.base_dn cannot be read: {describe(exc)}") from exc
            ranked = sorted((user_id.lower(), entry.dn) for entry in found if (user_id := self.user_id_of(entry)))
            page = [dn for _, dn in ranked[offset:offset + limit]]
            people = tuple(self.to_user(entry, self.groups_of(link, entry)) for entry in self.read_entries(link, page))
            return SearchResult(people, len(ranked) > offset + limit)

        return self.connections.as_service(search)

    def read_entries(self, link: Link, dns: Sequence[str]) -> list[Entry]:
        """The profiles of the entries at dns that the user filter still finds, in that order
        (one that is gone or no longer matches is left out)."""
        attributes = self.profile_attributes()
        pending = deque(link.call("search_ext", dn, ldap.SCOPE_BASE, self.anyone_filter, attributes) for dn in dns)
        entries = []
        try:
            while pending:
                msgid = pending[0]
                try:
                    _, found, _, _ = link.call("result3", msgid, all=1, timeout=self.settings.timeout)
                except ldap.NO_SUCH_OBJECT:
                    found = []  # deleted since the search
                pending.popleft()
                entries += [Entry(dn, attrs) for dn, attrs in found if dn]
        finally:
            for msgid in pending:  # a failure midway: the rest is not wanted
                with contextlib.suppress(ldap.LDAPError):
                    link.conn.abandon(msgid)
        return entries

    def existing_groups(self, names: list[str]) -> set[str]:
        """Group entries (group_classes) whose cn is one of names, named as groups_of would name
        them. With groups from an attribute (memberOf), the entries it lists may be anywhere in
        the server's naming context that holds base_dn, so that is searched (AD's domain, say,
        with base_dn an OU of people); with group_filter, groups are only ever searched under
        base_dn, so only those there count. With neither, nobody has a group, so none exists."""
        if not self.settings.attributes.groups and not self.settings.group_filter:
            return set()
        classes = "".join(f"(objectClass={name})" for name in self.group_classes)
        named = "".join(filter_with("(cn={name})", name=name) for name in names)
        query = f"(&(|{classes})(|{named}))"

        def search(link: Link) -> set[str]:
            base = self.naming_context(link) if self.settings.attributes.groups else self.settings.base_dn
            try:
                found, _ = collect(link, base, query, ["cn"], GROUPS_SCAN, self.settings.timeout)
            except ldap.NO_SUCH_OBJECT as exc:
                raise ServiceAccountRefused(f"directory.base_dn cannot be read: {describe(exc)}") from exc
            return {self.group_name(entry) for entry in found} & set(names)

        return self.connections.as_service(search)

    def naming_context(self, link: Link) -> str:
        """The server's naming context that holds base_dn, from its root DSE; base_dn itself
        when the root DSE does not say."""
        base = self.settings.base_dn
        try:
            found = link.call("search_ext_s", "", ldap.SCOPE_BASE, "(objectClass=*)", ["namingContexts"])
        except (ldap.NO_SUCH_OBJECT, ldap.INSUFFICIENT_ACCESS):
            return base
        contexts = [context for dn, attrs in found if dn is not None
                    for context in Entry(dn, attrs).all("namingContexts") if dn_within(base, context)]
        return max(contexts, key=lambda context: len(ldap.dn.str2dn(context)), default=base)

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
        self.prove_and_change_password(user_id, old_password, new_password, accept=lambda: None)

    def prove_and_change_password(self, user_id: str, old_password: str, new_password: str, *,
                                  accept: Callable[[], None]) -> None:
        # One bind as the person proves the old password; accept() comes between it and the change.
        if not old_password:
            raise BadCredentials()
        entry, user = self.locate_for_bind(user_id, old_password)

        def as_person(link: Link, controls: list, error: Exception | None) -> bool:
            if error is not None:
                refusal = self.bind_refusal(error, controls, entry, user)
                if isinstance(refusal, PasswordMustChange):
                    return False
                raise refusal
            accept()
            self.change_own_password(link, entry, old_password, new_password)
            return True

        if self.connections.as_user(entry.dn, old_password, as_person, self.bind_controls()):
            return
        accept()  # the right password, though it must be changed first

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

    # --- when a password expires ------------------------------------------------------------------

    expires_passwords = True

    def password_expires(self, person: DirectoryUser) -> datetime | None:
        """The last change plus the maximum age of the policy that applies to the person (their
        own, else the directory's default); None without either, or when the account is exempt."""
        def read(link: Link) -> datetime | None:
            entry = self.find(link, person.user_id, [*self.state_attributes, *self.policy_attributes])
            if self.never_expires(entry):
                return None
            last_set = self.account_state(entry)["password_last_set"]
            max_age = self.read_rules(link, entry).max_age_seconds
            return last_set + timedelta(seconds=max_age) if last_set and max_age else None
        return self.connections.as_service(read)

    def never_expires(self, entry: Entry) -> bool:
        """An account the directory exempts from its maximum age."""
        return False

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
