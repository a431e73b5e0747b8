"""Stand-in methods for a user ID that cannot be helped (unknown, disabled, or with too little
registered). They look like a real person's methods and behave like them up to the point where a
code would be sent, so the flow does not tell an attacker which user IDs exist. Drawn from the
kinds the configuration allows, each kind as often as its `stand_in_share` says, from a keyed
hash of the user ID: the same user ID always shows the same stand-ins."""

import hashlib
import hmac

from django.conf import settings

from sspr.methods.kinds import KINDS, kind
from sspr.methods.models import Method
from sspr.methods.rules import rules_for


def decoy_methods(user_id: str) -> list[Method]:
    allowed = set(rules_for(()).allowed)
    methods = []
    for number, name in enumerate(KINDS, start=1):
        seed = hmac.new(settings.SECRET_KEY.encode(), f"decoy:{name}:{user_id.lower()}".encode(),
                        hashlib.sha256).digest()
        if name in allowed and seed[0] < 256 * kind(name).stand_in_share:
            method = kind(name).stand_in_method(seed)
            method.pk = -number  # never a real method's id
            methods.append(method)
    return methods
