"""Twilio's REST API (2010-04-01): texts through the Messages resource, calls through Calls.

Form-encoded POSTs with HTTP basic authentication (account SID and auth token); JSON answers;
errors as {"code", "message", "more_info", "status"}. Whether a failure is worth retrying is
decided by the HTTP status, as Twilio advises (its error codes get refined over time); the code
only tells a problem with *our* account apart from one with the recipient. The [twilio] keys are
declared in twilio_settings.py.
"""

import base64
import json
import re
from urllib.parse import quote, urlencode
from xml.sax.saxutils import escape, quoteattr

from ..base import Backend, Setting, url_problems
from ..errors import TransportError
from ..http import request, transient_status
from ..phone import parse

API = "2010-04-01"
ACCOUNT_SID = re.compile(r"^AC[0-9a-fA-F]{32}$")
SERVICE_SID = re.compile(r"^MG[0-9a-fA-F]{32}$")
# Codes that mean our account or sender is wrong, not the recipient: every message will fail.
OUR_SETUP = {
    20003,  # authentication failed
    20005,  # account not active
    20404,  # resource (account) not found
    21210,  # From number not verified for this account
    21212,  # invalid From number
    21606,  # From number cannot send texts
    21608,  # trial account: unverified destination
    21659,  # From is not a Twilio number
    21408,  # permission to send to this region is not enabled (geo permissions)
}
# Twilio's <Say> locales (man/woman and Polly voices accept these) for our languages.
VOICE_LANGUAGES = {"en": "en-US", "es": "es-MX"}


class TwilioBase(Backend):
    settings = (
        Setting("twilio.account_sid", "AC followed by 32 hexadecimal digits", required=True),
        Setting("twilio.auth_token", "auth_token_file works too", required=True),
        Setting("twilio.from_number", "a number of the account, +E.164", required=True),
        Setting("twilio.base_url", "Twilio's API address"),
    )
    resource: str

    @property
    def twilio(self):
        return self.config.twilio

    def problems(self) -> list[str]:
        found = super().problems()
        twilio = self.twilio
        if twilio.account_sid and not ACCOUNT_SID.match(twilio.account_sid):
            found.append("twilio.account_sid: must be AC followed by 32 hexadecimal digits")
        if twilio.from_number and not self.valid_sender(twilio.from_number):
            found.append(f"twilio.from_number: {self.sender_rule}")
        return found + url_problems("twilio.base_url", twilio.base_url)

    sender_rule = "must be a phone number in +E.164 form"

    def valid_sender(self, value: str) -> bool:
        number = parse(value, self.config.server.country)
        return number is not None and number.valid and value.startswith("+")

    def _url(self, path: str) -> str:
        return f"{self.twilio.base_url.rstrip('/')}/{API}/Accounts/{quote(self.twilio.account_sid)}{path}"

    def _headers(self) -> dict:
        pair = f"{self.twilio.account_sid}:{self.twilio.auth_token}".encode()
        return {"Authorization": "Basic " + base64.b64encode(pair).decode(), "Accept": "application/json"}

    def reach(self) -> list[str]:
        """Fetch our own account record: proves the SID and token without sending anything."""
        try:
            answer = request("GET", self._url(".json"), headers=self._headers(), timeout=self.timeout)
        except TransportError as exc:
            return [f"twilio.base_url: {exc.reason}"]
        if answer.status == 200:
            return []
        return [f"twilio: {self._reason(answer)}"]

    def post(self, fields: dict) -> str:
        headers = {**self._headers(), "Content-Type": "application/x-www-form-urlencoded"}
        answer = request("POST", self._url(f"/{self.resource}.json"), data=urlencode(fields).encode(),
                         headers=headers, timeout=self.timeout)
        if 200 <= answer.status < 300:
            try:
                return str(json.loads(answer.body).get("sid", ""))[:100]
            except (ValueError, AttributeError):
                return ""
        reason = self._reason(answer)
        if transient_status(answer.status):
            raise TransportError(reason, permanent=False)
        raise TransportError(reason, permanent=True,
                             misconfigured=answer.status in (401, 403) or _code(answer) in OUR_SETUP)

    @staticmethod
    def _reason(answer) -> str:
        try:
            error = json.loads(answer.body)
            return f"Twilio {error.get('code')} (HTTP {answer.status}): {str(error.get('message', ''))[:200]}"
        except (ValueError, AttributeError):
            return f"Twilio HTTP {answer.status}: {answer.text[:200]}"


def _code(answer) -> int | None:
    try:
        return int(json.loads(answer.body).get("code"))
    except (ValueError, TypeError, AttributeError):
        return None


class TwilioSms(TwilioBase):
    name = "twilio"
    resource = "Messages"
    sender_rule = "must be a phone number in +E.164 form or a Messaging Service SID (MG...)"

    def valid_sender(self, value: str) -> bool:
        return bool(SERVICE_SID.match(value)) or super().valid_sender(value)

    def send(self, delivery) -> str:
        sender = self.twilio.from_number
        key = "MessagingServiceSid" if SERVICE_SID.match(sender) else "From"
        return self.post({"To": delivery.to, key: sender, "Body": delivery.body})


class TwilioVoice(TwilioBase):
    name = "twilio"
    resource = "Calls"

    def send(self, delivery) -> str:
        return self.post({"To": delivery.to, "From": self.twilio.from_number, "Twiml": twiml(delivery)})


def twiml(delivery) -> str:
    """The call's script: the message in the recipient's language. A call is heard once with no
    way to scroll back, so the templates say the code twice (sspr.delivery.render)."""
    language = VOICE_LANGUAGES.get((delivery.language or "en").split("-")[0], "en-US")
    return (f'<?xml version="1.0" encoding="UTF-8"?><Response><Pause length="1"/>'
            f'<Say language={quoteattr(language)}>{escape(delivery.body)}</Say></Response>')
