"""What the servers hold, read safely: search results by case-insensitive attribute name, values
escaped into filters, DNs and times decoded, and the password rules a policy entry states."""

import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime

from .connection import ldap

USER_ID_MAX = 256


def plausible_user_id(user_id) -> bool:
    """Worth asking the directory about: never empty, absurdly long, or with control characters.
    (Anything else is escaped into the filter, so it can only match itself.)"""
    return (
        isinstance(user_id, str)
        and 0 < len(user_id.strip()) <= USER_ID_MAX
        and not any(unicodedata.category(ch) == "Cc" for ch in user_id)
    )


def filter_with(template: str, **values: str) -> str:
    """template with each {name} replaced by its value escaped per RFC 4515, so `*`, `(`, `)`,
    `\\` and NUL in a user ID are matched literally instead of changing the filter."""
    for name, value in values.items():
        template = template.replace("{" + name + "}", ldap.filter.escape_filter_chars(value, escape_mode=0))
    return template


def first_rdn_value(dn: str) -> str:
    """"cn=Students,ou=groups,dc=x" -> "Students" (group names as policy configuration uses them)."""
    try:
        return ldap.dn.str2dn(dn)[0][0][1]
    except (ldap.DECODING_ERROR, IndexError):
        return dn


def dn_within(dn: str, ancestor: str) -> bool:
    """Whether dn is ancestor or below it, comparing attribute types and values case-insensitively
    (as the directories compare the names of their entries)."""
    try:
        inner, outer = ldap.dn.str2dn(dn), ldap.dn.str2dn(ancestor)
    except ldap.DECODING_ERROR:
        return False

    def folded(rdns: list) -> list:
        return [sorted((kind.lower(), value.lower()) for kind, value, _ in rdn) for rdn in rdns]

    return len(outer) <= len(inner) and folded(inner[len(inner) - len(outer):]) == folded(outer)


def generalized_time(value: str) -> datetime | None:
    """RFC 4517 GeneralizedTime as OpenLDAP writes it: 20261127092412Z or 20261127092412.123456Z."""
    text = value.rstrip("Z").split(".")[0]
    try:
        return datetime.strptime(text, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        return None


class Entry:
    """A search result's attributes, by case-insensitive name, decoded as UTF-8 text."""

    def __init__(self, dn: str, attributes: dict):
        self.dn = dn
        self._values = {name.lower(): values for name, values in attributes.items()}

    def has(self, name: str) -> bool:
        """Whether the server sent the attribute at all (an attribute it computes on request
        only, such as msDS-ResultantPSO, is absent when it was not asked for)."""
        return name.lower() in self._values

    def all(self, name: str) -> list[str]:
        if not name:
            return []
        return [value.decode("utf-8", "replace") for value in self._values.get(name.lower(), [])]

    def first(self, name: str, default: str = "") -> str:
        values = self.all(name)
        return values[0] if values else default

    def integer(self, name: str) -> int | None:
        try:
            return int(self.first(name))
        except ValueError:
            return None


@dataclass(frozen=True)
class DirectoryRules:
    """The password rules the directory itself enforces for one person, as far as the service
    account can read them (None: not known)."""

    min_length: int | None = None
    history: int | None = None
    complexity: bool | None = None
    min_age_seconds: int | None = None
    max_age_seconds: int | None = None
    lockout_threshold: int | None = None
