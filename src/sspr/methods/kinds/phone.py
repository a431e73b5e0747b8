import phonenumbers
from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..masking import mask_phone
from .sent_code import SentCodeMethod


def regions():
    """Every region with its calling code, the organisation's own first."""
    own = settings.CONFIG.server.country
    ordered = sorted(phonenumbers.SUPPORTED_REGIONS, key=lambda region: (region != own, region))
    return [(region, f"{region} (+{phonenumbers.country_code_for_region(region)})") for region in ordered]


class PhoneForm(forms.Form):
    region = forms.ChoiceField(label=gettext_lazy("Select your country or region"))
    number = forms.CharField(label=gettext_lazy("Enter your authentication phone number"), max_length=32,
                             widget=forms.TextInput(attrs={"autocomplete": "tel-national", "inputmode": "tel"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = regions()

    def clean(self):
        cleaned = super().clean()
        if "region" in cleaned and "number" in cleaned:
            try:
                parsed = phonenumbers.parse(cleaned["number"], cleaned["region"])
            except phonenumbers.NumberParseException:
                parsed = None
            if parsed is None or not phonenumbers.is_valid_number(parsed):
                raise forms.ValidationError(_("Enter a valid phone number for the country or region you chose."))
            cleaned["destination"] = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
        return cleaned


class Phone(SentCodeMethod):
    kind = "phone"
    label = gettext_lazy("Authentication phone")
    strength = 2
    destination_form = PhoneForm
    channels = {"text": "sms", "call": "voice"}

    def mask(self, destination):
        return mask_phone(destination)

    def options(self, method):
        number = mask_phone(method.destination)
        return [("sms", _("Text %(number)s") % {"number": number}), ("voice", _("Call %(number)s") % {"number": number})]

    def prefill(self, person):
        return {"region": settings.CONFIG.server.country, "number": person.mobile}
