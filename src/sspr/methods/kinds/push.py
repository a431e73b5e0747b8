"""Approving a request on the portal's own authenticator app (/app/), with number matching.

The page that asks shows a two-digit number and waits; the person's phones are told (Web Push,
and the app asks the portal itself while it is open) and show "Are you trying to sign in?"; the
person types the number and approves, or says "No, it's not me". Each phone holds a P-256 key
that cannot leave it (WebCrypto, non-extractable) and signs its answer: (request, number,
decision). The portal accepts an answer only when the signature is that of a phone of this very
person, the number is the one shown, the request is still fresh (`push.request_seconds`, 60 s)
and has not been answered before; a wrong number ends the request, as a denial does. Typing the
number is what defeats "MFA fatigue": a tap on a request someone else started proves nothing,
since only the person in front of the sign-in page sees the number.

A phone joins through a one-time link (a QR code on the registration page) and becomes a method
only when it approves its first request, the pairing's own, so a key nobody has used yet is never
offered at sign-in. What a phone is told about a request is its kind ("sign in", "reset"), its
time and its end: never the person's password, user ID or address.
"""

import hmac
import secrets
import time
from datetime import timedelta

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sspr.audit.models import Reason
from sspr.limits import Limit

from .. import webpush
from ..attempts import wait_message
from ..base import Challenge, MethodKind, VerificationFailed
from ..models import Method, PushPairing, PushRequest, keyed_hash
from ..places import place_of

PAIRING_MINUTES = 10
LANGUAGES = {code for code, _name in settings.LANGUAGES}
APPROVED, DENIED, WRONG_NUMBER = "approved", "denied", "wrong_number"
ANSWER_CONTEXT, POLL_CONTEXT = "sspr-push-answer", "sspr-push-poll"


class AnswerRefused(Exception):
    """A phone's answer or question that is not accepted; `why` is for the audit trail and the
    app (it never says more than the phone could know)."""

    def __init__(self, why: str):
        super().__init__(why)
        self.why = why


def public_key(encoded: str) -> ec.EllipticCurvePublicKey:
    """A phone's public key: base64url of the uncompressed P-256 point (WebCrypto's "raw")."""
    raw = webpush.unb64url(encoded)
    if len(raw) != 65 or raw[0] != 4:
        raise ValueError("not an uncompressed P-256 point")
    return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)


def signed_by(encoded_key: str, message: str, signature: str) -> bool:
    """Whether `signature` (WebCrypto's ECDSA output, r||s in base64url) signs `message` with
    SHA-256 under the phone's key."""
    try:
        raw = webpush.unb64url(signature)
        if len(raw) != 64:
            return False
        der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
        public_key(encoded_key).verify(der, message.encode(), ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError):
        return False
    return True


def answer_message(request_id: str, number: str, decision: str) -> str:
    return f"{ANSWER_CONTEXT}\n{request_id}\n{number}\n{decision}"


def poll_message(device_id: str, when: int) -> str:
    return f"{POLL_CONTEXT}\n{device_id}\n{when}"


def number_hash(public_id: str, number: str) -> str:
    return keyed_hash(f"push-number:{public_id}:{number}")


def denials() -> Limit:
    """Denials per person: past the maximum, no new request until the window has passed."""
    config = settings.CONFIG.push
    return Limit("push-denials", config.denials_before_cooldown, timedelta(minutes=config.denial_window_minutes))


def application_of(purpose: str) -> str:
    """What a request is for, as the phone says it: the flow's plan ("signin", "reset"...)."""
    return purpose.partition(":")[0][:40] or "signin"


class Device:
    """A phone that may ask and answer: a registered method, or one being paired."""

    def __init__(self, device_id: str, user_id: int, key: str, method: Method | None = None,
                 pairing: PushPairing | None = None):
        self.device_id, self.user_id, self.key, self.method, self.pairing = device_id, user_id, key, method, pairing

    @classmethod
    def find(cls, device_id: str) -> "Device | None":
        if not device_id or len(device_id) > 64:
            return None
        method = Method.objects.filter(kind=PushApproval.kind, data__device_id=device_id).first()
        if method is not None:
            return cls(device_id, method.user_id, method.data["public_key"], method=method)
        pairing = PushPairing.objects.filter(device_id=device_id, registered_at__isnull=False).first()
        if pairing is not None and pairing.expires_at > timezone.now():
            return cls(device_id, pairing.user_id, pairing.public_key, pairing=pairing)
        return None

    def may_answer(self, request: PushRequest) -> bool:
        if request.user_id != self.user_id:
            return False
        if self.pairing is not None:
            return request.pairing_id == self.pairing.pk
        return request.pairing_id is None

    def requests(self):
        """The requests this phone may see and answer: a paired phone's own person's, or only
        its pairing's while it is being paired."""
        waiting = PushRequest.objects.filter(user_id=self.user_id, answered_at__isnull=True,
                                             expires_at__gt=timezone.now())
        if self.pairing is not None:
            return waiting.filter(pairing=self.pairing)
        return waiting.filter(pairing__isnull=True)


def new_request(user, *, purpose: str, application: str, expires_at, pairing=None, place=None
                ) -> tuple[PushRequest, str]:
    """A request waiting for a phone, and the two-digit number the page shows for it (kept only
    as a keyed hash, bound to the request's public id)."""
    public_id, number = secrets.token_urlsafe(24), f"{secrets.randbelow(90) + 10}"
    request = PushRequest.objects.create(public_id=public_id, user=user, pairing=pairing, purpose=purpose,
                                         application=application, number_hash=number_hash(public_id, number),
                                         expires_at=expires_at, place=place or {})
    return request, number


def progress_of(request: PushRequest | None) -> str:
    """"waiting" while the request can still be answered; "answered" once it was, or it ended."""
    return "waiting" if request is not None and request.is_waiting() else "answered"


class PushApproval(MethodKind):
    kind = "push"
    label = gettext_lazy("Authenticator app: approve sign-ins")
    strength = 4
    assurance = 3
    strong = True
    one_per_person = False
    wrong_answer = gettext_lazy("That request wasn't approved. Choose “Sign in another way” to send a new one.")

    def describe(self, method):
        if method.name:
            return _("Approve a request on my authenticator app (%(name)s)") % {"name": method.name}
        return _("Approve a request on my authenticator app")

    # Pairing --------------------------------------------------------------------------------

    def begin_pairing(self, user) -> tuple[str, str, PushPairing]:
        """(the one-time token for the QR link, the number the phone is to type, the pairing).
        The pairing's own request waits for the phone that registers with the token."""
        token = secrets.token_urlsafe(32)
        expires = timezone.now() + timedelta(minutes=PAIRING_MINUTES)
        with transaction.atomic():
            # One pairing at a time: a new QR code voids the person's earlier ones.
            PushPairing.objects.filter(user=user).delete()
            pairing = PushPairing.objects.create(user=user, token_hash=keyed_hash(f"push-pairing:{token}"),
                                                 expires_at=expires)
            _request, number = new_request(user, purpose="pair", application="pair", expires_at=expires,
                                           pairing=pairing)
        return token, number, pairing

    def register(self, token: str, key: str, subscription, name: str, language: str = "") -> str:
        """A phone answers the QR link with its public key (and its push subscription): the new
        device id. Raises AnswerRefused: the link is one-time and lasts ten minutes."""
        if not token or len(token) > 100:
            raise AnswerRefused("unknown_pairing")
        try:
            public_key(key)
        except ValueError as exc:
            raise AnswerRefused("bad_key") from exc
        device_id = secrets.token_urlsafe(32)
        claimed = PushPairing.objects.filter(
            token_hash=keyed_hash(f"push-pairing:{token}"), registered_at__isnull=True,
            expires_at__gt=timezone.now(),
        ).update(device_id=device_id, public_key=key, subscription=webpush.valid_subscription(subscription) or {},
                 name=name.strip()[:60], language=language if language in LANGUAGES else "",
                 registered_at=timezone.now())
        if not claimed:
            raise AnswerRefused("unknown_pairing")
        pairing = PushPairing.objects.get(device_id=device_id)
        for request in pairing.requests.all():
            self._tell([{**pairing.subscription, "language": pairing.language}], request)
        return device_id

    def pairing_status(self, pairing_pk: int | None, user) -> str:
        """Where the person's pairing is, for its page: "paired" once its phone approved (it is a
        method now); "waiting" while its request can be answered; "failed" when it was answered
        otherwise (a wrong number, a denial) or ran out; "ended" when there is no such pairing of
        theirs any more."""
        pairing = PushPairing.objects.filter(pk=pairing_pk, user=user).first() if pairing_pk else None
        if pairing is None:
            return "ended"
        if pairing.device_id and Method.objects.filter(
                user=user, kind=self.kind, data__device_id=pairing.device_id).exists():
            return "paired"
        if pairing.expires_at <= timezone.now():
            return "ended"
        waiting = progress_of(PushRequest.objects.filter(pairing=pairing).first()) == "waiting"
        return "waiting" if waiting else "failed"

    # Phones asking and answering ------------------------------------------------------------

    def waiting_for(self, device_id: str, when: str, signature: str) -> list[PushRequest]:
        """What a phone sees: its requests still waiting. The question is signed with the phone's
        key and carries the time, so a copy of it is worthless a minute later."""
        device = Device.find(device_id)
        try:
            moment = int(when)
        except ValueError as exc:
            raise AnswerRefused("bad_signature") from exc
        if device is None:
            raise AnswerRefused("unknown_device")
        if abs(time.time() - moment) > settings.CONFIG.push.request_seconds:
            raise AnswerRefused("stale")
        if not signed_by(device.key, poll_message(device_id, moment), signature):
            raise AnswerRefused("bad_signature")
        return list(device.requests()[:10])

    def answer(self, device_id: str, request_id: str, number: str, decision: str, signature: str
               ) -> tuple[PushRequest, Device]:
        """A phone's signed answer, judged once: the request it answers, with the decision
        recorded ("approved", "denied" or "wrong_number"). Raises AnswerRefused for a phone that
        is not this person's, a signature that does not verify, a request that has ended or was
        answered before."""
        device = Device.find(device_id)
        if device is None:
            raise AnswerRefused("unknown_device")
        if decision not in ("approve", "deny") or len(number) > 4 or len(request_id) > 43:
            raise AnswerRefused("bad_answer")
        if not signed_by(device.key, answer_message(request_id, number, decision), signature):
            raise AnswerRefused("bad_signature")
        request = PushRequest.objects.filter(public_id=request_id).first()
        # Another person's request, or one not meant for this phone, looks like no request at all.
        if request is None or not device.may_answer(request):
            raise AnswerRefused("unknown_request")
        if decision == "deny":
            outcome = DENIED
        elif hmac.compare_digest(request.number_hash, number_hash(request.public_id, number)):
            outcome = APPROVED
        else:
            outcome = WRONG_NUMBER
        now = timezone.now()
        # One answer per request, and only while it waits: the update is the judge.
        answered = PushRequest.objects.filter(pk=request.pk, answered_at__isnull=True, expires_at__gt=now).update(
            answered_at=now, decision=outcome, device_id=device_id)
        if not answered:
            request.refresh_from_db()
            raise AnswerRefused("answered" if request.answered_at is not None else "expired")
        request.refresh_from_db()
        return request, device

    # Verification ---------------------------------------------------------------------------

    def start(self, context, method, choice=""):
        user = method.user
        config = settings.CONFIG.push
        if wait := denials().peek(f"user:{user.pk}"):
            raise VerificationFailed(wait_message(wait), Reason.COOL_DOWN)
        now = timezone.now()
        with transaction.atomic():
            waiting = PushRequest.objects.select_for_update().filter(
                user=user, pairing__isnull=True, answered_at__isnull=True, expires_at__gt=now)
            if len(waiting) >= config.pending_per_person:
                raise VerificationFailed(_("Too many requests are waiting on your phone. Answer them or wait a "
                                           "minute, then try again."), Reason.RATE_LIMITED)
            request, number = new_request(user, purpose=context.purpose, application=application_of(context.purpose),
                                          expires_at=now + timedelta(seconds=config.request_seconds),
                                          place=place_of(context.actor.client_ip))
        phones = Method.objects.filter(user=user, kind=self.kind)
        self._tell([{**m.data["subscription"], "language": m.data.get("language", "")}
                    for m in phones if m.data.get("subscription")], request)
        state = {"request": request.public_id, "number": number, "user": user.pk}
        return Challenge(state=state, display=self._display(state))

    def _display(self, state: dict) -> dict:
        return {"push_number": state["number"], "push_request": state["request"],
                "push_seconds": settings.CONFIG.push.request_seconds,
                "submit_label": _("I approved it, continue")}

    def _tell(self, subscriptions: list[dict], request: PushRequest) -> None:
        """Nudge the phones (best effort: the app asks anyway while it is open)."""
        for subscription in subscriptions:
            if not subscription.get("endpoint"):
                continue
            with translation.override(subscription.pop("language", "") or settings.LANGUAGE_CODE):
                payload = {"request": request.public_id, "application": request.application,
                           "title": _("Are you adding this phone?") if request.application == "pair"
                           else _("Are you trying to sign in?"),
                           "body": _("Open the app and enter the number shown on your screen.")}
            try:
                webpush.push(subscription, payload, ttl=settings.CONFIG.push.request_seconds)
            except webpush.Gone:
                # The browser dropped it (the app was removed, or notifications turned off).
                dead = subscription["endpoint"]
                for method in Method.objects.filter(kind=self.kind, data__subscription__endpoint=dead):
                    method.data.pop("subscription", None)
                    method.save(update_fields=["data"])

    def progress(self, state):
        return progress_of(PushRequest.objects.filter(public_id=state.get("request", "")).first())

    def incomplete(self, answer):
        request_id = answer.get("request", "")
        request = PushRequest.objects.filter(public_id=request_id).first() if request_id else None
        if request is None:
            return _("No request is waiting. Choose “Sign in another way” to send a new one, or use another method.")
        if request.is_waiting():
            return _("We haven't had your answer yet. Open the authenticator app on your phone, type the number "
                     "shown here and approve.")
        return ""

    def check(self, context, method, state, answer):
        request = PushRequest.objects.filter(
            public_id=state.get("request", ""), user=method.user, purpose=context.purpose, pairing__isnull=True,
        ).first()
        if request is None or state.get("user") != method.user.pk or answer.get("request") != request.public_id:
            raise VerificationFailed(str(self.wrong_answer))
        if request.decision == DENIED:
            raise VerificationFailed(_("You answered “No, it's not me” on your phone, so this request was stopped. "
                                       "If you didn't try to sign in, change your password now."),
                                     Reason.SUSPECTED_ATTACK)
        if request.decision == WRONG_NUMBER:
            raise VerificationFailed(_("The number typed on the phone didn't match the one shown here, so the "
                                       "request was stopped."))
        if request.decision != APPROVED:
            raise VerificationFailed(_("The request ended before it was approved."), Reason.EXPIRED)
        # One approval passes one verification, however many times the page is sent.
        if not PushRequest.objects.filter(pk=request.pk, spent_at__isnull=True).update(spent_at=timezone.now()):
            raise VerificationFailed(str(self.wrong_answer), Reason.ALREADY_USED)
        Method.objects.filter(kind=self.kind, user=method.user, data__device_id=request.device_id).update(
            last_used_at=timezone.now())

    def tidy(self, now):
        """Requests and pairings a day past their end: nothing reads them any more (the audit
        trail keeps what happened)."""
        before = now - timedelta(days=1)
        requests, _by_model = PushRequest.objects.filter(expires_at__lt=before).delete()
        pairings, _by_model = PushPairing.objects.filter(expires_at__lt=before).delete()
        return requests + pairings

    def retry(self, context, method, state):
        """The same request while it waits (the same number); after it ended, nothing new is
        sent by itself: a new request only when the person asks for one."""
        request = PushRequest.objects.filter(public_id=state.get("request", "")).first()
        if request is not None and request.is_waiting():
            return Challenge(state=state, display=self._display(state))
        return Challenge(state=state, display={"push_ended": True})

