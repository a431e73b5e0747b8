"""Toll-fraud and abuse defences, applied before a message is queued, so a refused message
reaches no provider and costs nothing.

SMS pumping: an attacker asks for codes to numbers that pay them per message received
(premium-rate, or cheap routes in far-away countries), by the thousand. Defences, in order:
the number must be an ordinary, assigned subscriber number in an allowed country; the day's
estimated spending must stay under the channel's cap (admins are told when it is reached); and
limits per destination, per block of numbers, per account and per client address.
"""

import logging
from datetime import timedelta

from django.db.models import Sum
from django.utils import timezone

from sspr.actors import Actor
from sspr.audit.models import Outcome, Reason, Tag, record
from sspr.limits import Limit, claim_once

from . import Message, phone, send
from .channels.smtp import valid_address
from .errors import BAD_DESTINATION, TOO_MANY, UNAVAILABLE, DeliveryRefused, DeliveryUnavailable
from .models import Delivery

log = logging.getLogger("sspr.delivery")


def screen(channel: str, to: str, backend, *, account: str, client_ip: str | None, config) -> tuple[str, float]:
    """The destination in canonical form and the estimated cost, or DeliveryRefused (audited)."""
    section = getattr(config, channel)
    try:
        destination = _destination(channel, to, backend, config)
        cost = 0.0 if backend.local or channel == "email" else section.cost_per_message
        if cost:
            _within_cap(channel, cost, section, config)
        _within_limits(channel, destination, section, account=account, client_ip=client_ip)
    except DeliveryRefused as refused:
        record(Actor.system(client_ip), Tag.DELIVERY_REFUSED, subject=account, outcome=Outcome.REFUSED,
               reason=Reason.REFUSED_BY_POLICY,
               detail={"channel": channel, "to": phone.mask(channel, to), "error": refused.reason})
        raise
    return destination, cost


def _destination(channel: str, to: str, backend, config) -> str:
    bad = BAD_DESTINATION[channel]
    if channel == "email":
        if not valid_address(to.strip()):
            raise DeliveryRefused("not an email address", channel=channel, user_message=bad)
        return to.strip()
    number = phone.parse(to, config.server.country)
    if number is None:
        raise DeliveryRefused("not a phone number", channel=channel, user_message=bad)
    if backend.local:
        return number.e164  # the demo's made-up numbers need not exist; nothing leaves the machine
    if not number.valid:
        raise DeliveryRefused("not an assigned number", channel=channel, user_message=bad)
    if number.type not in phone.ALLOWED_TYPES[channel]:
        raise DeliveryRefused(f"number type {number.type_name} not allowed", channel=channel, user_message=bad)
    allowed = getattr(config, channel).allowed_countries or [config.server.country]
    if number.region not in allowed:
        raise DeliveryRefused(f"country {number.region or '?'} not allowed", channel=channel, user_message=bad)
    return number.e164


def start_of_day():
    return timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)


def spent_today(channel: str) -> float:
    """Estimated spending since midnight (server.time_zone): every message not given up."""
    total = (Delivery.objects.filter(channel=channel, created_at__gte=start_of_day())
             .exclude(status=Delivery.Status.FAILED).aggregate(total=Sum("cost"))["total"])
    return total or 0.0


def _within_cap(channel: str, cost: float, section, config) -> None:
    cap = section.daily_spending_cap
    if not cap:
        return
    spent = spent_today(channel)
    if spent + cost <= cap + 1e-9:
        return
    reason = f"daily spending cap {cap:g} reached ({spent:g} spent today)"
    if alert_once(f"cap:{channel}:{start_of_day():%Y-%m-%d}", timedelta(days=1)):
        record(Actor.system(), Tag.DELIVERY_CAP, outcome=Outcome.REFUSED, reason=Reason.SPENDING_CAP,
               detail={"channel": channel, "cap": cap, "spent": spent})
        alert_admins(
            config, f"{channel} sending stopped: daily spending cap reached",
            f"OpenSSPR stopped sending {NOUN[channel]} for today: the estimated spending ({spent:g}) reached "
            f"{channel}.daily_spending_cap ({cap:g}).\n\nIf this is more than usual, someone may be abusing the "
            f"portal to send messages (toll fraud). The audit trail (delivery:refused, delivery:sent) shows "
            f"where they went. Sending starts again at midnight, or when the cap is raised.\n",
        )
    raise DeliveryRefused(reason, channel=channel, user_message=UNAVAILABLE[channel])


NOUN = {"email": "email", "sms": "text messages", "voice": "phone calls"}


def _within_limits(channel: str, destination: str, section, *, account: str, client_ip: str | None) -> None:
    window = timedelta(minutes=section.limit_window_minutes)
    checks = [("destination", destination.lower(), section.limit_per_destination)]
    if channel != "email":
        checks.append(("prefix", phone.prefix(destination), section.limit_per_prefix))
    if account:
        checks.append(("account", account.lower(), section.limit_per_account))
    if client_ip:
        checks.append(("ip", client_ip, section.limit_per_ip))
    limits = [(Limit(f"delivery:{channel}:{kind}", maximum, window), key, kind) for kind, key, maximum in checks]
    # Looking first means a message refused by one limit is not counted against the others (a
    # school at its address limit would otherwise use up each student's own). acquire() then
    # decides; only when a concurrent request takes the last place between the two does a
    # refusal leave the limits before it counted.
    for limit, key, kind in limits:
        wait = limit.peek(key)
        if wait is not None:
            raise _limit_reached(channel, kind, wait)
    for limit, key, kind in limits:
        decision = limit.acquire(key)
        if not decision:
            raise _limit_reached(channel, kind, decision.retry_after)


def _limit_reached(channel: str, kind: str, wait: timedelta | None) -> DeliveryRefused:
    return DeliveryRefused(f"limit per {kind} reached", channel=channel, user_message=TOO_MANY, retry_after=wait)


def alert_once(key: str, window: timedelta) -> bool:
    """True the first time a key is seen in the window: one alert, not one per refused message."""
    return claim_once("delivery:alert", key, window)


def alert_admins(config, subject: str, body: str) -> None:
    """Email delivery.admin_emails. Never raises: an alert that cannot go out is logged."""
    if not config.delivery.admin_emails:
        log.error("admin alert not sent (delivery.admin_emails is empty): %s", subject)
        return
    for address in config.delivery.admin_emails:
        try:
            send(Message("email", address, body, f"[{config.branding.org_name}] {subject}", language="en"))
        except DeliveryUnavailable as exc:
            log.error("admin alert to %s not sent (%s): %s", address, exc.reason, subject)

