"""Stand-in methods for a user ID that cannot be helped (unknown, disabled, or with nothing
registered). They look like a real person's methods and behave like them up to the point where a
code would be sent, so the flow does not tell an attacker which user IDs exist. Derived from a
keyed hash of the user ID: the same user ID always shows the same stand-ins."""

import hashlib
import hmac

from django.conf import settings

from sspr.methods.models import Method

PROVIDERS = ["gmail.com", "outlook.com", "yahoo.com", "icloud.com", "hotmail.com"]
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def decoy_methods(user_id: str) -> list[Method]:
    digest = hmac.new(settings.SECRET_KEY.encode(), f"decoy:{user_id.lower()}".encode(), hashlib.sha256).digest()
    local = LETTERS[digest[0] % 26] + LETTERS[digest[1] % 26] + "xxxxx"
    email = Method(pk=-1, kind="email", destination=f"{local}@{PROVIDERS[digest[2] % len(PROVIDERS)]}")
    phone = Method(pk=-2, kind="phone", destination="+1202555" + "".join(str(byte % 10) for byte in digest[3:7]))
    return [email, phone]
