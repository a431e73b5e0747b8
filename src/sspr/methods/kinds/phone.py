import unicodedata

import phonenumbers
from babel import Locale, UnknownLocaleError
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sspr.delivery.phone import formatted

from ..masking import mask_phone
from ..models import Method
from .sent_code import SentCodeMethod


def regions(language: str = "en") -> list[tuple[str, str]]:
    """Every region by its name in the page's language with its calling code ("United States
    (+1)", "Estados Unidos (+1)"), the organisation's own first, then by name."""
    own = settings.CONFIG.server.country
    try:
        names = Locale.parse(language or "en", sep="-").territories
    except (ValueError, UnknownLocaleError):
        names = Locale.parse("en").territories
    labelled = [(region, f"{names.get(region, region)} (+{phonenumbers.country_code_for_region(region)})")
                for region in phonenumbers.SUPPORTED_REGIONS]
    return sorted(labelled, key=lambda choice: (choice[0] != own, name_order(choice[1])))


def name_order(label: str) -> str:
    """Sorting that ignores accents and case (Égypte among the Es, not after Zambia)."""
    return "".join(c for c in unicodedata.normalize("NFKD", label.casefold()) if not unicodedata.combining(c))


def e164(number: str, region: str) -> str | None:
    """The number in E.164, read as region's when it has no country code; None when invalid."""
    return formatted(number, region, phonenumbers.PhoneNumberFormat.E164)


class Phone(SentCodeMethod):
    kind = "phone"
    label = gettext_lazy("Authentication phone")
    strength = 2
    assurance = 2
    # In a reset the whole number is typed first: only a match sends anything.
    confirms_destination = True
    channels = {"text": "sms", "call": "voice"}

    stand_in_share = 1.0

    def stand_in_method(self, seed):
        return Method(kind=self.kind, destination="+1202555" + "".join(str(byte % 10) for byte in seed[1:5]))

    def mask(self, destination):
        return mask_phone(destination)

    def options(self, method):
        number = mask_phone(method.destination)
        # The guide's words for the choice, each with its masked number.
        return [("sms", _("Text my mobile phone (%(number)s)") % {"number": number}),
                ("voice", _("Call my mobile phone (%(number)s)") % {"number": number})]

    def prefill(self, person):
        return {"region": settings.CONFIG.server.country, "number": person.mobile}
