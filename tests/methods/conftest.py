import re
import time

import pytest
from django.contrib.auth import get_user_model

from sspr.demo.models import OutboxMessage
from sspr.methods.models import Method


@pytest.fixture
def outbox(settings):
    """Codes land in the demo outbox, where a tester (and these tests) read them."""
    settings.DEMO = True

    def latest_code(to):
        message = OutboxMessage.objects.filter(to=to).exclude(channel="email", subject__icontains="changed").first()
        assert message is not None, f"nothing sent to {to}"
        # A call spells the code out ("1, 2, 3, ..."), a text or email writes it whole.
        found = re.search(r"\b\d(?:, \d){5,9}\b|\b\d{6,10}\b", message.body)
        return found.group(0).replace(", ", "")
    return latest_code


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
