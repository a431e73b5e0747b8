"""Passkeys (WebAuthn): a platform authenticator (Windows Hello, Touch ID, a Chromebook's or
phone's screen lock) or a roaming security key. The one method that phishing cannot defeat: the
browser binds each answer to our origin, so a look-alike site gets nothing it can replay here.

The ceremonies are py_webauthn's; what is ours is the state around them. Each challenge lives in
this session only and is spent by the first answer, right or wrong, so an answer cannot be
replayed nor carried into another session; an answer is accepted only from a credential this very
person registered; and a signature counter that does not move forward (a cloned authenticator, or
a replay) is refused. A person may register several passkeys, one per device.
"""

import logging
import time
from typing import TypeGuard
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import (
    base64url_to_bytes,
    bytes_to_base64url,
    options_to_json_dict,
    parse_authentication_credential_json,
    parse_registration_credential_json,
)
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from sspr.actors import DEVICES
from sspr.audit.models import Reason

from ..base import Challenge, MethodKind, VerificationFailed
from ..models import Method, keyed_hash

log = logging.getLogger("sspr.methods")

CHALLENGE_SECONDS = 10 * 60
# What the browser is told to wait for: generous, for someone finding a security key or
# reading the prompt with a screen reader (WCAG 2.2.1); the challenge itself lasts longer.
TIMEOUT_MS = 5 * 60 * 1000
MAX_CREDENTIAL_JSON = 64 * 1024       # an attestation with a certificate chain is a few kB


def relying_party() -> tuple[str, str]:
    """(rp_id, origin) from server.base_url: a passkey is bound to the host name people see."""
    parts = urlsplit(settings.BASE_URL)
    host = parts.hostname or ""  # server.base_url always names one (sspr.config checks it)
    # The browser's origin leaves out a default port, so ours must too ("https://x:443" is "https://x").
    port = "" if parts.port in (None, {"https": 443, "http": 80}.get(parts.scheme)) else f":{parts.port}"
    return host, f"{parts.scheme}://{host}{port}"


def user_handle(user) -> bytes:
    """WebAuthn's user.id: the same for all of a person's passkeys (so an authenticator keeps
    one credential per person), and, as the spec asks, nothing that identifies them elsewhere."""
    return bytes.fromhex(keyed_hash(f"passkey-user-handle:{user.pk}"))


def guess_device(user_agent: str) -> str:
    return next((name for token, name in DEVICES if token in user_agent), "")


def descriptors(methods) -> list[PublicKeyCredentialDescriptor]:
    known = {t.value for t in AuthenticatorTransport}
    return [PublicKeyCredentialDescriptor(
        id=base64url_to_bytes(m.data["credential_id"]),
        transports=[AuthenticatorTransport(t) for t in m.data.get("transports", []) if t in known] or None,
    ) for m in methods]


def issued(options, **facts) -> tuple[dict, dict]:
    """(the options for passkey.js, the state that waits server-side for the answer)."""
    return options_to_json_dict(options), {"challenge": bytes_to_base64url(options.challenge),
                                           "issued": time.time(), **facts}


def live(pending: dict | None) -> TypeGuard[dict]:
    if not pending:
        return False
    return pending.get("issued", 0) + CHALLENGE_SECONDS >= time.time()


class Passkey(MethodKind):
    kind = "passkey"
    label = gettext_lazy("Passkey")
    strength = 5
    assurance = 3
    wrong_answer = gettext_lazy("We couldn't verify your passkey. Try again, or sign in another way.")
    one_per_person = False
    strong = True

    def describe(self, method):
        if method.name:
            return _("Use my passkey (%(name)s)") % {"name": method.name}
        return _("Use my passkey")

    # Registration ----------------------------------------------------------------------------

    def registration_options(self, user) -> tuple[dict, dict]:
        """(options for passkey.js, the challenge state to keep until the browser answers)."""
        rp_id, _origin = relying_party()
        options = generate_registration_options(
            rp_id=rp_id,
            rp_name=settings.CONFIG.branding.org_name,
            user_id=user_handle(user),
            user_name=user.user_id,
            user_display_name=user.display_name or user.user_id,
            timeout=TIMEOUT_MS,
            authenticator_selection=AuthenticatorSelectionCriteria(
                resident_key=ResidentKeyRequirement.PREFERRED,
                user_verification=UserVerificationRequirement.PREFERRED),
            # The browser refuses to register an authenticator that already holds one of these.
            exclude_credentials=descriptors(Method.objects.filter(user=user, kind=self.kind)),
        )
        return issued(options, user=user.pk)

    def register(self, user, credential_json: str, pending: dict | None) -> dict:
        """The new method's data from the browser's answer to `pending` (already spent by the
        caller: one answer per challenge). Raises VerificationFailed."""
        if not live(pending) or pending.get("user") != user.pk:
            raise VerificationFailed(_("That took too long. Please try again."), Reason.EXPIRED)
        rp_id, origin = relying_party()
        try:
            credential = parse_registration_credential_json(credential_json)
            verified = verify_registration_response(
                credential=credential, expected_challenge=base64url_to_bytes(pending["challenge"]),
                expected_rp_id=rp_id, expected_origin=origin, require_user_verification=False)
        except (WebAuthnException, ValueError) as exc:
            log.info("passkey registration refused for %s: %s", user.user_id, exc)
            raise VerificationFailed(_("We couldn't register that passkey. Please try again.")) from exc
        credential_id = bytes_to_base64url(verified.credential_id)
        # A credential belongs to one person: the same one registered again, here or on someone
        # else's account, would make its answers ambiguous.
        if Method.objects.filter(kind=self.kind, data__credential_id=credential_id).exists():
            raise VerificationFailed(_("That passkey is already registered."), Reason.REFUSED_BY_POLICY)
        return {
            "credential_id": credential_id,
            "user_handle": bytes_to_base64url(user_handle(user)),
            "public_key": bytes_to_base64url(verified.credential_public_key),
            "sign_count": verified.sign_count,
            "transports": [t.value for t in credential.response.transports or []],
            "aaguid": verified.aaguid,
            "backed_up": verified.credential_backed_up,
        }

    # Verification ----------------------------------------------------------------------------

    def start(self, context, method, choice=""):
        rp_id, _origin = relying_party()
        # Any of the person's passkeys will do: the one offered first (the strongest method) may
        # live on another device than the one in their hands.
        options = generate_authentication_options(
            rp_id=rp_id, timeout=TIMEOUT_MS, user_verification=UserVerificationRequirement.PREFERRED,
            allow_credentials=descriptors(Method.objects.filter(user=method.user, kind=self.kind)))
        shown, state = issued(options, user=method.user.pk, purpose=context.purpose)
        return Challenge(state=state, display={"passkey_options": shown})

    def retry(self, context, method, state):
        """A new challenge after a failed answer: the old one is spent."""
        return self.start(context, method)

    def incomplete(self, answer):
        if answer.get("credential", ""):
            return ""
        # Nothing was tried (no JavaScript, or the browser's prompt was dismissed).
        return _("Your browser didn't use a passkey. Select “Verify” and follow your browser's instructions, "
                 "or sign in another way.")

    def check(self, context, method, state, answer):
        credential_json = answer.get("credential", "")
        try:
            if (not live(state) or state.get("user") != method.user.pk or state.get("purpose") != context.purpose
                    or len(credential_json) > MAX_CREDENTIAL_JSON):
                raise ValueError("no live challenge for this person and purpose")
            credential = parse_authentication_credential_json(credential_json)
            self.verify_assertion(credential, method.user, base64url_to_bytes(state["challenge"]))
        except (WebAuthnException, ValueError) as exc:
            # The reason stays in the log: a wrong base_url shows up here as every origin refused.
            log.info("passkey answer refused for %s: %s", method.user.user_id, exc)
            raise VerificationFailed(str(self.wrong_answer)) from exc

    def verify_assertion(self, credential, user, challenge: bytes) -> Method:
        rp_id, origin = relying_party()
        with transaction.atomic():
            # Locked: two answers signed with the same counter cannot both move it forward.
            used = (Method.objects.select_for_update()
                    .filter(user=user, kind=self.kind, data__credential_id=bytes_to_base64url(credential.raw_id))
                    .first())
            if used is None:
                raise ValueError("not a passkey of this person")
            # A discoverable credential also says whose it is; it has to say the same.
            handle = credential.response.user_handle
            if handle is not None and bytes_to_base64url(handle) != used.data.get("user_handle"):
                raise ValueError("the user handle is not this person's")
            verified = verify_authentication_response(
                credential=credential, expected_challenge=challenge, expected_rp_id=rp_id, expected_origin=origin,
                credential_public_key=base64url_to_bytes(used.data["public_key"]),
                credential_current_sign_count=used.data.get("sign_count", 0), require_user_verification=False)
            used.data["sign_count"] = verified.new_sign_count
            used.last_used_at = timezone.now()
            used.save(update_fields=["data", "last_used_at"])
        return used
