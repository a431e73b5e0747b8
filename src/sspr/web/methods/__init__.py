"""The HTML adapters of the verification kinds: for each kind in sspr.methods.kinds, a module
of the same name here with `verify_template` (the fragment shown inside a verification page),
`answer_form(display, data=None)` (the form that fragment renders, or None) and `enrol(request)`
(the registration page). The kinds themselves never see a request."""

from importlib import import_module
from types import ModuleType

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sspr.methods.kinds import KINDS, kind

from ..templatetags.sspr_format import method_detail


def adapter(kind_name: str) -> ModuleType:
    if kind_name not in KINDS:
        raise LookupError(kind_name)
    return import_module(f"{__name__}.{kind_name}")


class CodeForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=12,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}))


def with_error_at_field(form, message: str, data):
    """Show a wrong code's message at the code field too (aria-invalid and described by it), not
    only in the page's alert."""
    if form is not None and list(form.fields) == ["code"]:
        form = type(form)(data)
        form.full_clean()
        if not form.errors:
            form.add_error("code", message)
    return form


def added(request, method):
    """Where every registration ends: back on security info, saying what was set up (the number,
    address or name as the list shows it), in the page's status region."""
    detail = method_detail(method)  # plain text: the message is escaped where it is shown
    label = kind(method.kind).label
    if detail:
        text = gettext("%(method)s added: %(detail)s.") % {"method": label, "detail": detail}
    else:
        text = gettext("%(method)s added.") % {"method": label}
    messages.success(request, text)
    return redirect("security_info")
