"""Finding people: the directory's account behind a user ID, and the local row that sessions
and security info point at."""

from sspr.accounts.models import User
from sspr.directory import get_directory
from sspr.directory.base import DirectoryUnavailable, DirectoryUser, SearchResult, UnknownUser
from sspr.passwords import policy
from sspr.reports import people as reports_people


def find(user_id: str) -> DirectoryUser:
    """The directory's account. Raises UnknownUser or DirectoryUnavailable."""
    return get_directory().lookup(user_id)


def search(text: str, *, department: str = "", offset: int = 0, limit: int = 25) -> SearchResult:
    """People whose user ID, name or email starts with text (the console's "Find a person")."""
    return get_directory().search(text, department=department, offset=offset, limit=limit)


def profile(user: User) -> DirectoryUser:
    """The directory's account behind a local row, read fresh."""
    return find(user.user_id)


def local_user(person: DirectoryUser) -> User | None:
    """The local row for a directory account, created on first sign-in; None for a clash with an
    operator's row (a directory account must never become an operator)."""
    user, _ = User.objects.get_or_create(user_id=person.user_id.lower(), defaults={"display_name": person.display_name})
    if user.is_operator:
        return None
    if user.display_name != person.display_name:
        User.objects.filter(pk=user.pk).update(display_name=person.display_name)
    reports_people.remember(person)  # counted in the reports, with their school and groups as of now
    return user


def existing_user(user_id: str) -> User | None:
    return User.objects.filter(user_id=user_id.lower(), is_operator=False).first()


def enabled_account(user_id: str) -> tuple[DirectoryUser | None, User | None]:
    """The enabled directory account behind a user ID and its local row (None when it never
    signed in); (None, None) for an unknown or disabled one, or when the directory cannot say."""
    try:
        person = find(user_id)
    except (UnknownUser, DirectoryUnavailable):
        return None, None
    if not person.enabled:
        return None, None
    return person, existing_user(person.user_id)


def policy_person(person: DirectoryUser) -> policy.Person:
    return policy.Person(user_id=person.user_id, display_name=person.display_name, groups=tuple(person.groups),
                         department=person.department)
