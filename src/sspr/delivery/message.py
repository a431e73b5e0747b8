from dataclasses import dataclass
from datetime import datetime
from typing import Literal

Channel = Literal["email", "sms", "voice"]


@dataclass(frozen=True)
class Message:
    """What to send and to whom; the configured back-end of `channel` decides how.

    to: an email address, or a phone number (E.164, or national format of server.country).
    body: plain text (for voice: the words spoken). html: an optional HTML part for email.
    language: the recipient's language ("es"); empty: the language active when sending.
    expires_at: a message not sent by then is dropped (a code nobody can use any more).
    urgent: someone is waiting for it (a code): retried on delivery.code_retry_seconds, within
    a minute, instead of the slow schedule of notices.
    """

    channel: Channel
    to: str
    body: str
    subject: str = ""
    html: str = ""
    language: str = ""
    expires_at: datetime | None = None
    urgent: bool = False
