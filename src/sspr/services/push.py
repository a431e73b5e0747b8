"""What a phone running the portal's authenticator app (/app/) may do: join a person's
"approve sign-ins" method through a pairing link, ask which requests wait for it, and answer one.
The kind (sspr.methods.kinds.push) judges signatures, numbers and freshness; this adds what
follows each answer: the method made on a pairing's first approval, the audit record, and for
"No, it's not me" the notice on another channel and the person's cool-down. The app may also
take a waiting authenticator-app key, to show its codes (take_code_key)."""

from dataclasses import dataclass

from django.conf import settings
from django.utils import translation

from sspr.accounts.models import User
from sspr.actors import Actor
from sspr.audit.models import Outcome, Reason, Tag, record
from sspr.directory.base import DirectoryUnavailable, UnknownUser
from sspr.methods.kinds import kind
from sspr.methods.kinds.push import APPROVED, DENIED, AnswerRefused, denials

from . import people
from .methods import add_method
from .notices import notify_account_change

# Why an answer was refused, as the audit trail's readers know the reasons.
REASONS = {"unknown_device": Reason.REFUSED_BY_POLICY, "unknown_pairing": Reason.EXPIRED,
           "bad_key": Reason.REFUSED_BY_POLICY, "bad_signature": Reason.WRONG_ANSWER,
           "bad_answer": Reason.WRONG_ANSWER, "unknown_request": Reason.REFUSED_BY_POLICY,
           "answered": Reason.ALREADY_USED, "expired": Reason.EXPIRED, "stale": Reason.EXPIRED,
           "unknown_offer": Reason.EXPIRED}


@dataclass(frozen=True)
class Waiting:
    """A request as the phone is told of it: no user ID, no password, no address; the
    approximate place, when the portal has a database of places."""

    id: str
    application: str
    created: str
    expires: str
    place: str


def _push():
    return kind("push")


def register_phone(actor: Actor, token: str, public_key: str, subscription, name: str, language: str = "") -> str:
    """A phone answers a pairing link; its device id. Raises AnswerRefused."""
    try:
        return _push().register(token, public_key, subscription, name, language)
    except AnswerRefused as exc:
        record(actor, Tag.PUSH_REFUSED, outcome=Outcome.REFUSED, reason=REASONS[exc.why],
               detail={"step": "pair", "why": exc.why})
        raise


def waiting(actor: Actor, device_id: str, when: str, signature: str) -> list[Waiting]:
    """The requests waiting for this phone (its question is signed). Raises AnswerRefused,
    unaudited: a phone asks every few seconds, and a refusal tells it nothing."""
    language = translation.get_language() or settings.LANGUAGE_CODE  # the app's page's
    return [Waiting(r.public_id, r.application, r.created_at.isoformat(), r.expires_at.isoformat(),
                    r.place.get(language, r.place.get(settings.LANGUAGE_CODE, "")))
            for r in _push().waiting_for(device_id, when, signature)]


def answer(actor: Actor, device_id: str, request_id: str, number: str, decision: str, signature: str) -> str:
    """A phone's signed answer: "approved", "denied" or "wrong_number". Raises AnswerRefused."""
    push = _push()
    try:
        request, device = push.answer(device_id, request_id, number, decision, signature)
    except AnswerRefused as exc:
        record(actor, Tag.PUSH_REFUSED, outcome=Outcome.REFUSED, reason=REASONS[exc.why],
               detail={"step": "answer", "why": exc.why})
        raise
    user = User.objects.get(pk=request.user_id)
    actor = actor.as_user(user.user_id)
    detail = {"application": request.application, "phone": (device.method or device.pairing).name}
    if request.decision == APPROVED:
        record(actor, Tag.PUSH_APPROVED, subject=user.user_id, detail=detail)
        if device.pairing is not None:
            # The phone has proved it holds its key and its person sees the number: now a method.
            add_method(actor, user, "push", name=device.pairing.name, data={
                "device_id": device.device_id, "public_key": device.pairing.public_key,
                "subscription": device.pairing.subscription, "language": device.pairing.language})
    elif request.decision == DENIED:
        record(actor, Tag.PUSH_DENIED, subject=user.user_id, outcome=Outcome.FAILURE, reason=Reason.SUSPECTED_ATTACK,
               detail=detail)
        if device.pairing is None:
            denials().acquire(f"user:{user.pk}")
            _tell_owner(actor, user, request.application)
    else:
        record(actor, Tag.PUSH_REFUSED, subject=user.user_id, outcome=Outcome.FAILURE, reason=Reason.WRONG_ANSWER,
               detail={**detail, "why": "wrong_number"})
    return request.decision


def take_code_key(actor: Actor, token: str) -> dict:
    """The app takes a waiting authenticator-app key through the registration page's one-time
    link, to show its codes. Raises AnswerRefused("unknown_offer")."""
    key = kind("totp").take_from_app(token)
    if key is None:
        record(actor, Tag.PUSH_REFUSED, outcome=Outcome.REFUSED, reason=REASONS["unknown_offer"],
               detail={"step": "code", "why": "unknown_offer"})
        raise AnswerRefused("unknown_offer")
    record(actor.as_user(key["account"]), Tag.APP_KEY_TAKEN, subject=key["account"])
    return key


def _tell_owner(actor: Actor, user: User, application: str) -> None:
    """Someone with the password may be trying: say so by email, where the attacker is not."""
    try:
        person = people.profile(user)
    except (UnknownUser, DirectoryUnavailable):
        return
    notify_account_change(actor, person, "methods/email/push_denied", extra={"application": application})
