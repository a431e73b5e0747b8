"""The Actor of a web request: built once here, passed to flows and services."""

from sspr.actors import Actor


def actor_of(request) -> Actor:
    user = getattr(request, "user", None)
    user_id = user.user_id if user is not None and user.is_authenticated else ""
    return Actor.person(user_id, client_ip=getattr(request, "client_ip", None),
                        user_agent=request.META.get("HTTP_USER_AGENT", ""))
