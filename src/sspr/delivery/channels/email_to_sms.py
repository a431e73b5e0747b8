"""Texts through an email-to-SMS gateway: a plain email to an address made from the number,
through the mail server of [email]. Its [sms] key is declared in email_to_sms_settings.py."""

from ..base import Backend, Setting
from ..phone import parse
from .smtp import SmtpEmail, valid_address

NUMBER_FORMS = ("{to}", "{digits}", "{national}")


class EmailToSms(Backend):
    name = "email"
    settings = (
        Setting("sms.gateway_address", "e.g. {digits}@sms.example.net ({to}, {digits} or {national})",
                required=True),
        Setting("email.host", "the mail server that reaches the gateway ([email] settings)", required=True),
        Setting("email.from_address", "the sender the gateway sees", required=True),
    )

    @property
    def timeout(self) -> float:
        return self.config.email.timeout

    def problems(self) -> list[str]:
        found = super().problems()
        address = self.section.gateway_address
        if address:
            if not any(form in address for form in NUMBER_FORMS):
                found.append("sms.gateway_address: must contain {to}, {digits} or {national}")
            elif not valid_address(self.address_for("+12025550123")):
                found.append("sms.gateway_address: does not make an email address")
        # The mail server's own checks, less "required when email.backend = smtp" (said above).
        return found + [problem for problem in SmtpEmail(self.config).problems() if "required when" not in problem]

    def reach(self) -> list[str]:
        return SmtpEmail(self.config).reach()

    def address_for(self, e164: str) -> str:
        number = parse(e164, self.config.server.country)
        digits = e164.lstrip("+")
        national = number.national if number else digits
        return (self.section.gateway_address.replace("{to}", e164).replace("{digits}", digits)
                .replace("{national}", national))

    def send(self, delivery) -> str:
        smtp = SmtpEmail(self.config)
        # No subject: many gateways put it in front of the text, costing characters.
        message = smtp.compose(self.address_for(delivery.to), "", delivery.body)
        smtp._session(lambda client: client.send_message(message))
        return message["Message-ID"]
