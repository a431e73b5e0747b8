"""Who may do what in the console. Rights come from directory groups (`[roles]`); each role has a
rank, and nobody acts on someone of equal or higher rank, nor on themselves (that is
self-service). A school help desk acts only within its own school, a teacher only on the students
of their own classes, an auditor on nobody. Every refusal is audited, with the sentence shown."""

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from django.conf import settings
from django.utils.translation import gettext as _

from sspr.actors import Actor, Role
from sspr.audit.models import Outcome, Reason, Tag, record
from sspr.delivery import fraud
from sspr.directory.base import DirectoryUser
from sspr.limits import Limit, claim_once
from sspr.roster import queries as roster

from .errors import ServiceError, TooManyAttempts

RANKS: dict[Role, float] = {Role.ADMIN: 4, Role.HELPDESK: 3, Role.SCHOOL_HELPDESK: 2, Role.AUDITOR: 2, Role.TEACHER: 1}
ADMIN_GROUP_RANK = 3.5        # members of reset.admin_groups: only an admin changes them
CONSOLE_ROLES = tuple(RANKS)  # in the order of [roles]' keys' meaning, highest first
# The roles an API key may act with: a teacher's rights rest on their own classes, which a key has not.
KEY_ROLES = (Role.ADMIN, Role.HELPDESK, Role.SCHOOL_HELPDESK, Role.AUDITOR)


class Action(StrEnum):
    """What staff do to an account; the value is the audit tag of the action."""

    UNLOCK = Tag.ACCOUNT_UNLOCK
    RESET = Tag.PASSWORD_RESET
    ISSUE_PASS = Tag.PASS_ISSUE
    REVOKE_PASS = Tag.PASS_REVOKE
    CLEAR_METHODS = Tag.METHODS_CLEAR
    REMOVE_METHOD = Tag.METHOD_REMOVE
    FORGET_DEVICES = Tag.DEVICES_FORGET
    END_SESSIONS = Tag.SESSIONS_END
    VERIFY_CALLER = Tag.VERIFY_SUCCESS
    VIEW = "console:view"


# What a teacher may do for a student of their class: the rest is the help desk's.
TEACHER_ACTIONS = {Action.VIEW, Action.UNLOCK, Action.RESET, Action.ISSUE_PASS, Action.REVOKE_PASS}


class NotAllowed(ServiceError):
    """The operator's role does not allow this action on this person: a 403 with message."""

    reason = Reason.NOT_ALLOWED

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def roles_of(groups) -> set[Role]:
    config, groups = settings.CONFIG.roles, set(groups)
    return {role for role in CONSOLE_ROLES if groups & set(getattr(config, str(role)))}


@dataclass(frozen=True)
class Staff:
    """A member of staff as the console sees them: their directory account and their roles. An
    API key is one too (`for_key`): a stand-in account named after the key, with the key's one
    role and school, so the same rules decide what it may do."""

    person: DirectoryUser
    roles: frozenset[Role]
    key_name: str = ""   # set for an API key: it acts as Role.API, audited by the key's name

    @classmethod
    def of(cls, person: DirectoryUser) -> "Staff | None":
        roles = roles_of(person.groups)
        return cls(person, frozenset(roles)) if roles else None

    @classmethod
    def for_key(cls, name: str, role: Role, school: str = "") -> "Staff":
        if role not in KEY_ROLES:
            raise ValueError(f"an API key cannot have the role {role}")
        stand_in = DirectoryUser(user_id=f"api:{name}", display_name=name, department=school)
        return cls(stand_in, frozenset({role}), key_name=name)

    @property
    def role(self) -> Role:
        """The highest role: the one the audit trail records."""
        return max(self.roles, key=lambda role: RANKS[role])

    @property
    def rank(self) -> float:
        return RANKS[self.role]

    @property
    def user_id(self) -> str:
        return self.person.user_id

    @property
    def school(self) -> str:
        return self.person.department

    def actor(self, client_ip: str | None = None, user_agent: str = "") -> Actor:
        if self.key_name:
            return Actor.api_key(self.key_name, client_ip=client_ip, user_agent=user_agent)
        return Actor.staff(self.role, self.user_id, client_ip=client_ip, user_agent=user_agent)

    # What the console shows them
    @property
    def finds_people(self) -> bool:
        """Searching the directory: the help desks and admins (a teacher has their classes)."""
        return bool(self.roles & {Role.ADMIN, Role.HELPDESK, Role.SCHOOL_HELPDESK})

    @property
    def teaches(self) -> bool:
        return Role.TEACHER in self.roles

    @property
    def reads_audit(self) -> bool:
        return bool(self.roles & {Role.ADMIN, Role.AUDITOR})

    @property
    def reads_reports(self) -> bool:
        """The reports page: admins and auditors for the district, a school help desk for its school."""
        return bool(self.roles & {Role.ADMIN, Role.AUDITOR, Role.SCHOOL_HELPDESK})

    @property
    def manages_keys(self) -> bool:
        """API keys: an admin's (a key is as strong as the role it is made with)."""
        return Role.ADMIN in self.roles and not self.key_name

    @property
    def school_only(self) -> bool:
        """Scoped to their own school: a school help desk without a wider role."""
        return self.role == Role.SCHOOL_HELPDESK

    @property
    def link_label(self) -> str:
        """How My account names the console for them."""
        if self.finds_people:
            return _("Help desk")
        if self.teaches:
            return _("My classes")
        return _("Audit trail")


def rank_of(person: DirectoryUser) -> float:
    ranks = [RANKS[role] for role in roles_of(person.groups)]
    if set(person.groups) & set(settings.CONFIG.reset.admin_groups):
        ranks.append(ADMIN_GROUP_RANK)
    return max(ranks, default=0)


def refusal(staff: Staff, target: DirectoryUser, action: Action) -> str:
    """Why staff may not take action on target, as the sentence to show; "" when they may."""
    acting = action != Action.VIEW  # the help desk may look at anyone in scope, and act on fewer
    if acting and target.user_id.lower() == staff.user_id.lower():
        return _("Use My account and Security info for your own account.")
    if staff.roles == {Role.AUDITOR}:
        return _("Your role reads reports and the audit trail only.")
    if acting and staff.finds_people and rank_of(target) >= staff.rank:
        return _("This person has the same or higher rights than you. Ask an administrator.")
    if staff.finds_people:
        if staff.school_only and (not staff.school or target.department.casefold() != staff.school.casefold()):
            return _("This person is not in your school.")
        return ""
    student = rank_of(target) == 0 and not roster.is_roster_staff(target.user_id)
    if not (student and roster.teaches(staff.user_id, target.user_id)):
        return _("This person is not a student in one of your classes.")
    if action not in TEACHER_ACTIONS:
        return _("Ask the help desk to do this.")
    return ""


def authorize(actor: Actor, staff: Staff, target: DirectoryUser, action: Action) -> None:
    """Raise NotAllowed (audited) unless staff may take action on target."""
    if message := refusal(staff, target, action):
        record(actor, Tag.CONSOLE_REFUSED, subject=target.user_id, outcome=Outcome.REFUSED, reason=Reason.NOT_ALLOWED,
               detail={"action": str(action)})
        raise NotAllowed(message)


def actions_per_hour(staff: Staff) -> Limit:
    maximum = getattr(settings.CONFIG.console.actions_per_hour, str(staff.role), 1)
    return Limit(f"console-actions:{staff.role}", maximum, timedelta(hours=1))


def count_action(actor: Actor, staff: Staff, target: DirectoryUser, action: Action) -> None:
    """One more action by this operator; TooManyAttempts past their hourly limit, and the first
    refusal in an hour tells the admins (someone's account may be in the wrong hands)."""
    decision = actions_per_hour(staff).acquire(staff.user_id.lower())
    if decision:
        return
    record(actor, Tag.CONSOLE_REFUSED, subject=target.user_id, outcome=Outcome.REFUSED, reason=Reason.RATE_LIMITED,
           detail={"action": str(action)})
    if claim_once("console-alert", staff.user_id.lower(), timedelta(hours=1)):
        alert_admins(staff)
    raise TooManyAttempts(decision.retry_after)


def alert_admins(staff: Staff) -> None:
    body = (f"{staff.user_id} ({staff.role}) reached the console's limit of {actions_per_hour(staff).maximum} "
            "actions an hour; further actions are refused until the hour has passed.\n"
            "If this was not expected, check the audit trail for this operator.\n")
    fraud.alert_admins(settings.CONFIG, "A console limit was reached", body)


def searches_per_hour() -> Limit:
    return Limit("console-search", settings.CONFIG.console.searches_per_hour, timedelta(hours=1))


def count_search(actor: Actor, staff: Staff) -> None:
    """One more search by this operator; TooManyAttempts (audited) past their hourly limit."""
    decision = searches_per_hour().acquire(staff.user_id.lower())
    if not decision:
        record(actor, Tag.CONSOLE_REFUSED, outcome=Outcome.REFUSED, reason=Reason.RATE_LIMITED,
               detail={"action": "search"})
        raise TooManyAttempts(decision.retry_after)
