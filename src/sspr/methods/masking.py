"""Destinations shown to someone who has only proved part of who they are: enough to recognise
their own phone or address, not enough to learn it."""


def mask_phone(e164: str) -> str:
    digits = [ch for ch in e164 if ch.isdigit()]
    return "+X " + "X" * max(len(digits) - 3, 0) + "".join(digits[-2:])


def mask_email(address: str) -> str:
    local, _, domain = address.partition("@")
    return f"{local[:2]}*****@{domain}"
