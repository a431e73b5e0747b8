"""The registry of method kinds: name to class, imported on first use. Adding a kind is one
module here and one line below (see docs/adding-a-method.md); the model's choices and the
configuration's allowed values are derived from these names, so nothing restates them. This
module is plain data at import time: the configuration schema reads it before Django starts."""

from functools import cache
from importlib import import_module

KINDS = {
    "passkey": "sspr.methods.kinds.passkey.Passkey",
    "totp": "sspr.methods.kinds.totp.AuthenticatorApp",
    "push": "sspr.methods.kinds.push.PushApproval",
    "phone": "sspr.methods.kinds.phone.Phone",
    "email": "sspr.methods.kinds.email.Email",
    "questions": "sspr.methods.kinds.questions.SecurityQuestions",
}


@cache
def kind(name: str):
    module, _dot, name_of_class = KINDS[name].rpartition(".")
    return getattr(import_module(module), name_of_class)()


def all_kinds():
    return [kind(name) for name in KINDS]
