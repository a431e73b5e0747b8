from django import forms
from django.conf import settings
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from sspr.passwords import policy


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


class PassSignInForm(forms.Form):
    user_id = SignInForm.base_fields["user_id"]
    pass_code = forms.CharField(
        label=_("Temporary Access Pass"),
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "none",
                                      "spellcheck": "false"}),
    )

    clean_user_id = SignInForm.clean_user_id


class NewPasswordForm(forms.Form):
    """New password twice. The policy is checked by the service that sets it
    (sspr.services.passwords), whose reasons the view shows at the field."""

    new_password = forms.CharField(
        label=_("Create new password"),
        max_length=1024,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "aria-describedby": "password-rules"}),
    )
    confirm_password = forms.CharField(
        label=_("Confirm new password"),
        max_length=1024,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        new, confirm = cleaned.get("new_password"), cleaned.get("confirm_password")
        if new is None:
            return cleaned
        if confirm is not None and policy.normalise(confirm) != policy.normalise(new):
            self.add_error("confirm_password", _("The two new passwords do not match."))
        return cleaned


class PasswordChangeForm(NewPasswordForm):
    old_password = forms.CharField(
        label=_("Old password"),
        max_length=1024,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    field_order = ["old_password", "new_password", "confirm_password"]
