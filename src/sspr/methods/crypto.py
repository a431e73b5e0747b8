"""Secrets we must be able to read back (an authenticator app's key) are encrypted at rest with
a key derived from server.secret_key, so a copy of the database alone does not reveal them."""

import base64
from functools import cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


@cache
def _fernet_for(secret_key: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"sspr.methods.secret").derive(
        secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def _fernet() -> Fernet:
    return _fernet_for(settings.SECRET_KEY)


def seal(plain: str) -> str:
    return _fernet().encrypt(plain.encode()).decode()


def unseal(sealed: str) -> str:
    return _fernet().decrypt(sealed.encode()).decode()


def opens(sealed: str, secret_key: str | None = None) -> bool:
    """Whether `sealed` was sealed under `secret_key` (by default the current one)."""
    try:
        _fernet_for(secret_key or settings.SECRET_KEY).decrypt(sealed.encode())
    except InvalidToken:
        return False
    return True


def reseal(sealed: str, old_secret_key: str) -> str:
    """A secret sealed under an earlier server.secret_key, sealed again under the current one."""
    return seal(_fernet_for(old_secret_key).decrypt(sealed.encode()).decode())
