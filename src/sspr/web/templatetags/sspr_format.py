"""How values are shown on the pages: `{% load sspr_format %}`, then `{{ number|phone }}` or
`{{ method|method_detail }}`."""

from django import template

from sspr.delivery.phone import international

register = template.Library()


@register.filter
def phone(value) -> str:
    """A whole phone number in international format ("+1 404-555-0199"); a masked number, an
    email address or anything else is shown as it is."""
    return international(str(value or ""))


@register.filter
def method_detail(method) -> str:
    """What tells one registered method from another, to its owner: the phone number (formatted)
    or email address it proves, else the name they gave it (a passkey's), else nothing."""
    if method.destination:
        return phone(method.destination)
    return method.name or ""
