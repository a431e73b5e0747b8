"""The Django authentication backends of sessions. Neither checks a password: a portal password
is checked by the directory (sspr.services.signin), an operator's by sspr.services.operators
together with the second step, so Django's authenticate() (and the test client's login()) can
sign nobody in with a password alone."""

from .models import User

OPERATOR_BACKEND = "sspr.accounts.auth.OperatorBackend"


class DirectoryBackend:
    """Django needs a backend to re-load the signed-in user on each request."""

    def authenticate(self, request, **credentials):
        return None

    def get_user(self, pk):
        return User.objects.filter(pk=pk, is_operator=False, is_active=True).first()


class OperatorBackend:
    """Re-loads an operator signed in at the admin, and only an operator: a session made by the
    portal's sign-in never carries this backend, and this backend never loads anyone else."""

    def authenticate(self, request, **credentials):
        return None

    def get_user(self, pk):
        return User.objects.filter(pk=pk, is_operator=True, is_active=True).first()
