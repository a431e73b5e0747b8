"""A MaxMind-format database of made-up places, written for a test and read by the real reader
from a real file ([push] geoip_database)."""

from mmdb_writer import MMDBWriter
from netaddr import IPSet

PLACES = {
    "203.0.113.0/24": {"city": {"names": {"en": "Springfield"}},
                       "country": {"names": {"en": "United States", "es": "Estados Unidos"}}},
    "2001:db8:5::/48": {"country": {"names": {"en": "Mexico", "es": "México"}}},
    # The tests' browsers come from loopback.
    "127.0.0.0/8": {"city": {"names": {"en": "Shelbyville"}},
                    "country": {"names": {"en": "United States", "es": "Estados Unidos"}}},
}


def write_places(path) -> str:
    writer = MMDBWriter(ip_version=6, ipv4_compatible=True, database_type="GeoLite2-City", languages=["en", "es"])
    for network, place in PLACES.items():
        writer.insert_network(IPSet([network]), place)
    writer.to_db_file(str(path))
    return str(path)
