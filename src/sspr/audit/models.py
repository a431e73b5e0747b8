"""The audit trail: an append-only record of who did what to which account, from where.

Never store passwords, codes, answers or tokens here: detail holds plain facts (a reason, a
method kind, a masked destination).
"""

from django.db import connection, models, transaction
from django.utils.translation import gettext_lazy as _

from sspr.actors import Actor, Role

from . import syslog
from .logging import neutralise


class Tag(models.TextChoices):
    SIGNIN_SUCCESS = "signin:success", _("Signed in")
    SIGNIN_FAILURE = "signin:failure", _("Sign-in failed")
    SIGNOUT = "signout", _("Signed out")
    PASSWORD_CHANGE = "password:change", _("Password changed")
    PASSWORD_RESET = "password:reset", _("Password reset")
    ACCOUNT_UNLOCK = "account:unlock", _("Account unlocked")
    ACCOUNT_LOCK = "account:lock", _("Account locked")
    ACCOUNT_IMPORT = "account:import", _("Accounts imported")
    ACCOUNT_ADD = "account:add", _("Account added")
    METHOD_ADD = "method:add", _("Verification method added")
    METHOD_REMOVE = "method:remove", _("Verification method removed")
    METHODS_CLEAR = "methods:clear", _("All verification methods removed")
    DEVICES_FORGET = "devices:forget", _("Remembered devices forgotten")
    SESSIONS_END = "sessions:end", _("Sessions ended")
    PASS_ISSUE = "pass:issue", _("Temporary Access Pass issued")
    PASS_REVOKE = "pass:revoke", _("Temporary Access Pass revoked")
    CONSOLE_REFUSED = "console:refused", _("Console action refused")
    RESET_START = "reset:start", _("Reset or unlock started")
    VERIFY_SUCCESS = "verify:success", _("Identity verified")
    VERIFY_FAILURE = "verify:failure", _("Identity verification failed")
    PUSH_APPROVED = "push:approved", _("Request approved on a phone")
    PUSH_DENIED = "push:denied", _("Request denied on a phone")
    PUSH_REFUSED = "push:refused", _("Answer from a phone refused")
    APP_KEY_TAKEN = "app:key_taken", _("Authenticator app key taken by a phone")
    DELIVERY_QUEUED = "delivery:queued", _("Message queued")
    DELIVERY_SENT = "delivery:sent", _("Message sent")
    DELIVERY_DEFERRED = "delivery:deferred", _("Message delayed; will retry")
    DELIVERY_FAILED = "delivery:failed", _("Message could not be sent")
    DELIVERY_REFUSED = "delivery:refused", _("Message refused by our own rules")
    DELIVERY_CAP = "delivery:cap", _("Daily spending cap reached")
    ROSTER_IMPORT = "roster:import", _("Roster imported")
    API_READ = "api:read", _("Read through the API")
    API_REFUSED = "api:refused", _("API call refused")
    APIKEY_CREATE = "apikey:create", _("API key created")
    APIKEY_REVOKE = "apikey:revoke", _("API key revoked")
    AUDIT_PURGE = "audit:purge", _("Old audit events deleted")
    SYNC_DONE = "sync:done", _("Password synced to another system")
    SYNC_DEFERRED = "sync:deferred", _("Password sync delayed; will retry")
    SYNC_FAILED = "sync:failed", _("Password sync failed")
    REMINDER_REGISTRATION = "reminder:registration", _("Reminded to register verification methods")
    REMINDER_EXPIRY = "reminder:expiry", _("Reminded that the password expires soon")


class Outcome(models.TextChoices):
    SUCCESS = "success", _("Succeeded")
    FAILURE = "failure", _("Failed")           # a wrong answer: the person (or an attacker) got it wrong
    REFUSED = "refused", _("Refused")          # not attempted: a limit, a rule or a role said no
    ERROR = "error", _("Error")                # something of ours or a provider's broke
    STARTED = "started", _("Started")


class Reason(models.TextChoices):
    """Why something did not succeed: a closed set, so reports can count by it."""

    WRONG_PASSWORD = "wrong_password", _("Wrong user ID or password")
    ACCOUNT_LOCKED = "account_locked", _("Account locked")
    ACCOUNT_DISABLED = "account_disabled", _("Account disabled")
    OPERATOR_ACCOUNT = "operator_account", _("Operator account")
    DIRECTORY_UNAVAILABLE = "directory_unavailable", _("Directory unavailable")
    WRONG_ANSWER = "wrong_answer", _("Wrong answer")
    EXPIRED = "expired", _("Expired or no longer valid")
    ALREADY_USED = "already_used", _("Already used")
    COOL_DOWN = "cool_down", _("Cool-down after too many attempts")
    RATE_LIMITED = "rate_limited", _("Too many requests")
    DELIVERY_UNAVAILABLE = "delivery_unavailable", _("Delivery unavailable")
    DELIVERY_FAILED = "delivery_failed", _("Delivery failed")
    REFUSED_BY_POLICY = "refused_by_policy", _("Refused by policy")
    SPENDING_CAP = "spending_cap", _("Daily spending cap reached")
    CANNOT_HELP = "cannot_help", _("Unknown, disabled or unregistered account")
    METHOD_UNREADABLE = "method_unreadable", _("Method cannot be checked")
    NOT_ALLOWED = "not_allowed", _("Not allowed for this role")
    NO_SECOND_STEP = "no_second_step", _("No second step set up")
    SUSPECTED_ATTACK = "suspected_attack", _("Suspected attack: the person said it wasn't them")
    SYNC_REFUSED = "sync_refused", _("Refused by the other system")
    SYNC_UNAVAILABLE = "sync_unavailable", _("Other system unavailable")


# The actor's role as the audit trail's readers see it.
ROLE_LABELS = {Role.PERSON: _("person"), Role.HELPDESK: _("help desk"), Role.SCHOOL_HELPDESK: _("school help desk"),
               Role.TEACHER: _("teacher"), Role.AUDITOR: _("auditor"), Role.ADMIN: _("admin"),
               Role.CLI: _("command line"), Role.SYSTEM: _("system"), Role.API: _("API key")}


class AppendOnly(Exception):
    pass


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly("audit events are never changed")

    def delete(self):
        raise AppendOnly("audit events are never deleted")


class AuditEvent(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    tag = models.CharField(max_length=40, choices=Tag.choices, db_index=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.SUCCESS)
    reason = models.CharField(max_length=40, choices=Reason.choices, blank=True)
    actor = models.CharField(max_length=254, blank=True)
    actor_role = models.CharField(max_length=20, blank=True)
    subject = models.CharField(max_length=254, blank=True, db_index=True)
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["tag", "created_at"], name="audit_tag_time")]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.tag} {self.subject} {self.outcome}"

    @property
    def role_label(self) -> str:
        known = self.actor_role in {str(role) for role in Role}
        return str(ROLE_LABELS[Role(self.actor_role)]) if known else self.actor_role

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnly("audit events are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("audit events are never deleted")


def purge(before) -> int:
    """Delete the events older than before: the one deliberate way out of the append-only table
    (the retention of `[audit] retention_days`); the caller records the purge itself."""
    return models.QuerySet.delete(AuditEvent.objects.filter(created_at__lt=before))[0]


def plain(value):
    """A detail value as stored: numbers and booleans stay what they are (reports add them up);
    anything else becomes neutralised text."""
    if isinstance(value, bool | int | float) or value is None:
        return value
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return neutralise(str(value))


def record(actor: Actor, tag: Tag, *, subject: str = "", outcome: Outcome = Outcome.SUCCESS,
           reason: Reason | None = None, detail: dict | None = None) -> AuditEvent:
    """Write one event: who acted (and as what, from where), on whom, and how it ended; and, when
    `[audit] syslog` is set, forward it once it is committed (syslog.py)."""
    with transaction.atomic():
        writing()
        event = _create(actor, tag, subject=subject, outcome=outcome, reason=reason, detail=detail)
    syslog.forward(event)
    return event


# The feed's lock (sspr.audit.feed): on PostgreSQL, ids come from a sequence when a row is
# inserted, and transactions commit in any order, so a reader could see event 11 before event 10
# is committed. Every writer holds this lock shared until its transaction ends; the feed takes it
# exclusively for a moment, so the highest id it then sees has every lower id committed.
FEED_LOCK = 0x55_50_52_41  # any fixed 64-bit number; "SSPR" and "A"udit


def writing() -> None:
    """Mark this transaction as one that writes audit events (PostgreSQL only; SQLite has one
    writer at a time, whose ids are committed in order)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [FEED_LOCK])


def _create(actor: Actor, tag: Tag, *, subject: str, outcome: Outcome, reason: Reason | None,
            detail: dict | None) -> AuditEvent:
    return AuditEvent.objects.create(
        tag=tag,
        outcome=Outcome(outcome),
        reason=Reason(reason) if reason else "",
        actor=neutralise(actor.user_id)[:254],
        actor_role=str(actor.role),
        subject=neutralise(subject)[:254],
        client_ip=actor.client_ip,
        user_agent=neutralise(actor.user_agent)[:300],
        detail={key: plain(value) for key, value in (detail or {}).items()},
    )
