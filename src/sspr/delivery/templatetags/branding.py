"""The organisation's words in a page or a message, in the language it is rendered in.

Here rather than in the web layer because emails and texts (delivery) use them too, and the web
layer may use what delivery offers, not the other way round."""

from django import template
from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def helpdesk_text() -> str:
    """The operator's help-desk sentence for the language being rendered, else ours, translated."""
    language = get_language() or settings.LANGUAGE_CODE
    return settings.CONFIG.branding.helpdesk_text_in(language) or _("Contact your help desk.")
