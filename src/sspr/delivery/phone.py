"""Phone numbers: parsed and judged with libphonenumber's metadata before any provider sees them."""

from dataclasses import dataclass

import phonenumbers
from phonenumbers import PhoneNumberType

# Toll fraud ("SMS pumping") sends codes to numbers that pay the attacker: premium-rate and
# shared-cost ranges, and ranges the plan has not assigned. Only ordinary subscriber numbers
# are accepted: an allow-list, so a type libphonenumber adds later is refused until we decide.
ALLOWED_TYPES = {
    "sms": {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE},
    "voice": {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE},
}
TYPE_NAMES = {value: name.lower() for name, value in vars(PhoneNumberType).items() if isinstance(value, int)}


@dataclass(frozen=True)
class PhoneNumber:
    e164: str
    region: str  # ISO 3166 code, "" when the number belongs to no country
    valid: bool  # in a range the numbering plan has assigned
    type: int

    @property
    def type_name(self) -> str:
        return TYPE_NAMES.get(self.type, "unknown")

    @property
    def digits(self) -> str:
        return self.e164.lstrip("+")

    @property
    def national(self) -> str:
        return str(phonenumbers.parse(self.e164).national_number)


def parse(raw: str, country: str) -> PhoneNumber | None:
    """None when the text is not a phone number at all."""
    try:
        number = phonenumbers.parse(raw, country)
    except phonenumbers.NumberParseException:
        return None
    return PhoneNumber(
        e164=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
        region=phonenumbers.region_code_for_number(number) or "",
        valid=phonenumbers.is_valid_number(number),
        type=phonenumbers.number_type(number),
    )


def formatted(raw: str, region: str | None, style: int) -> str | None:
    """A valid number in one of libphonenumber's formats (PhoneNumberFormat), read as region's
    when it has no country code; None when it is not a valid number."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, style)


def international(number: str) -> str:
    """A whole number as people read it, in international format ("+1 404-555-0199"). Anything
    that is not a valid number in E.164 (a masked one, "+X XXXXXXXX99", included) comes back as
    it was, so a mask is never undone and nothing unreadable is guessed at."""
    if not number.startswith("+"):
        return number
    return formatted(number, None, phonenumbers.PhoneNumberFormat.INTERNATIONAL) or number


def prefix(e164: str) -> str:
    """The block a number belongs to. Pumping attacks walk through consecutive numbers of
    one range they profit from, so a limit per block of a thousand numbers catches them."""
    return e164[:-3]


def known_country(code: str) -> bool:
    return code in phonenumbers.SUPPORTED_REGIONS


def mask(channel: str, to: str) -> str:
    """Enough to recognise a destination in the audit trail, not enough to learn it."""
    if channel == "email":
        local, _, domain = to.partition("@")
        return f"{local[:1]}•••@{domain}"
    return to[:2] + "•" * max(len(to) - 4, 0) + to[-2:]
