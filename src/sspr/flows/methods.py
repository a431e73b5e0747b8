"""Which of a person's methods a flow may offer, strongest first."""

from sspr.methods.kinds import kind
from sspr.methods.models import Method
from sspr.methods.rules import rules_for


def strongest_first(methods) -> list[Method]:
    return sorted(methods, key=lambda m: -kind(m.kind).strength)


def allowed_methods(user_pk: int | None, groups, *, for_signin: bool) -> list[Method]:
    """The person's registered methods that their groups allow; for sign-in (and
    re-authentication) only kinds that serve as a second step. None (a stand-in) has none."""
    if user_pk is None:
        return []
    allowed = set(rules_for(groups).allowed)
    methods = [m for m in Method.objects.filter(user_id=user_pk).select_related("user") if m.kind in allowed]
    if for_signin:
        methods = [m for m in methods if kind(m.kind).usable_for_signin]
    return strongest_first(methods)
