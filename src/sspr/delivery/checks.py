"""What `sspr check` says about delivery: each channel's back-end checks its own settings (and,
where it can do so without sending anything, that the provider accepts them)."""

from datetime import timedelta

from django.utils import timezone

from .base import Backend
from .channels.smtp import valid_address
from .models import Delivery
from .phone import known_country
from .registry import CHANNELS, LOCAL, get_backend, local_backends_outside_demo

BACKLOG_AGE = timedelta(minutes=5)


def findings(config, *, reach: bool = True, database: bool = True) -> tuple[list[str], list[str]]:
    """(problems, warnings), one plain line each."""
    problems: list[str] = []
    warnings = list(local_backends_outside_demo(config))
    if not known_country(config.server.country):
        problems.append(f"server.country: unknown country code {config.server.country}")
    for address in config.delivery.admin_emails:
        if not valid_address(address):
            problems.append(f"delivery.admin_emails: {address!r} is not an email address")
    for channel in CHANNELS:
        section = getattr(config, channel)
        if config.server.demo:
            if section.backend not in ("none", *LOCAL):
                warnings.append(f'{channel}.backend = "{section.backend}" is not used: in demo mode every '
                                f"message goes to the demo outbox")
            continue
        if section.backend == "none":
            if channel == "email":
                warnings.append('email.backend = "none": codes and notifications cannot be emailed')
            continue
        backend: Backend = get_backend(channel, section.backend, config)
        found = backend.problems()
        if channel != "email":
            found += [f"{channel}.allowed_countries: unknown country code {code}"
                      for code in section.allowed_countries if not known_country(code)]
            if section.daily_spending_cap and not config.delivery.admin_emails and not backend.local:
                warnings.append(f"delivery.admin_emails: empty, so nobody will be told when "
                                f"{channel}.daily_spending_cap stops sending")
        if not found and reach and not backend.local:
            found += backend.reach()
        problems += found
    if database:
        warnings += _backlog()
    return problems, warnings


def _backlog() -> list[str]:
    waiting = Delivery.objects.filter(status=Delivery.Status.QUEUED,
                                      next_attempt_at__lt=timezone.now() - BACKLOG_AGE).count()
    if waiting:
        return [f"delivery: {waiting} messages have waited more than 5 minutes; is `sspr worker` running?"]
    return []

