"""The registry of method kinds: kind name to class, imported on first use."""

from functools import cache

from django.utils.module_loading import import_string

KINDS = {
    "passkey": "sspr.methods.kinds.passkey.Passkey",
    "totp": "sspr.methods.kinds.totp.AuthenticatorApp",
    "phone": "sspr.methods.kinds.phone.Phone",
    "email": "sspr.methods.kinds.email.Email",
    "questions": "sspr.methods.kinds.questions.SecurityQuestions",
}


@cache
def kind(name: str):
    return import_string(KINDS[name])()


def all_kinds():
    return [kind(name) for name in KINDS]
