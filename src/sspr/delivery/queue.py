"""The outgoing queue: accept a message, try to send it, retry with backoff, or give up.

A message is stored before any provider sees it. Whoever sends it first *claims* it (a
conditional UPDATE, so two processes never hold the same message) and writes an Attempt row
before calling the provider: each attempt record is at most one send. A process that dies
while sending leaves its attempt "sending"; the next claimant marks it "lost" (it may or may not
have gone out) and makes a new attempt. Claims lapse after a lease, and at once when the
claimant was a process on this machine that no longer exists. Workers may run on any number of
hosts: on PostgreSQL each takes the next due message with SELECT ... FOR UPDATE SKIP LOCKED. The
claims, and the growing wait between tries, are claims.py's, which the password sync's queue
shares.
"""

import logging
import threading
from datetime import timedelta
from types import SimpleNamespace

from django.conf import settings
from django.db import IntegrityError, close_old_connections, models, transaction
from django.utils import timezone, translation

from sspr.actors import Actor
from sspr.audit.models import Outcome, Reason, Tag, record

from . import claims, fraud, gsm
from .claims import me
from .errors import DeliveryFailed, DeliveryUnavailable, TransportError
from .models import Attempt, Delivery
from .phone import mask
from .registry import backend_name, fallback_name, get_backend

log = logging.getLogger("sspr.delivery")


def lease(backend) -> timedelta:
    # Longer than any send can take: each network step of a send is bounded by the timeout.
    return timedelta(seconds=60 + 4 * (backend.timeout or 0))


def backoff(attempts: int, *, urgent: bool = False) -> timedelta:
    """The wait after the `attempts`-th try failed. A code (urgent) follows
    delivery.code_retry_seconds, all within about a minute, while the person waits on the page; a
    notice waits retry_delay_seconds, then four times longer each time, at most an hour."""
    config = settings.CONFIG.delivery
    if urgent:
        schedule = config.code_retry_seconds
        return timedelta(seconds=schedule[min(attempts, len(schedule)) - 1])
    return claims.growing_backoff(config.retry_delay_seconds, attempts)


def max_attempts(delivery: Delivery) -> int:
    config = settings.CONFIG.delivery
    return len(config.code_retry_seconds) + 1 if delivery.urgent else config.max_attempts


def send(message, *, account: str = "", client_ip: str | None = None, wait: bool = True) -> Delivery:
    backend = get_backend(message.channel)
    to, cost = fraud.screen(message.channel, message.to, backend, account=account, client_ip=client_ip,
                            config=settings.CONFIG)
    inline = wait or backend.local
    now = timezone.now()
    delivery = Delivery.objects.create(
        channel=message.channel, backend=backend.name, to=to, subject=message.subject[:200],
        # See sspr.delivery.gsm: one character outside GSM-7 would double the cost of a text.
        body=gsm.fit(message.body) if message.channel == "sms" else message.body,
        html=message.html, language=message.language or translation.get_language() or settings.LANGUAGE_CODE,
        account=account[:254], client_ip=client_ip, cost=cost, next_attempt_at=now, expires_at=message.expires_at,
        urgent=message.urgent,
        claimed_by=me() if inline else "", claimed_until=now + lease(backend) if inline else None,
    )
    _audit(delivery, Tag.DELIVERY_QUEUED, Outcome.STARTED)
    if not inline:
        return delivery
    delivery = attempt(delivery, backend)
    if delivery.status == Delivery.Status.FAILED:
        raise DeliveryFailed(delivery.reason, channel=delivery.channel, delivery=delivery,
                             misconfigured=delivery.misconfigured)
    return delivery


def attempt(delivery: Delivery, backend) -> Delivery:
    """One try at sending a message this process has claimed."""
    now = timezone.now()
    Attempt.objects.filter(delivery=delivery, outcome=Attempt.Outcome.SENDING).update(
        outcome=Attempt.Outcome.LOST, finished_at=now,
        reason="the process sending it stopped; it may or may not have gone out")
    if delivery.expires_at and delivery.expires_at <= now:
        return _give_up(delivery, "expired before it could be sent")
    number = delivery.attempts + 1
    try:
        with transaction.atomic():
            Attempt.objects.create(delivery=delivery, number=number, worker=me(), started_at=now)
            Delivery.objects.filter(pk=delivery.pk).update(attempts=number, backend=backend.name)
    except IntegrityError:
        log.warning("delivery %s: attempt %s already made by another process", delivery.pk, number)
        return delivery
    delivery.attempts, delivery.backend = number, backend.name
    try:
        provider_id = backend.send(delivery)
    except TransportError as exc:
        failure = exc
    except Exception as exc:  # a bug in a back-end must not lose the message or kill the worker
        log.exception("delivery %s: the %s back-end failed unexpectedly", delivery.pk, backend.name)
        failure = TransportError(f"internal error ({exc.__class__.__name__})", permanent=False)
    else:
        Attempt.objects.filter(delivery=delivery, number=number).update(
            outcome=Attempt.Outcome.SENT, finished_at=timezone.now())
        _finish(delivery, Delivery.Status.SENT, provider_id=provider_id[:100])
        _audit(delivery, Tag.DELIVERY_SENT, Outcome.SUCCESS)
        return delivery
    return _failed(delivery, number, failure)


def _failed(delivery: Delivery, number: int, failure: TransportError) -> Delivery:
    now = timezone.now()
    reason = failure.reason[:300]
    final = failure.permanent or number >= max_attempts(delivery)
    Attempt.objects.filter(delivery=delivery, number=number).update(
        outcome=Attempt.Outcome.PERMANENT if failure.permanent else Attempt.Outcome.TRANSIENT,
        finished_at=now, reason=reason)
    # The fallback provider takes over at once from a first provider that failed; after it too
    # has failed, the wait follows the schedule.
    took_over = fallback_name(delivery.channel) is not None and delivery.backend == backend_name(delivery.channel)
    retry_at = now if took_over else now + backoff(number, urgent=delivery.urgent)
    if not final and delivery.expires_at and retry_at >= delivery.expires_at:
        final, reason = True, f"{reason} (no time left to try again)"[:300]
    if final:
        delivery.misconfigured = failure.misconfigured
        if failure.misconfigured:
            _alert_misconfigured(delivery, reason)
        return _give_up(delivery, reason)
    delivery.next_attempt_at, delivery.reason = retry_at, reason
    delivery.claimed_by, delivery.claimed_until = "", None
    delivery.save(update_fields=["next_attempt_at", "reason", "claimed_by", "claimed_until"])
    _audit(delivery, Tag.DELIVERY_DEFERRED, Outcome.ERROR, error=reason,
           retry_at=retry_at.isoformat(timespec="seconds"))
    return delivery


def _give_up(delivery: Delivery, reason: str) -> Delivery:
    _finish(delivery, Delivery.Status.FAILED, reason=reason)
    _audit(delivery, Tag.DELIVERY_FAILED, Outcome.FAILURE, error=reason)
    return delivery


def _finish(delivery: Delivery, status: str, *, reason: str = "", provider_id: str = "") -> None:
    # The text goes as soon as it is no longer needed: it may hold a code.
    delivery.status, delivery.reason, delivery.provider_id = status, reason, provider_id
    delivery.body = delivery.html = ""
    delivery.finished_at, delivery.claimed_by, delivery.claimed_until = timezone.now(), "", None
    delivery.save(update_fields=["status", "reason", "provider_id", "body", "html", "finished_at",
                                 "claimed_by", "claimed_until"])


def _alert_misconfigured(delivery: Delivery, reason: str) -> None:
    if fraud.alert_once(f"setup:{delivery.channel}:{delivery.backend}", timedelta(hours=1)):
        fraud.alert_admins(
            settings.CONFIG, f"{delivery.channel} provider refused our setup",
            f"OpenSSPR could not send through {delivery.channel}.backend = \"{delivery.backend}\": the provider "
            f"refused our configuration, so every message on this channel will fail until it is fixed.\n\n"
            f"The provider said: {reason}\n\nCheck the settings with `sspr check`.\n",
        )


def _audit(delivery: Delivery, tag: Tag, outcome: Outcome, **detail) -> None:
    reason = Reason.DELIVERY_FAILED if outcome in (Outcome.ERROR, Outcome.FAILURE) else None
    record(Actor.system(delivery.client_ip), tag, subject=delivery.account, outcome=outcome, reason=reason,
           detail={"delivery": delivery.pk, "channel": delivery.channel, "backend": delivery.backend,
                   "to": mask(delivery.channel, delivery.to), "attempts": delivery.attempts,
                   **({"provider_id": delivery.provider_id} if delivery.provider_id else {}), **detail})


# -- the worker -------------------------------------------------------------------------------


def _waiting() -> "models.QuerySet[Delivery]":
    return Delivery.objects.filter(status=Delivery.Status.QUEUED)


def backend_for(delivery: Delivery):
    """The channel's provider for the next try: with a fallback configured, the two take turns,
    so the fallback makes every other try, starting with the retry right after the first failure."""
    fallback = fallback_name(delivery.channel)
    if fallback is not None and delivery.attempts % 2 == 1:
        return get_backend(delivery.channel, fallback)
    return get_backend(delivery.channel)


def _backend_or_why(delivery: Delivery) -> object:
    """The back-end for the next try, or the DeliveryUnavailable that says why there is none."""
    try:
        return backend_for(delivery)
    except DeliveryUnavailable as exc:
        return exc


def _lease_for(delivery: Delivery) -> timedelta:
    backend = _backend_or_why(delivery)
    return lease(SimpleNamespace(timeout=0) if isinstance(backend, DeliveryUnavailable) else backend)


def claim_next() -> tuple[Delivery, object] | None:
    """The next due message, claimed by this process (on PostgreSQL with SELECT ... FOR UPDATE
    SKIP LOCKED: see claims.claim_next), with its back-end (or the DeliveryUnavailable that says
    why it has none); None when nothing is due."""
    delivery = claims.claim_next(_waiting(), _lease_for)
    return None if delivery is None else (delivery, _backend_or_why(delivery))


def run_once(batch: int = 20) -> int:
    """Send what is due, one claimed message at a time; return how many messages were tried."""
    claims.release_dead_claims(_waiting())
    tried = 0
    for _ in range(batch):
        claimed = claim_next()
        if claimed is None:
            break
        delivery, backend = claimed
        if isinstance(backend, DeliveryUnavailable):
            _give_up(delivery, backend.reason[:300])
            continue
        attempt(delivery, backend)
        tried += 1
    return tried


def work(stop: threading.Event, poll: float = 2.0, *, each_round=None) -> None:
    """Send until stopped; each_round() (the daily housekeeping, say) is called before each look."""
    while not stop.is_set():
        # A long-running process: drop a connection the database closed (restart, CONN_MAX_AGE).
        close_old_connections()
        if each_round is not None:
            try:
                each_round()
            except Exception:  # never let the daily work stop the sending
                log.exception("delivery worker: the daily work failed; trying again next round")
        try:
            tried = run_once()
        except Exception:  # the database went away for a moment, say; keep the worker alive
            log.exception("delivery worker: a round failed; trying again shortly")
            tried = 0
        if not tried:
            stop.wait(poll)
