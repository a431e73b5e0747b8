"""Who acts: the person themselves, a help-desk technician, a teacher, the command line, the
delivery worker, an API key. Built once where a call enters the product (a web request, a
command, the worker) and passed down explicitly, so nothing below the web layer needs a request
to know who did something and from where."""

import ipaddress
import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

DEVICES = [("iPhone", "iPhone"), ("iPad", "iPad"), ("Android", "Android"), ("CrOS", "Chromebook"),
           ("Windows", "Windows"), ("Mac OS X", "Mac"), ("Linux", "Linux")]
BROWSERS = [("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari")]


def describe_device(user_agent: str) -> str:
    """A rough, human description ("Chrome / Windows"); never the raw header."""
    browser = next((name for token, name in BROWSERS if token in user_agent), "")
    system = next((name for token, name in DEVICES if token in user_agent), "")
    if browser and system:
        return f"{browser} / {system}"
    return browser or system or re.sub(r"[^\w .-]", "", user_agent)[:40] or "?"


class Role(StrEnum):
    PERSON = "person"          # someone acting on their own account (or trying to)
    HELPDESK = "helpdesk"
    SCHOOL_HELPDESK = "school_helpdesk"
    TEACHER = "teacher"
    AUDITOR = "auditor"
    ADMIN = "admin"
    CLI = "cli"                # an operator at the command line
    SYSTEM = "system"          # the delivery worker and other background work
    API = "api"                # a program holding an API key (sspr.api); its rights are the key's role


@lru_cache(maxsize=32)
def _networks(entries: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def in_networks(address: str | None, networks: list[str]) -> bool:
    """Whether address is in one of networks (addresses or CIDR ranges); False for no address."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    ip = getattr(ip, "ipv4_mapped", None) or ip  # ::ffff:10.1.2.3 from a dual-stack listener
    return any(ip in network for network in _networks(tuple(networks)))


@dataclass(frozen=True)
class Actor:
    role: Role
    user_id: str = ""          # who acts, when known ("" before anyone has proved who they are)
    client_ip: str | None = None
    user_agent: str = ""

    @classmethod
    def person(cls, user_id: str = "", *, client_ip: str | None = None, user_agent: str = "") -> "Actor":
        return cls(Role.PERSON, user_id, client_ip, user_agent)

    @classmethod
    def operator(cls, user_id: str = "", *, client_ip: str | None = None, user_agent: str = "") -> "Actor":
        """IT staff at the admin pages ("" until both steps of their sign-in have passed)."""
        return cls(Role.ADMIN, user_id, client_ip, user_agent)

    @classmethod
    def staff(cls, role: Role, user_id: str, *, client_ip: str | None = None, user_agent: str = "") -> "Actor":
        """A member of staff at the console, acting on someone else's account."""
        return cls(role, user_id, client_ip, user_agent)

    @classmethod
    def api_key(cls, name: str, *, client_ip: str | None = None, user_agent: str = "") -> "Actor":
        """A program calling the API with the key called name (never the key itself)."""
        return cls(Role.API, f"api:{name}", client_ip, user_agent)

    @classmethod
    def cli(cls) -> "Actor":
        return cls(Role.CLI, "cli")

    @classmethod
    def system(cls, client_ip: str | None = None) -> "Actor":
        """Background work done on someone's behalf; client_ip is the address of the request
        that caused it (a queued message keeps the address it was asked from)."""
        return cls(Role.SYSTEM, "system", client_ip)

    @property
    def device(self) -> str:
        return describe_device(self.user_agent)

    def as_user(self, user_id: str) -> "Actor":
        """The same client, now known to be this person (after a password or a passed step)."""
        return Actor(self.role, user_id, self.client_ip, self.user_agent)
