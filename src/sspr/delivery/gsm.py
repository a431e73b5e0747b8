"""Keeping a text message to one GSM-7 segment.

A text message carries 160 characters of the GSM 03.38 alphabet. One character outside it (a
curly quote, a non-breaking space, the "ó" of "código") switches the whole message to UCS-2,
which carries only 70: the same text then costs two or three messages, and some phones show
the parts out of order. So before sending we replace such characters with their plain GSM-7
look-alikes, but only when every one of them has one; a name in another script is sent as
written (readable beats cheap).
"""

import math
import unicodedata

BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
EXTENSION = set("^{}\\[~]|€\f")  # two septets each (an escape, then the character)
STAND_INS = {
    "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u2018": "'", "\u2019": "'", "\u201a": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2013": "-", "\u2014": "-", "\u2212": "-",
    "\u2026": "...", "\u2022": "-", "\u00b7": ".", "\u00ab": '"', "\u00bb": '"', "`": "'",
}


def is_gsm7(text: str) -> bool:
    return all(ch in BASIC or ch in EXTENSION for ch in text)


def segments(text: str) -> int:
    """How many messages the text costs (concatenated parts lose room to their headers)."""
    if is_gsm7(text):
        septets = len(text) + sum(ch in EXTENSION for ch in text)
        return 1 if septets <= 160 else math.ceil(septets / 153)
    units = len(text.encode("utf-16-le")) // 2
    return 1 if units <= 70 else math.ceil(units / 67)


def _stand_in(ch: str) -> str:
    if ch in BASIC or ch in EXTENSION:
        return ch
    if ch in STAND_INS:
        return STAND_INS[ch]
    plain = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    return plain if plain and is_gsm7(plain) else ch


def fit(text: str) -> str:
    """The text to send: in GSM-7 when every character has a GSM-7 look-alike, else unchanged."""
    if is_gsm7(text):
        return text
    replaced = "".join(_stand_in(ch) for ch in text)
    return replaced if is_gsm7(replaced) else text
