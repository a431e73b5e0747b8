"""The approximate place of a client address, for the phone's "Are you trying to sign in?": a
city and country read from a MaxMind-format database (GeoLite2 or GeoIP2 City or Country, or any
.mmdb with their fields) when `push.geoip_database` names one, in each of the portal's languages;
nothing otherwise. Only these names are kept with a request, never the address."""

import logging
from functools import cache

import maxminddb
from django.conf import settings

log = logging.getLogger("sspr.methods")
# A file that is missing or not a database; ValueError also for an IPv6 address in an IPv4-only
# database, or text that is no address.
UNREADABLE = (OSError, ValueError, maxminddb.InvalidDatabaseError)


@cache
def _reader(path: str) -> maxminddb.Reader:
    # Opened once per process (the file is memory-mapped); a replaced file needs a restart, as
    # a changed setting does.
    return maxminddb.open_database(path)


def database_problem(path: str) -> str:
    """Why the database cannot be read, or "" (for `sspr check`)."""
    try:
        _reader(path)
    except UNREADABLE as exc:
        return f"{exc.__class__.__name__}: {exc}"
    return ""


def place_of(address: str | None) -> dict[str, str]:
    """{"en": "Springfield, United States", "es": "Springfield, Estados Unidos"}: the place in
    each language the database names it in (English where it has no other name); {} when no
    database is configured or it does not know the address (a school's private network)."""
    path = settings.CONFIG.push.geoip_database
    if not path or not address:
        return {}
    try:
        record = _reader(path).get(address)
    except UNREADABLE as exc:
        log.warning("no place for a push request: %s", exc.__class__.__name__)
        return {}
    if not isinstance(record, dict):
        return {}
    places = {}
    for language, _name in settings.LANGUAGES:
        parts = [_name_in(record.get(part), language) for part in ("city", "country")]
        if text := ", ".join(part for part in parts if part):
            places[language] = text
    return places


def _name_in(entry, language: str) -> str:
    names = entry.get("names", {}) if isinstance(entry, dict) else {}
    return names.get(language) or names.get("en") or ""
