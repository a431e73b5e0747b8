"""The three directory back-ends as the contract tests (test_contract.py) use them: the directory
itself, a way to add a person to it, and a way to take its server down and bring it back.

Every back-end makes the same people: Chris Smith, +15550200, Lincoln High School, in the
Students group unless told otherwise, with their user ID as email. The first word of the name is
the given name and the last the surname, where the directory keeps them apart; a tag, when
given, starts the user ID (to choose the order people sort in).
"""

from abc import ABC, abstractmethod
from collections.abc import Callable

from django.contrib.auth.hashers import make_password
from django.db import connection
from django.utils import timezone

from sspr.directory.base import Directory
from sspr.directory.embedded.models import Account
from sspr.directory.ldap.settings import LdapAttributes

from .servers import Person, SambaDC, Slapd, TestCA, unique_name

PASSWORD = "Brave pianos dance on Fridays!"
DEPARTMENT = "Lincoln High School"
UseDirectory = Callable[..., Directory]


class Backend(ABC):
    name: str
    directory: Directory
    # What the portal says when a recently used password is chosen again (the embedded directory
    # keeps the history itself; the servers refuse it in their own words).
    history_reason: str

    @abstractmethod
    def add_person(self, *, group: str = "Students", domain: str = "student.district.example",
                   must_change: bool = False, disabled: bool = False, name: str = "Chris Smith",
                   department: str = DEPARTMENT, email: str = "", tag: str = "") -> Person:
        """A new person in the directory, with the password PASSWORD (email: their user ID when "")."""

    @abstractmethod
    def stop(self) -> None:
        """Take the directory's server down: every operation fails as DirectoryUnavailable."""

    @abstractmethod
    def start(self) -> None:
        """Bring it back, with everything it held."""


class Embedded(Backend):
    """The embedded directory, in the Django test database. Its server is the database: it is
    "down" while its accounts table is missing (renamed inside the test's transaction)."""

    name = "embedded"
    history_reason = "You used this password recently; choose one that is not among your last 5 passwords."

    def __init__(self, use_directory: UseDirectory):
        self.directory = use_directory(backend="embedded")
        self.table = Account._meta.db_table

    def add_person(self, *, group="Students", domain="student.district.example", must_change=False, disabled=False,
                   name="Chris Smith", department=DEPARTMENT, email="", tag=""):
        user_id = f"{tag}{unique_name()}@{domain}"
        Account.objects.create(user_id=user_id, password=make_password(PASSWORD), password_last_set=timezone.now(),
                               display_name=name, groups=[group], department=department, email=email or user_id,
                               mobile="+15550200", must_change_password=must_change, enabled=not disabled)
        return Person(user_id, PASSWORD, "", display_name=name, group=group)

    def stop(self):
        with connection.cursor() as cursor:
            cursor.execute(f'ALTER TABLE "{self.table}" RENAME TO "{self.table}_away"')

    def start(self):
        with connection.cursor() as cursor:
            cursor.execute(f'ALTER TABLE "{self.table}_away" RENAME TO "{self.table}"')


class ServerBackend(Backend):
    """A back-end on a real LDAP server started for the session."""

    history_reason = "You have used this password before. Choose one you have not used recently."
    server: Slapd | SambaDC
    base_dn: str
    # The minimum length of the policy for Students as the service account can read it (None:
    # not readable), and what a shorter password is refused with.
    student_min_length: int | None
    too_short_reason: str

    def __init__(self, ca: TestCA, use_directory: UseDirectory):
        self.ca, self.use_directory = ca, use_directory
        self.directory = self.use()

    @abstractmethod
    def settings(self, ca: TestCA | None = None, **overrides) -> dict:
        """This back-end's [directory] settings for the test server (ca: the one to trust)."""

    def use(self, ca: TestCA | None = None, **overrides) -> Directory:
        """A directory on the test server with some settings changed."""
        self.directory = self.use_directory(**self.settings(ca, **overrides))
        return self.directory

    def stop(self):
        self.server.stop()

    def start(self):
        self.server.start()


class OpenLdap(ServerBackend):
    name = "openldap"
    # The default policy (12) applies through slapd's ppolicy_default, in its configuration, which
    # cannot be read; and base_dn holds two pwdPolicy entries, so neither can be assumed.
    student_min_length = None
    too_short_reason = "The directory requires a longer password."

    def __init__(self, slapd: Slapd, ca: TestCA, use_directory: UseDirectory):
        self.server, self.base_dn = slapd, slapd.suffix
        super().__init__(ca, use_directory)

    def settings(self, ca=None, **overrides):
        return openldap_settings(self.server, ca or self.ca, **overrides)

    def add_person(self, *, group="Students", domain="student.district.example", must_change=False, disabled=False,
                   name="Chris Smith", department=DEPARTMENT, email="", tag=""):
        # mail is the user ID here (openldap_settings), so a person given an email has it as user ID.
        return self.server.add_person(group=group, domain=domain, must_change=must_change, disabled=disabled,
                                      name=name, department=department, email=email, tag=tag)


class Samba(ServerBackend):
    name = "samba"
    student_min_length = 15  # the Students PSO
    too_short_reason = "The directory requires at least 15 characters."

    def __init__(self, samba_dc: SambaDC, ca: TestCA, use_directory: UseDirectory):
        self.server, self.base_dn = samba_dc, samba_dc.base
        super().__init__(ca, use_directory)

    def settings(self, ca=None, **overrides):
        return ad_settings(self.server, ca or self.ca, **overrides)

    def add_person(self, *, group="Students", domain="student.district.example", must_change=False, disabled=False,
                   name="Chris Smith", department=DEPARTMENT, email="", tag=""):
        # Each group has its OU in the test domain; the service account is delegated on Students only.
        return self.server.add_person(ou=group, domain=domain, must_change=must_change, disabled=disabled, name=name,
                                      department=department, email=email, tag=tag)


def openldap_settings(slapd: Slapd, ca: TestCA, **overrides) -> dict:
    return {
        "backend": "ldap",
        "uris": [slapd.ldaps_uri],
        "bind_dn": slapd.service_dn,
        "bind_password": slapd.service_password,
        "base_dn": slapd.suffix,
        # People sign in with their email-style ID, as directory.domains expects.
        "user_filter": "(&(objectClass=inetOrgPerson)(mail={user}))",
        "user_id_attribute": "mail",
        "group_filter": "(&(objectClass=groupOfNames)(member={dn}))",
        "ca_file": str(ca.cert),
        "timeout": 2.0,
        "attributes": LdapAttributes(groups="", department="departmentNumber"),
        **overrides,
    }


def ad_settings(samba: SambaDC, ca: TestCA, **overrides) -> dict:
    return {
        "backend": "ad",
        "uris": [samba.ldaps_uri],
        "bind_dn": samba.service_user,
        "bind_password": samba.service_password,
        "base_dn": samba.base,
        "ca_file": str(ca.cert),
        "timeout": 3.0,
        "attributes": LdapAttributes(alternate_email="otherMailbox"),
        **overrides,
    }
