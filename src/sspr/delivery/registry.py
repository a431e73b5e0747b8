"""Find the back-end configured for a channel. Back-ends are named by dotted path in
sspr.delivery.channels.BACKENDS and imported on first use; nothing else in the code switches on
their names."""

from django.conf import settings
from django.utils.module_loading import import_string

from .base import Backend
from .channels import BACKENDS
from .errors import DeliveryUnavailable

CHANNELS = tuple(BACKENDS)
LOCAL = ("console", "demo")


def backend_name(channel: str, config=None, demo: bool | None = None) -> str:
    """The back-end that carries the channel: in demo mode always the demo outbox, so nothing
    leaves the machine whatever the file says."""
    config = config or settings.CONFIG
    demo = settings.DEMO if demo is None else demo
    return "demo" if demo else getattr(config, channel).backend


def fallback_name(channel: str, config=None) -> str | None:
    """The channel's second provider ([sms] / [voice] fallback), if any; never in demo mode."""
    config = config or settings.CONFIG
    name = getattr(getattr(config, channel), "fallback", "none")
    return None if settings.DEMO or name == "none" else name


def get_backend(channel: str, name: str | None = None, config=None) -> Backend:
    if channel not in BACKENDS:
        raise DeliveryUnavailable(f"no such channel {channel!r}")
    config = config or settings.CONFIG
    name = name or backend_name(channel, config)
    if name not in BACKENDS[channel]:
        raise DeliveryUnavailable(f"{channel}.backend is {name!r}: no {channel} channel is configured",
                                  channel=channel)
    return import_string(BACKENDS[channel][name])(config, channel)


def local_backends_outside_demo(config=None) -> list[str]:
    config = config or settings.CONFIG
    if config.server.demo:
        return []
    return [f'{channel}.backend = "{getattr(config, channel).backend}": messages never reach anyone; '
            f"for development only, not for real users"
            for channel in CHANNELS if getattr(config, channel).backend in LOCAL]
