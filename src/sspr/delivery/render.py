"""Messages from templates, in the recipient's language, with the organisation's branding.

Each channel has its own template because each is read (or heard) differently: an email has a
subject, text and HTML parts; a text message must stay within one GSM-7 segment; a call is heard
once, so it says the code twice, digit by digit.
"""

from dataclasses import replace
from datetime import timedelta
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .message import Channel, Message


def context(language: str, **extra) -> dict:
    branding = settings.CONFIG.branding
    return {
        "branding": branding,
        "base_url": settings.BASE_URL,
        "logo": urljoin(settings.BASE_URL + "/", branding.logo_address) if branding.logo_address else "",
        "language": language,
        **extra,
    }


def render_email(template: str, language: str, **extra) -> tuple[str, str, str]:
    """(subject, text, html) from <template>_subject.txt, <template>.txt and <template>.html
    (the HTML part is optional)."""
    with translation.override(language):
        values = context(language, **extra)
        subject = " ".join(render_to_string(f"{template}_subject.txt", values).split())
        values["subject"] = subject
        text = render_to_string(f"{template}.txt", values)
        html: str
        try:
            html = render_to_string(f"{template}.html", values)
        except TemplateDoesNotExist:
            html = ""
    return subject, text, html


def render_message(channel: Channel, to: str, template: str, *, language: str = "", **extra) -> Message:
    """The message a channel carries, from templates in `language` (by default the one active):
    an email from <template>_subject.txt, <template>.txt and <template>.html (see render_email),
    a text or a call from <template>.txt."""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    if channel == "email":
        subject, text, html = render_email(template, language, **extra)
        return Message("email", to, text, subject, html, language)
    with translation.override(language):
        body = render_to_string(f"{template}.txt", context(language, **extra)).strip()
    return Message(channel, to, body, language=language)


def code_message(channel: Channel, to: str, code: str, *, language: str = "", minutes: int = 10) -> Message:
    """The message that carries a one-time code on a channel."""
    message = render_message(
        channel, to, f"delivery/code/{channel}", language=language, code=code, minutes=minutes,
        # "1, 2, 3": speech engines read "123456" as a number ("one hundred twenty-three thousand...").
        spoken_code=", ".join(code), host=urlsplit(settings.BASE_URL).hostname,
    )
    return replace(message, expires_at=timezone.now() + timedelta(minutes=minutes), urgent=True)
