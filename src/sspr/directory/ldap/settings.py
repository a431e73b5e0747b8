"""The [directory] keys the OpenLDAP ("ldap") and Active Directory ("ad") back-ends read (see
sspr.directory.settings and docs/directories.md)."""

from typing import ClassVar

from pydantic import Field

from sspr.config.base import Secret

from ..settings import BackendSettings


class LdapAttributes(BackendSettings):
    """[directory.attributes]: which LDAP attribute holds each part of a person's profile ("" when
    there is none)."""

    display_name: str = "displayName"
    email: str = "mail"
    mobile: str = "mobile"
    alternate_email: str = ""
    # Group DNs on the user entry (memberOf); "" to find groups with directory.group_filter.
    groups: str = "memberOf"
    department: str = "department"
    # A student's grade, for the reports' coverage by grade ("" when the directory has none).
    grade: str = ""


class LdapSettings(BackendSettings):
    read_by: ClassVar[tuple[str, ...]] = ("ldap", "ad")

    # Servers tried in order: ldaps://, or ldap:// with start_tls.
    uris: list[str] = []
    # The service account for look-ups, resets and unlocks.
    bind_dn: str = ""
    bind_password: Secret = ""
    base_dn: str = ""
    # {user} is replaced by the escaped user ID; "" for the back-end's default filter.
    user_filter: str = ""
    # The attribute whose value is the portal's user ID; "" for uid (ldap) or userPrincipalName (ad).
    user_id_attribute: str = ""
    # Group search when attributes.groups is "": {dn} is the user's escaped DN, {user} the user ID.
    group_filter: str = ""
    start_tls: bool = False
    # CA certificates (PEM) that signed the servers' certificates; "" for the system's.
    ca_file: str = ""
    # Seconds to wait for a server to connect or answer, per server.
    timeout: float = Field(5.0, gt=0, le=60)
    # OpenLDAP: the DN of slapd's ppolicy_default (its configuration cannot be read from the tree),
    # the policy of everyone without a pwdPolicySubentry of their own; "" when not known.
    ppolicy_default: str = ""
    attributes: LdapAttributes = LdapAttributes()
