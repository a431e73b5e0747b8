"""What every kind of verification method provides. Views only talk to this interface; nothing
outside kinds/ switches on the kind."""

from django.http import HttpRequest, HttpResponse

from .models import Method


class VerificationFailed(Exception):
    """The answer was wrong or cannot be accepted now; message is for the person."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class MethodKind:
    kind = ""
    label = ""               # "Authentication phone" (lazy translation)
    strength = 0             # the default second step is the strongest method the person has
    usable_for_signin = True  # security questions only help with a reset
    one_per_person = True    # passkeys: one per device

    def options(self, method: Method) -> list[tuple[str, str]]:
        """The ways to use this method, as (choice, label): a phone offers text and call."""
        return [("", self.describe(method))]

    def describe(self, method: Method) -> str:
        """How the method is offered, with the destination masked: "Text +X XXXXXXXX96"."""
        raise NotImplementedError

    # Registration (security info). The view shows a form and, once the person proved they
    # control the method, creates the Method.
    def enrol(self, request: HttpRequest) -> HttpResponse:
        raise NotImplementedError

    # Verification (sign-in second step; later the reset flow).
    def challenge(self, request: HttpRequest, method: Method, purpose: str, choice: str = "") -> dict:
        """Start a verification: send a code, or prepare a passkey challenge. Returns the
        context the verify template needs. Raises VerificationFailed when it cannot start."""
        return {}

    verify_template = ""     # a fragment shown inside the verification page

    def retry_context(self, request: HttpRequest, method: Method, purpose: str) -> dict:
        """The verify template's context after a wrong answer, without starting over (no new code)."""
        return {}

    def verify(self, request: HttpRequest, method: Method, purpose: str) -> None:
        """Check the person's answer in request.POST; raise VerificationFailed when wrong."""
        raise NotImplementedError


def attach_error(context: dict, message: str, data) -> dict:
    """Show a wrong code's message at the code field too (aria-invalid and described by it), not
    only in the page's alert."""
    form = context.get("form")
    if form is not None and list(form.fields) == ["code"]:
        form = type(form)(data)
        form.full_clean()
        if not form.errors:
            form.add_error("code", message)
        context["form"] = form
    return context
