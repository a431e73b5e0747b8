from django import forms
from django.conf import settings
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from sspr.methods.kinds.phone import e164, regions

from . import sent_code
from .sent_code import answer_form, verify_template  # noqa: F401  (this kind's adapter interface)


class PhoneForm(forms.Form):
    region = forms.ChoiceField(label=gettext_lazy("Select your country or region"))
    number = forms.CharField(label=gettext_lazy("Enter your authentication phone number"), max_length=32,
                             widget=forms.TextInput(attrs={"autocomplete": "tel-national", "inputmode": "tel"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = regions(get_language() or "en")

    def clean(self):
        cleaned = super().clean()
        if "region" in cleaned and "number" in cleaned:
            destination = e164(cleaned["number"], cleaned["region"])
            if destination is None:
                raise forms.ValidationError(_("Enter a valid phone number for the country or region you chose."))
            cleaned["destination"] = destination
        return cleaned


# The whole number, typed before a reset sends anything (the kind confirms its destination).
confirm_template = "reset/phone_number.html"


def confirm_form(data=None):
    return PhoneForm(data, initial={"region": settings.CONFIG.server.country})


def enrol(request):
    return sent_code.enrol(request, "phone", PhoneForm)
