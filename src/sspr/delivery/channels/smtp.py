"""Email over SMTP: STARTTLS or implicit TLS with the server's certificate verified, optional
authentication, our sender and reply-to, text and HTML parts, the recipient's language.
Its [email] keys are declared in smtp_settings.py."""

import smtplib
import ssl
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid, parseaddr
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from ..base import Backend, Setting
from ..errors import TransportError

DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}


def valid_address(address: str) -> bool:
    try:
        validate_email(address)
    except ValidationError:
        return False
    return True


class SmtpEmail(Backend):
    name = "smtp"
    settings = (
        Setting("email.host", "the mail server's name", required=True),
        Setting("email.port", "0: 587 for starttls, 465 for tls, 25 for none"),
        Setting("email.security", "starttls, tls (implicit) or none"),
        Setting("email.username", "for servers that require sign-in; empty: no sign-in"),
        Setting("email.password", "with username; password_file works too"),
        Setting("email.from_address", "the sender people see", required=True),
        Setting("email.reply_to", "where replies go; empty: the sender"),
        Setting("email.timeout", "seconds for each network step"),
        Setting("email.ca_file", "CA certificates for the server's certificate; empty: the system's"),
    )

    def __init__(self, config, channel: str = "email"):
        # Email-to-SMS borrows this back-end for its mail server: the settings are always [email].
        super().__init__(config, channel)
        self.email = config.email

    @property
    def timeout(self) -> float:
        return self.email.timeout

    @property
    def port(self) -> int:
        return self.email.port or DEFAULT_PORTS[self.email.security]

    def problems(self) -> list[str]:
        found = super().problems()
        email = self.email
        if email.from_address and not valid_address(email.from_address):
            found.append("email.from_address: not an email address")
        if email.reply_to and not valid_address(email.reply_to):
            found.append("email.reply_to: not an email address")
        if email.username and not email.password:
            found.append("email.password: required with email.username")
        if email.username and email.security == "none":
            found.append('email.security: "none" would send the password unencrypted; use starttls or tls')
        if email.ca_file and not Path(email.ca_file).is_file():
            found.append(f"email.ca_file: cannot read {email.ca_file}")
        return found

    # -- talking to the server ------------------------------------------------------------

    def _tls(self) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=self.email.ca_file or None)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        return context

    def _connect(self) -> smtplib.SMTP:
        email = self.email
        client: smtplib.SMTP
        if email.security == "tls":
            client = smtplib.SMTP_SSL(email.host, self.port, timeout=self.timeout, context=self._tls())
        else:
            client = smtplib.SMTP(email.host, self.port, timeout=self.timeout)
        try:
            client.ehlo()
            if email.security == "starttls":
                # Never fall back to plain text: a server (or someone in between) that does not
                # offer STARTTLS gets nothing, not our password and not a code.
                if not client.has_extn("starttls"):
                    raise TransportError("the server does not offer STARTTLS", permanent=True, misconfigured=True)
                client.starttls(context=self._tls())
                client.ehlo()
            if email.username:
                client.login(email.username, email.password)
        except BaseException:
            client.close()
            raise
        return client

    def _session(self, work):
        try:
            client = self._connect()
            try:
                return work(client)
            finally:
                try:
                    client.quit()
                except (smtplib.SMTPException, OSError):
                    client.close()
        except TransportError:
            raise
        except smtplib.SMTPAuthenticationError as exc:
            raise TransportError(f"the server refused the user name or password ({_said(exc)})",
                                 permanent=True, misconfigured=True) from None
        except smtplib.SMTPRecipientsRefused as exc:
            code, said = next(iter(exc.recipients.values()))
            raise TransportError(f"recipient refused: {code} {_text(said)}", permanent=code >= 500) from None
        except smtplib.SMTPSenderRefused as exc:
            raise TransportError(f"sender refused: {_said(exc)}", permanent=exc.smtp_code >= 500,
                                 misconfigured=exc.smtp_code >= 500) from None
        except smtplib.SMTPResponseException as exc:
            raise TransportError(f"the server said {_said(exc)}", permanent=exc.smtp_code >= 500) from None
        except smtplib.SMTPNotSupportedError as exc:
            raise TransportError(f"the server does not support {exc}", permanent=True, misconfigured=True) from None
        except ssl.SSLCertVerificationError as exc:
            raise TransportError(f"TLS certificate not trusted: {exc.verify_message}", permanent=True,
                                 misconfigured=True) from None
        except TimeoutError:
            raise TransportError(f"no answer within {self.timeout:g} s", permanent=False) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise TransportError(f"cannot reach the mail server: {exc}", permanent=False) from None

    def reach(self) -> list[str]:
        try:
            self._session(lambda client: client.noop())
        except TransportError as exc:
            return [f"email: {self.email.host}:{self.port}: {exc.reason}"]
        return []

    def send(self, delivery) -> str:
        message = self.compose(delivery.to, delivery.subject, delivery.body, delivery.html, delivery.language)
        self._session(lambda client: client.send_message(message))
        return message["Message-ID"]

    def compose(self, to: str, subject: str, text: str, html: str = "", language: str = "") -> EmailMessage:
        from django.conf import settings

        email = self.email
        message = EmailMessage()
        message["From"] = formataddr((settings.CONFIG.branding.org_name, email.from_address))
        message["To"] = to
        if email.reply_to:
            message["Reply-To"] = email.reply_to
        message["Subject"] = " ".join(subject.split())  # a line break in a header would end it
        message["Date"] = format_datetime(timezone.now())
        message["Message-ID"] = make_msgid(domain=Address(addr_spec=parseaddr(email.from_address)[1]).domain)
        # RFC 3834: no out-of-office replies to a robot.
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(text)
        if html:
            message.add_alternative(html, subtype="html")
        if language:  # after the parts: add_alternative moves Content-* headers into the first part
            message["Content-Language"] = language
        return message


def _text(said) -> str:
    return said.decode("utf-8", "replace") if isinstance(said, bytes) else str(said)


def _said(exc: smtplib.SMTPResponseException) -> str:
    return f"{exc.smtp_code} {_text(exc.smtp_error)}"
