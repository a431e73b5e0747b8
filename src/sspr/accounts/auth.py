"""The Django authentication backend of portal sessions. Passwords are checked by the
directory (sspr.services.signin), never through Django's authenticate()."""

from .models import User


class DirectoryBackend:
    """Django needs a backend to re-load the signed-in user on each request."""

    def authenticate(self, request, **credentials):
        return None

    def get_user(self, pk):
        return User.objects.filter(pk=pk, is_operator=False, is_active=True).first()
