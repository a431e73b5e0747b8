"""The small interface every delivery back-end implements, and how it describes its settings."""

from dataclasses import dataclass
from typing import ClassVar
from urllib.parse import urlsplit

LOOPBACK = ("localhost", "127.0.0.1", "::1")


@dataclass(frozen=True)
class Setting:
    """One configuration key a back-end reads, so `sspr check` and the docs can describe it."""

    key: str  # dotted, e.g. "email.host"
    meaning: str
    required: bool = False


class Backend:
    """One way of carrying a channel's messages (SMTP for email, Twilio for texts...).

    A back-end is built from the whole configuration for one channel ("email", "sms" or "voice")
    and is cheap to build: it is made anew for every message, so a changed setting applies at once.
    """

    name: ClassVar[str]
    # Demo and console back-ends never leave this machine: nothing to defraud, nothing to wait for.
    local: ClassVar[bool] = False

    def __init__(self, config, channel: str):
        self.config = config
        self.channel = channel
        self.section = getattr(config, channel)

    @property
    def settings(self) -> tuple[Setting, ...]:
        """The keys it reads; most back-ends list them in a class attribute of this name."""
        return ()

    @property
    def timeout(self) -> float:
        return self.section.timeout

    def value(self, key: str):
        section, name = key.split(".")
        return getattr(getattr(self.config, section), name)

    def problems(self) -> list[str]:
        """What is wrong with the settings, without touching the network; one line each."""
        return [f'{setting.key}: required when {self.channel}.backend = "{self.name}"'
                for setting in self.settings if setting.required and not self.value(setting.key)]

    def reach(self) -> list[str]:
        """Problems found by talking to the provider without sending anything (`sspr check`)."""
        return []

    def send(self, delivery) -> str:
        """Hand one message (a sspr.delivery.models.Delivery) to the provider; return the
        provider's id for it (or ""). Raise TransportError when it was not taken."""
        raise NotImplementedError


def url_problems(key: str, url: str) -> list[str]:
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return []
    if parts.scheme == "http" and parts.hostname in LOOPBACK:
        return []  # a gateway on this machine (and the test suite's fakes)
    return [f"{key}: must be an https:// URL (http:// only on this machine)"]
