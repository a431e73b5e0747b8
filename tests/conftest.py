import os
import re

import pytest
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from sspr.demo.models import OutboxMessage
from sspr.directory.embedded.models import Account

# Django's live_server runs in a thread beside Playwright's sync API.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


class Persona:
    def __init__(self, user_id, password, **fields):
        self.user_id, self.password = user_id, password
        self.account = Account.objects.create(
            user_id=user_id, password=make_password(password), password_last_set=timezone.now(), **fields
        )


@pytest.fixture
def student(db):
    return Persona("csmith1234@student.district.example", "Brave pianos dance on Fridays!",
                   display_name="Chris Smith", groups=["Students"], department="Lincoln High School",
                   email="csmith1234@student.district.example", mobile="+15550200")


@pytest.fixture
def staff(db):
    return Persona("ana.torres@district.example", "Lucky rivers drift at noon!",
                   display_name="Ana Torres", groups=["Staff"], department="Roosevelt Middle School",
                   email="ana.torres@district.example", mobile="+15550100", alternate_email="ana@personal.example")


@pytest.fixture
def administrator(db):
    return Persona("it.admin@district.example", "Windy otters drift at noon!",
                   display_name="Riley Morgan", groups=["Staff", "Administrators"], department="Technology",
                   email="it.admin@district.example")


def sign_in(client, persona, password=None):
    return client.post("/signin/", {"user_id": persona.user_id, "password": password or persona.password})


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
