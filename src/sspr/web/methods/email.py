from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sspr.methods.kinds.email import is_organisation_address

from . import sent_code
from .sent_code import answer_form, verify_template  # noqa: F401  (this kind's adapter interface)


class EmailForm(forms.Form):
    destination = forms.EmailField(label=gettext_lazy("Your personal email address"), max_length=254,
                                   widget=forms.EmailInput(attrs={"autocomplete": "email"}))

    def clean_destination(self):
        address = self.cleaned_data["destination"].strip().lower()
        if is_organisation_address(address):
            raise forms.ValidationError(_("You must use a non-organization email address, one you can still read "
                                          "when you cannot sign in here."))
        return address


def enrol(request):
    return sent_code.enrol(request, "email", EmailForm)
