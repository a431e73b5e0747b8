"""What staff do at the console, on someone else's account: each action is allowed by role and
scope (`staff.authorize`), counted toward the operator's hourly limit, carried out by the same
service a self-service page calls, told to the person, and audited with the operator's role, the
verification of the caller (or the reason typed for acting without it)."""

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from sspr.accounts.models import User
from sspr.actors import Actor
from sspr.audit.models import AuditEvent, Tag, record
from sspr.directory.base import DirectoryUser, UnknownUser
from sspr.methods import passes
from sspr.methods.kinds import kind
from sspr.methods.models import TemporaryPass
from sspr.methods.rules import registered_count, rules_for
from sspr.passwords.wordlists import suggest_passphrase
from sspr.roster import queries as roster

from . import accounts, methods, passwords, people, sync
from .errors import PasswordRefused, ServiceError
from .notices import notify_staff_action
from .staff import Action, NotAllowed, Staff, authorize, count_action, refusal

GENERATION_TRIES = 20   # a generated passphrase that the policy refuses (a context word) is drawn again


class ProofMissing(ServiceError):
    """Neither a verified caller nor a typed reason: the action is not taken."""


@dataclass(frozen=True)
class Proof:
    """How the operator knows who they are helping: the kind of method the caller proved in the
    console's check (`verified`), "in class" for a teacher with their student, or a reason typed
    for acting without either."""

    verified: str = ""
    reason: str = ""

    def __bool__(self) -> bool:
        return bool(self.verified or self.reason.strip())

    def detail(self) -> dict:
        reason = self.reason.strip()[:500]
        return {"verification": self.verified or "none", **({"reason": reason} if reason else {})}


def in_class() -> Proof:
    return Proof(verified="in class")


def person_for(actor: Actor, staff: Staff, user_id: str, action: Action) -> DirectoryUser:
    """The person staff want to take action on, once they may (the console's pages and the API
    alike). Raises UnknownUser, or NotAllowed (audited)."""
    target = people.find(user_id)
    authorize(actor, staff, target, action)
    return target


def begin(actor: Actor, staff: Staff, target: DirectoryUser, action: Action, proof: Proof) -> dict:
    """Check and count one action; the audit detail it is to be recorded with."""
    authorize(actor, staff, target, action)
    if not proof:
        raise ProofMissing(_("Verify the caller first, or type why you are acting without verification."))
    count_action(actor, staff, target, action)
    return {"role": str(staff.role), **proof.detail()}


def local_user(target: DirectoryUser) -> User:
    """The person's local row, created when staff act before their first sign-in (a pass for a
    student who never signed in needs one)."""
    user = people.local_user(target)
    if user is None:  # an operator's user ID: never acted on from the console
        raise NotAllowed(_("This account cannot be changed here."))
    return user


def unlock(actor: Actor, staff: Staff, target: DirectoryUser, proof: Proof) -> None:
    detail = begin(actor, staff, target, Action.UNLOCK, proof)
    accounts.unlock(actor, target, detail=detail)


@dataclass(frozen=True)
class NewPassword:
    password: str   # shown once to the operator when generated; never stored or logged
    generated: bool
    # Each sync target's state after its first try ([sync] targets order): what to tell the caller.
    synced: tuple[sync.TargetState, ...] = ()


def reset_password(actor: Actor, staff: Staff, target: DirectoryUser, proof: Proof, *, typed: str = "",
                   must_change: bool = True) -> NewPassword:
    """Set the typed password, or a generated passphrase, through the policy pipeline. Raises
    PasswordRefused for a typed one the policy refuses."""
    detail = begin(actor, staff, target, Action.RESET, proof)
    new = typed or _generated(target)
    done = passwords.set_password(actor, target, new, must_change=must_change,
                                  detail={**detail, "generated": not typed})
    return NewPassword(new, generated=not typed, synced=done.targets)


def _generated(target: DirectoryUser) -> str:
    for _try in range(GENERATION_TRIES):
        candidate = suggest_passphrase(language=get_language() or "en")
        if not passwords.problems(target, candidate):
            return candidate
    raise PasswordRefused([_("No passphrase could be generated that meets the policy; type one instead.")])


def issue_pass(actor: Actor, staff: Staff, target: DirectoryUser, proof: Proof) -> tuple[TemporaryPass, str]:
    detail = begin(actor, staff, target, Action.ISSUE_PASS, proof)
    return _issue_pass(actor, target, detail)


def _issue_pass(actor: Actor, target: DirectoryUser, detail: dict, batch: str = "") -> tuple[TemporaryPass, str]:
    """A pass for target (its row, and the pass, shown once), told to them and audited."""
    config = settings.CONFIG.console
    row, code = passes.issue(local_user(target), uses=config.pass_uses, hours=config.pass_hours,
                             issued_by=actor.user_id, batch=batch)
    notify_staff_action(actor, target, Tag.PASS_ISSUE.label)
    record(actor, Tag.PASS_ISSUE, subject=target.user_id,
           detail={**detail, "uses": row.uses, "hours": config.pass_hours, **({"sheet": batch} if batch else {})})
    return row, code


def revoke_pass(actor: Actor, staff: Staff, target: DirectoryUser, pass_pk: int) -> bool:
    """Revoking is always allowed to whoever may issue: it only takes a way in away."""
    authorize(actor, staff, target, Action.REVOKE_PASS)
    user = people.existing_user(target.user_id)
    if user is None or not passes.revoke(user, pass_pk):
        return False
    record(actor, Tag.PASS_REVOKE, subject=target.user_id, detail={"role": str(staff.role), "passes": 1})
    return True


def clear_methods(actor: Actor, staff: Staff, target: DirectoryUser, proof: Proof, *,
                  method_pk: int | None = None) -> int:
    """All of the person's security info, or one method; they register again at next sign-in."""
    action = Action.CLEAR_METHODS if method_pk is None else Action.REMOVE_METHOD
    detail = begin(actor, staff, target, action, proof)
    user = local_user(target)
    if method_pk is not None:
        removed = methods.remove_method(actor, user, method_pk, detail=detail)
        return int(removed is not None)
    removed_count = accounts.clear_methods(actor, user, detail=detail)
    notify_staff_action(actor, target, Tag.METHODS_CLEAR.label)
    return removed_count


def forget_devices(actor: Actor, staff: Staff, target: DirectoryUser, proof: Proof) -> int:
    detail = begin(actor, staff, target, Action.FORGET_DEVICES, proof)
    forgotten = accounts.forget_devices(actor, local_user(target), detail=detail)
    notify_staff_action(actor, target, Tag.DEVICES_FORGET.label)
    return forgotten


def end_sessions(actor: Actor, staff: Staff, target: DirectoryUser, proof: Proof) -> None:
    detail = begin(actor, staff, target, Action.END_SESSIONS, proof)
    accounts.end_sessions(actor, local_user(target), detail=detail)
    notify_staff_action(actor, target, Tag.SESSIONS_END.label)


@dataclass(frozen=True)
class MethodRow:
    pk: int
    label: str
    detail: str          # masked: the help desk never reads a whole number or address off the page
    added: object
    last_used: object


@dataclass(frozen=True)
class PersonStatus:
    """What the console's person page shows."""

    person: DirectoryUser
    user: User | None        # None until their first sign-in
    methods: list[MethodRow]
    required: int
    registered: int          # kinds registered that their groups allow
    devices: list
    passes: list[TemporaryPass]
    events: list

    @property
    def is_registered(self) -> bool:
        return self.registered >= self.required


def is_registered(target: DirectoryUser) -> bool:
    """Whether the person has registered as many methods as their rules require (a class list
    asks this of every student: no more than the one query it needs)."""
    user = people.existing_user(target.user_id)
    kinds = user.methods.values_list("kind", flat=True) if user is not None else []
    rules = rules_for(target.groups)
    return registered_count(kinds, rules) >= rules.required


def status(target: DirectoryUser, *, events: int = 20) -> PersonStatus:
    user = people.existing_user(target.user_id)
    rules = rules_for(target.groups)
    registered_methods = list(user.methods.all()) if user is not None else []
    rows = [MethodRow(m.pk, str(kind(m.kind).label), kind(m.kind).describe(m), m.created_at, m.last_used_at)
            for m in registered_methods]
    devices = list(user.devices.all()) if user is not None else []
    live = passes.live_passes(user) if user is not None else []
    registered = registered_count((m.kind for m in registered_methods), rules)
    recent = list(AuditEvent.objects.filter(subject__in={target.user_id, target.user_id.lower()})[:events])
    return PersonStatus(target, user, rows, rules.required, registered, devices, live, recent)


# Teachers and their classes
@dataclass(frozen=True)
class Student:
    person: DirectoryUser
    registered: bool


def taught_section(staff_member: Staff, sourced_id: str):
    """One of the teacher's sections, by the roster's own id (an import replaces every row, so
    primary keys do not last). Raises NotAllowed for any other, existing or not."""
    section = next((taught for taught in roster.sections_taught_by(staff_member.user_id)
                    if taught.sourced_id == sourced_id), None)
    if section is None:
        raise NotAllowed(_("This is not one of your classes."))
    return section


def students(staff_member: Staff, section) -> list[Student]:
    """The students of one of the teacher's sections (from taught_section), with what the class
    list shows."""
    found = []
    for user_id in roster.students_of(section):
        try:
            person = people.find(user_id)
        except UnknownUser:  # left the directory since the roster was imported
            continue
        found.append(Student(person, is_registered(person)))
    return sorted(found, key=lambda student: (student.person.display_name or student.person.user_id).casefold())


@dataclass(frozen=True)
class SheetEntry:
    person: DirectoryUser
    code: str
    expires_at: object


def class_sheet(actor: Actor, staff_member: Staff, section) -> tuple[str, list[SheetEntry]]:
    """A pass for every student of the section whom the teacher may help, tied by one batch id;
    the sheet counts as one action toward the teacher's hourly limit."""
    entries = [student.person for student in students(staff_member, section)
               if not refusal(staff_member, student.person, Action.ISSUE_PASS)]
    if not entries:
        raise NotAllowed(_("Nobody in this class can get a pass from you."))
    count_action(actor, staff_member, entries[0], Action.ISSUE_PASS)
    batch, sheet = secrets.token_hex(8), []
    detail = {"role": str(staff_member.role), **in_class().detail(), "section": section.sourced_id}
    for person in entries:
        row, code = _issue_pass(actor, person, detail, batch)
        sheet.append(SheetEntry(person, code, row.expires_at))
    return batch, sheet


def sheets(staff_member: Staff, section) -> list[dict]:
    """The sheets printed for this section by this teacher: batch, when, live passes left."""
    user_ids = [uid.lower() for uid in roster.students_of(section)]
    rows = TemporaryPass.objects.filter(issued_by=staff_member.user_id, user__user_id__in=user_ids).exclude(batch="")
    found: dict[str, dict] = {}
    for row in rows:
        sheet = found.setdefault(row.batch, {"batch": row.batch, "issued_at": row.issued_at, "live": 0})
        sheet["live"] += int(row.is_live())
    return sorted(found.values(), key=lambda sheet: sheet["issued_at"], reverse=True)


def void_sheet(actor: Actor, staff_member: Staff, batch: str) -> int:
    """Revoke every pass of a sheet the operator printed."""
    mine = TemporaryPass.objects.filter(batch=batch, issued_by=staff_member.user_id, revoked_at=None)
    subjects = list(mine.values_list("user__user_id", flat=True))
    voided = passes.revoke_rows(mine)
    for subject in subjects:
        record(actor, Tag.PASS_REVOKE, subject=subject, detail={"role": str(staff_member.role), "sheet": batch})
    return voided
