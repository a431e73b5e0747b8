from django import forms
from django.conf import settings
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _


def complete_user_id(value: str, domains: list[str]) -> str:
    """Add the domain to a bare name when there is only one; with several, say which exist,
    since guessing would sign a student in as a staff member of the same name."""
    value = value.strip()
    if "@" in value or not domains:
        return value
    if len(domains) == 1:
        return f"{value}@{domains[0]}"
    examples = ", ".join(f"{value}@{domain}" for domain in domains)
    raise forms.ValidationError(
        format_lazy(_("Add your domain to your user ID, for example: {examples}."), examples=examples),
        code="domain_missing",
    )


class SignInForm(forms.Form):
    user_id = forms.CharField(
        label=_("User ID"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}),
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=1024,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def clean_user_id(self):
        return complete_user_id(self.cleaned_data["user_id"], settings.CONFIG.directory.domains)
