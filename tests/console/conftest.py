import time

import pytest

from sspr.methods.crypto import seal
from sspr.methods.kinds.totp import code_at

from ..conftest import Persona, sign_in
from ..methods.conftest import give_method

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
ROLES = {"admin": ["IT Admins"], "helpdesk": ["Help Desk"], "school_helpdesk": ["School Help Desk"],
         "teacher": ["Teachers"], "auditor": ["Auditors"]}


@pytest.fixture(autouse=True)
def roles(configure, captcha_off):
    configure(roles=ROLES)


def staff_member(user_id, groups, department="Technology", *, authenticator=True, **fields):
    person = Persona(user_id, "Gentle harbors glow after school!", display_name=user_id.split("@")[0].title(),
                     groups=["Staff", *groups], department=department, email=user_id, **fields)
    if authenticator:
        person.method = give_method(person, "totp", sealed_secret=seal(SECRET))
    return person


@pytest.fixture
def technician(db):
    return staff_member("grace.kim@district.example", ["Help Desk"])


@pytest.fixture
def school_desk(db):
    return staff_member("sam.patel@district.example", ["School Help Desk"], department="Lincoln High School")


@pytest.fixture
def teacher(db):
    return staff_member("lucia.fernandez@district.example", ["Teachers"], department="Washington Elementary")


@pytest.fixture
def auditor(db):
    return staff_member("audit.office@district.example", ["Auditors"])


@pytest.fixture
def console_admin(db):
    return staff_member("riley.morgan@district.example", ["IT Admins"])


def current_code() -> str:
    return code_at(SECRET, int(time.time() // 30))


def console_sign_in(client, person):
    """Password, then the authenticator app as the second step: the console opens."""
    assert sign_in(client, person).status_code == 302
    client.post("/signin/verify/", {"action": "choose", "option": f"{person.method.pk}:"})
    response = client.post("/signin/verify/", {"action": "verify", "code": current_code()})
    assert response.status_code == 302, response.content.decode()
    return response
