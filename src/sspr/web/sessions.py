"""Django's side of signing in and out: the session is the web layer's, so these live here."""

from django.contrib import auth

from sspr.accounts.models import User
from sspr.services import signin

from .actors import actor_of

BACKEND = "sspr.accounts.auth.DirectoryBackend"
SIGNED_IN_WITH_PASS = "signed_in_with_pass"


def sign_in(request, user: User, *, must_change: bool, detail: dict | None = None) -> None:
    auth.login(request, user, backend=BACKEND)  # rotates the session key
    request.session["must_change_password"] = must_change
    signin.signed_in(actor_of(request), user, detail=detail)


def sign_out(request) -> None:
    if request.user.is_authenticated:
        signin.signed_out(actor_of(request), request.user)
    auth.logout(request)  # flushes the session and its key


def keep_this_session(request, user: User) -> None:
    """After the person's own change ended every session: this one stays, with a new key."""
    user.refresh_from_db(fields=["session_generation"])
    auth.update_session_auth_hash(request, user)
