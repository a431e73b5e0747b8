import time

from django.contrib.auth import get_user_model

from sspr.methods.models import Method


def local_user(persona):
    return get_user_model().objects.get_or_create(user_id=persona.user_id)[0]


def give_method(persona, kind, destination="", **fields):
    """A method registered earlier (so the person's security info counts as current)."""
    from django.utils import timezone

    user = local_user(persona)
    get_user_model().objects.filter(pk=user.pk).update(security_info_confirmed_at=timezone.now())
    return Method.objects.create(user=user, kind=kind, destination=destination, **fields)


def open_security_info(client):
    """As if the password was just re-entered."""
    session = client.session
    session["security_info_until"] = time.time() + 600
    session.save()


def verify_with(method, answer, *, purpose="signin", session=None, actor=None):
    """Choose the method and answer it once, through the verification step every flow uses."""
    from sspr.actors import Actor
    from sspr.flows.engine import Flow
    from sspr.flows.verification import Verification
    from sspr.methods.attempts import Budget

    session = {} if session is None else session
    flow = Flow.start(session, purpose, lifetime=600, user_id=method.user.user_id, user_pk=method.user.pk,
                      steps=["verify"])
    verification = Verification(flow, actor or Actor.person(), [method], purpose=purpose,
                                budget=Budget.of(purpose, method.user.pk))
    verification.choose(f"{method.pk}:")
    return verification.answer(answer)


def second_step(client, method, codes, remember=False, choice="sms"):
    """The sign-in second step with a sent code; codes reads it (outbox or screened_outbox).
    remember ticks "Don't ask again" on this device."""
    page = client.get("/signin/verify/").content.decode()
    assert "Verify your identity" in page
    client.post("/signin/verify/", {"action": "choose", "option": f"{method.pk}:{choice}"})
    form = {"action": "verify", "code": codes(method.destination)}
    if remember:
        form["remember"] = "on"
    return client.post("/signin/verify/", form)
