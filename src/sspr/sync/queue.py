"""The sync queue: each password handed to a target is a SyncJob, tried at once by the process
that set the password, and tried again by `sspr worker` while the target's trouble is transient,
with backoff, until it is taken, refused for good, or [sync] give_up_hours have passed.

Claims are the delivery queue's (sspr.delivery.claims): one process holds a job at a time (a
conditional UPDATE, and on PostgreSQL SELECT ... FOR UPDATE SKIP LOCKED to pick it), a claim
lapses after a lease, and at once when its process on this machine has died. A job's secret is
emptied in the same write that ends it, whatever the ending.
"""

import hashlib
import logging
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from sspr.actors import Actor
from sspr.audit.models import Outcome, Reason, Tag, record
from sspr.delivery import claims, fraud
from sspr.delivery.claims import me

from . import Prepared, SyncFailed, SyncTarget, target_named
from .models import SyncJob

log = logging.getLogger("sspr.sync")
# A worker's claim: longer than any target's write can take (each network step is bounded by the
# target's timeout, at most 60 s); a claim by a process that died lapses sooner (release_dead_claims).
WORKER_LEASE = timedelta(seconds=60 + 4 * 60)


def lease(target: SyncTarget) -> timedelta:
    # Longer than one write can take: the token and the write are each bounded by the timeout.
    return timedelta(seconds=60 + 4 * target.timeout)


def give_up_at(job: SyncJob):
    return job.created_at + timedelta(hours=settings.CONFIG.sync.give_up_hours)


def start(target: SyncTarget, user_id: str, prepared: Prepared, *, must_change: bool) -> SyncJob:
    """A job claimed by this process, to be tried at once."""
    now = timezone.now()
    return SyncJob.objects.create(target=target.name, user_id=user_id, account=prepared.account[:254],
                                  secret=prepared.secret, must_change=must_change, next_attempt_at=now,
                                  claimed_by=me(), claimed_until=now + lease(target))


def refused_at_once(target: SyncTarget, user_id: str, account: str, failure: SyncFailed, actor: Actor) -> SyncJob:
    """The target cannot take this password at all (prepare() said so): nothing is kept."""
    now = timezone.now()
    job = SyncJob.objects.create(target=target.name, user_id=user_id, account=account[:254], next_attempt_at=now,
                                 status=SyncJob.Status.FAILED, reason=failure.message[:300], finished_at=now)
    _refused(job, actor)
    return job


def attempt(job: SyncJob, target: SyncTarget, actor: Actor | None = None) -> SyncJob:
    """One try at a job this process has claimed."""
    actor = actor or Actor.system()
    now = timezone.now()
    if give_up_at(job) <= now:
        return _expire(job, actor)
    number = job.attempts + 1
    SyncJob.objects.filter(pk=job.pk).update(attempts=number)
    job.attempts = number
    try:
        target.deliver(Prepared(job.account, job.secret), must_change=job.must_change)
    except SyncFailed as exc:
        failure = exc
    except Exception as exc:  # a bug in a target must not lose the job or kill the worker
        log.exception("sync job %s: the %s target failed unexpectedly", job.pk, job.target)
        failure = SyncFailed(f"internal error ({exc.__class__.__name__})", permanent=False)
    else:
        _finish(job, SyncJob.Status.DONE)
        _audit(job, actor, Tag.SYNC_DONE, Outcome.SUCCESS)
        return job
    job.reason = failure.message[:300]
    if failure.permanent:
        _finish(job, SyncJob.Status.FAILED, reason=job.reason)
        _refused(job, actor)
        return job
    wait = claims.growing_backoff(settings.CONFIG.sync.retry_delay_seconds, number)
    if failure.retry_after:
        wait = max(wait, timedelta(seconds=failure.retry_after))
    retry_at = timezone.now() + wait
    if retry_at >= give_up_at(job):
        return _expire(job, actor)
    job.next_attempt_at, job.claimed_by, job.claimed_until = retry_at, "", None
    job.save(update_fields=["next_attempt_at", "reason", "claimed_by", "claimed_until"])
    _audit(job, actor, Tag.SYNC_DEFERRED, Outcome.ERROR, Reason.SYNC_UNAVAILABLE,
           error=job.reason, retry_at=retry_at.isoformat(timespec="seconds"))
    return job


def _finish(job: SyncJob, status: str, *, reason: str = "") -> None:
    job.status, job.reason, job.secret = status, reason, ""
    job.finished_at, job.claimed_by, job.claimed_until = timezone.now(), "", None
    job.save(update_fields=["status", "reason", "secret", "finished_at", "claimed_by", "claimed_until"])


def _refused(job: SyncJob, actor: Actor) -> None:
    _audit(job, actor, Tag.SYNC_FAILED, Outcome.FAILURE, Reason.SYNC_REFUSED, error=job.reason)
    _tell_admins(job, f"password sync to {job.target} refused",
                 f"{job.target} refused the new password of {job.user_id} (account {job.account}), so the "
                 f"password there is still the old one.\n\nIt said: {job.reason}\n\nThe person was told. "
                 f"The console's page for them shows each system's state.\n")


def _expire(job: SyncJob, actor: Actor) -> SyncJob:
    reason = f"not taken within {settings.CONFIG.sync.give_up_hours} hours" + (f" ({job.reason})" if job.reason else "")
    _finish(job, SyncJob.Status.EXPIRED, reason=reason[:300])
    _audit(job, actor, Tag.SYNC_FAILED, Outcome.FAILURE, Reason.EXPIRED, error=job.reason)
    _tell_admins(job, f"password sync to {job.target} given up",
                 f"The new password of {job.user_id} (account {job.account}) could not be written to "
                 f"{job.target} within {settings.CONFIG.sync.give_up_hours} hours, and what a retry needed "
                 f"has been erased: the password there is still the old one until they set a new one.\n\n"
                 f"Last answer: {job.reason}\n")
    return job


def _tell_admins(job: SyncJob, subject: str, body: str) -> None:
    # One email per target and reason an hour: a target refusing everyone (a revoked key) must
    # not send one per person.
    key = hashlib.sha256(f"{job.target}:{job.status}:{job.reason}".encode()).hexdigest()[:32]
    if fraud.alert_once(f"sync:{key}", timedelta(hours=1)):
        fraud.alert_admins(settings.CONFIG, subject, body)


def _audit(job: SyncJob, actor: Actor, tag: Tag, outcome: Outcome, reason: Reason | None = None, **detail) -> None:
    # Never the secret: the job's number, the target, the account there and the target's words.
    record(actor, tag, subject=job.user_id, outcome=outcome, reason=reason,
           detail={"sync_job": job.pk, "target": job.target, "account": job.account, "attempts": job.attempts,
                   **detail})


# -- the worker's round -----------------------------------------------------------------------


def _waiting() -> "models.QuerySet[SyncJob]":
    return SyncJob.objects.filter(status=SyncJob.Status.PENDING)


def expire_overdue() -> int:
    """Jobs nobody holds that are past give_up_hours end now, secret and all."""
    now = timezone.now()
    cutoff = now - timedelta(hours=settings.CONFIG.sync.give_up_hours)
    overdue = claims.unclaimed(_waiting(), now).filter(created_at__lte=cutoff)
    ended = 0
    for job in list(overdue):
        _expire(job, Actor.system())
        ended += 1
    return ended


def run_once(batch: int = 20) -> int:
    """Retry what is due, one claimed job at a time; how many were tried."""
    claims.release_dead_claims(_waiting())
    expire_overdue()
    tried = 0
    for _ in range(batch):
        job = claims.claim_next(_waiting(), lambda _job: WORKER_LEASE)
        if job is None:
            break
        if job.target not in settings.CONFIG.sync.targets:
            _finish(job, SyncJob.Status.FAILED, reason="the target is no longer in [sync] targets")
            _audit(job, Actor.system(), Tag.SYNC_FAILED, Outcome.FAILURE, Reason.SYNC_REFUSED, error=job.reason)
            continue
        attempt(job, target_named(job.target))
        tried += 1
    return tried
