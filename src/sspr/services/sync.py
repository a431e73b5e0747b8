"""Password sync targets (Google Workspace, Microsoft 365, a second directory): every new
password is handed to each configured target, in order, after the directory took it. A target's
failure never undoes the directory's change: a transient one is left to the worker's retries
(sync/queue.py), a permanent one is audited, emailed to the admins and shown to the person."""

import logging
from dataclasses import dataclass

from sspr.actors import Actor
from sspr.directory.base import DirectoryUser
from sspr.sync import SyncFailed, configured_targets, queue, target_named
from sspr.sync.models import SyncJob

log = logging.getLogger("sspr.sync")


@dataclass(frozen=True)
class TargetState:
    target: str  # the registry's name
    label: str  # what people call it ("Google"), in the current language
    status: str  # SyncJob.Status: done, pending, failed, expired
    account: str = ""
    reason: str = ""  # the target's last words (for staff, never for the person)
    attempts: int = 0
    when: object = None  # when it was set, or when it is tried next

    @property
    def done(self) -> bool:
        return self.status == SyncJob.Status.DONE

    @property
    def pending(self) -> bool:
        return self.status == SyncJob.Status.PENDING


def push_password(actor: Actor, person: DirectoryUser, new_password: str, *, must_change: bool) -> list[TargetState]:
    """Each target's state once it has been tried: taken, left for the worker, or refused."""
    states, user_id = [], person.user_id.lower()
    for target in configured_targets():
        try:
            prepared = target.prepare(person, new_password)
        except SyncFailed as exc:
            job = queue.refused_at_once(target, user_id, target.account_for(person), exc, actor)
        else:
            job = queue.attempt(queue.start(target, user_id, prepared, must_change=must_change), target, actor)
        states.append(state_of(job, target.label))
    return states


def state_of(job: SyncJob, label: str) -> TargetState:
    when = job.next_attempt_at if job.status == SyncJob.Status.PENDING else job.finished_at
    return TargetState(job.target, label, SyncJob.Status(job.status).value, job.account, job.reason, job.attempts,
                       when)


def states_for(user_id: str) -> list[TargetState]:
    """The latest password handed to each configured target for this person, for the help desk
    (targets never handed one have no row)."""
    from django.conf import settings

    states = []
    for name in settings.CONFIG.sync.targets:
        job = SyncJob.objects.filter(user_id=user_id.lower(), target=name).first()
        if job is not None:
            states.append(state_of(job, target_named(name).label))
    return states


def retry_due() -> int:
    """The worker's round: retry what is due, end what is overdue. Never raises: the worker's
    sending must go on whatever a target does."""
    try:
        return queue.run_once()
    except Exception:
        log.exception("sync: a round of retries failed; trying again next round")
        return 0
