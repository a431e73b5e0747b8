"""Signing people in and out of the portal against the directory."""

from django.contrib import auth

from sspr.audit.models import Tag, record
from sspr.directory import get_directory
from sspr.directory.base import DirectoryUser

from .models import User
from .notify import notify_account_change
from .signals import password_changed

BACKEND = "sspr.accounts.auth.DirectoryBackend"


class DirectoryBackend:
    """Django needs a backend to re-load the signed-in user on each request. Passwords are
    checked by the directory in sign_in(), never through Django's authenticate()."""

    def authenticate(self, request, **credentials):
        return None

    def get_user(self, pk):
        return User.objects.filter(pk=pk, is_operator=False, is_active=True).first()


def local_user(person: DirectoryUser) -> User | None:
    """The local row for a directory account, created on first sign-in; None for a clash with an
    operator's row (a directory account must never become an operator)."""
    user, _ = User.objects.get_or_create(user_id=person.user_id.lower(), defaults={"display_name": person.display_name})
    if user.is_operator:
        return None
    if user.display_name != person.display_name:
        User.objects.filter(pk=user.pk).update(display_name=person.display_name)
    return user


def sign_in(request, user: User) -> None:
    auth.login(request, user, backend=BACKEND)  # rotates the session key
    record(request, Tag.SIGNIN_SUCCESS, subject=user.user_id, actor=user.user_id)


def sign_out(request) -> None:
    if request.user.is_authenticated:
        record(request, Tag.SIGNOUT, subject=request.user.user_id, actor=request.user.user_id)
    auth.logout(request)  # flushes the session and its key


def directory_profile(user: User) -> DirectoryUser:
    return get_directory().lookup(user.user_id)


def password_was_set(request, person: DirectoryUser, tag: Tag, *, keep_this_session: bool) -> None:
    """Everything that follows a new password, whichever path set it: every other session ends,
    listeners revoke what must not outlive the old password, the event is audited and the
    person is told on every address we have."""
    user = User.objects.filter(user_id=person.user_id.lower(), is_operator=False).first()
    if user is not None:
        user.end_all_sessions()
        if keep_this_session:
            auth.update_session_auth_hash(request, user)  # this session only, with a new key
    password_changed.send(sender=password_was_set, user_id=person.user_id)
    notified = notify_account_change(request, person, "accounts/email/password_changed")
    actor = request.user.user_id if request.user.is_authenticated else person.user_id
    record(request, tag, subject=person.user_id, actor=actor, detail={"notifications": notified})
