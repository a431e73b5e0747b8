"""How values are shown on the pages: `{% load sspr_format %}`, then `{{ number|phone }}`."""

from django import template

from sspr.delivery.phone import international

register = template.Library()


@register.filter
def phone(value) -> str:
    """A whole phone number in international format ("+1 404-555-0199"); a masked number, an
    email address or anything else is shown as it is."""
    return international(str(value or ""))
