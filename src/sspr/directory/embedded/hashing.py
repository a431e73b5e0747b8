"""Password hashing for the embedded directory: argon2id with the configured cost.

Django's own Argon2 defaults (100 MiB, p=8) cost about six times more per hash and scale badly
across worker processes; OWASP's minimum (19 MiB, t=2, p=1) is our floor, and the schema refuses
anything below it. Django's must_update() compares parameters, so a hash made with weaker ones
is re-made at the next successful sign-in.
"""

import bcrypt
from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher, BCryptPasswordHasher


# Django declares the costs as class attributes; here they are read from [passwords] at each use,
# so they are read-only properties, which the stubs cannot express as an override.
class ConfiguredArgon2Hasher(Argon2PasswordHasher):
    @property
    def time_cost(self) -> int:  # type: ignore[override]
        return settings.CONFIG.passwords.argon2_time_cost

    @property
    def memory_cost(self) -> int:  # type: ignore[override]
        return settings.CONFIG.passwords.argon2_memory_kib

    @property
    def parallelism(self) -> int:  # type: ignore[override]
        return settings.CONFIG.passwords.argon2_parallelism


class ImportedBCryptHasher(BCryptPasswordHasher):
    """Verifies bcrypt hashes imported from another system. bcrypt only ever read the first 72
    bytes of a password; today's library refuses longer input instead of ignoring the rest, so
    we verify as the system that made the hash did. The hash is replaced by argon2id at once."""

    def verify(self, password, encoded):
        _algorithm, data = encoded.split("$", 1)
        return bcrypt.checkpw(password.encode()[:72], data.encode("ascii"))
