"""Per-group method rules and the limits on sending and checking codes."""

from datetime import timedelta

from django.conf import settings

from sspr.actors import in_networks
from sspr.config.groups import rules_for_groups
from sspr.config.schema import MethodRules
from sspr.limits import Limit


def rules_for(groups) -> MethodRules:
    return rules_for_groups(settings.CONFIG.methods, MethodRules, groups)


def registered_count(kinds, rules: MethodRules) -> int:
    """How many of the kinds a person's rules allow they have registered (of rules.required)."""
    return len(set(kinds) & set(rules.allowed))


def sends_per_account() -> Limit:
    config = settings.CONFIG.methods
    return Limit("code-send:account", config.sends_per_account, timedelta(minutes=config.send_window_minutes))


def sends_per_ip() -> Limit:
    config = settings.CONFIG.methods
    return Limit("code-send:ip", config.sends_per_ip, timedelta(minutes=config.send_window_minutes))


def failures_per_account() -> Limit:
    """Wrong answers of every kind, across sessions and addresses; a new code does not reset it."""
    config = settings.CONFIG.methods
    return Limit("verify-failure:account", config.failures_per_account,
                 timedelta(minutes=config.failure_cooldown_minutes))


def is_shared_device_network(address: str | None) -> bool:
    return in_networks(address, settings.CONFIG.methods.shared_device_networks)
