"""A small district with known people, methods and events, whose every figure the tests check."""

from datetime import UTC, datetime, timedelta

import pytest

from sspr.actors import Actor, Role
from sspr.audit.models import Outcome, Reason, Tag, record
from sspr.delivery.models import Delivery
from sspr.methods.models import Method
from sspr.reports import activity
from sspr.services import reports

from ..conftest import Persona
from ..console.conftest import ROLES, staff_member
from ..methods.conftest import give_method

# Wednesday 18 March 2026, noon (UTC, the tests' time zone).
TODAY = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)
LINCOLN, ROOSEVELT = "Lincoln High School", "Roosevelt Middle School"
PASSWORD = "Brave pianos dance on Fridays!"


@pytest.fixture(autouse=True)
def rules(configure, captcha_off):
    configure(roles=ROLES, methods={"required": 2, "groups": {"Staff": {"required": 1}}})


def person(user_id, department, groups, **fields):
    return Persona(f"{user_id}@district.example", PASSWORD, display_name=user_id.title(), groups=groups,
                   department=department, email=f"{user_id}@district.example", **fields)


@pytest.fixture
def district(db, clock):
    """Five enabled people and a disabled one:
    ana   Lincoln,   Students  phone + email            registered
    ben   Lincoln,   Students  phone                    not (1 of 2)
    cara  Roosevelt, Students  nothing                  not (0 of 2)
    dev   Roosevelt, Staff     authenticator app        registered (1 of 1)
    eli   Roosevelt, Students  phone, and email today   registered today, not at the end of yesterday
    finn  Lincoln,   Students  disabled                 never counted
    """
    clock.move_to(TODAY - timedelta(days=30))
    people = {name: person(name, school, groups) for name, school, groups in [
        ("ana", LINCOLN, ["Students"]), ("ben", LINCOLN, ["Students"]), ("cara", ROOSEVELT, ["Students"]),
        ("dev", ROOSEVELT, ["Staff"]), ("eli", ROOSEVELT, ["Students"])]}
    people["finn"] = person("finn", LINCOLN, ["Students"], enabled=False)
    give_method(people["ana"], "phone", "+15550101")
    give_method(people["ana"], "email", "ana@home.example")
    give_method(people["ben"], "phone", "+15550102")
    give_method(people["dev"], "totp")
    give_method(people["eli"], "phone", "+15550103")
    give_method(people["finn"], "phone", "+15550104")
    clock.move_to(TODAY)
    Method.objects.create(user=Method.objects.get(destination="+15550103").user, kind="email",
                          destination="eli@home.example")
    assert reports.refresh_people() == 6
    return people


def at(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 3, day, hour, 0, tzinfo=UTC)


@pytest.fixture
def events(district, clock):
    """Known events in March 2026 (Monday 2 to Wednesday 18):
    2 Mar  ana resets her own password; ben's sign-in refused (locked); cara's account locked by hand
    3 Mar  grace (help desk) unlocks ben and resets cara; ana signs in with a text (second step)
    9 Mar  ben unlocks himself; ana changes her password; dev registers an app; a wrong code for ben
    16 Mar eli's code expired; eli registers email; a text to eli (0.05), a failed text, an email
    and, on 1 Feb (outside every period asked for), a reset by ana.
    """
    ana, ben, cara, dev, eli = (f"{name}@district.example" for name in ("ana", "ben", "cara", "dev", "eli"))
    tech = Actor.staff(Role.HELPDESK, "grace.kim@district.example", client_ip="10.0.0.5")
    plan = [
        (datetime(2026, 2, 1, 10, tzinfo=UTC), Actor.person(ana), Tag.PASSWORD_RESET, ana, {}),
        (at(2), Actor.person(ana), Tag.PASSWORD_RESET, ana, {}),
        (at(2, 11), Actor.person(ben), Tag.SIGNIN_FAILURE, ben,
         {"outcome": Outcome.FAILURE, "reason": Reason.ACCOUNT_LOCKED}),
        (at(2, 12), Actor.cli(), Tag.ACCOUNT_LOCK, cara, {}),
        (at(3), tech, Tag.ACCOUNT_UNLOCK, ben, {}),
        (at(3, 11), tech, Tag.PASSWORD_RESET, cara, {}),
        (at(3, 12), Actor.person(ana), Tag.VERIFY_SUCCESS, ana, {"detail": {"purpose": "signin", "kind": "phone"}}),
        (at(9), Actor.person(ben), Tag.ACCOUNT_UNLOCK, ben, {}),
        (at(9, 11), Actor.person(ana), Tag.PASSWORD_CHANGE, ana, {}),
        (at(9, 12), Actor.person(dev), Tag.METHOD_ADD, dev, {"detail": {"kind": "totp"}}),
        (at(9, 13), Actor.person(ben), Tag.VERIFY_FAILURE, ben,
         {"outcome": Outcome.FAILURE, "reason": Reason.WRONG_ANSWER, "detail": {"purpose": "reset", "kind": "phone"}}),
        (at(16), Actor.person(eli), Tag.VERIFY_FAILURE, eli,
         {"outcome": Outcome.FAILURE, "reason": Reason.EXPIRED, "detail": {"purpose": "reset", "kind": "phone"}}),
        (at(16, 11), Actor.person(eli), Tag.METHOD_ADD, eli, {"detail": {"kind": "email"}}),
    ]
    for when, actor, tag, subject, extra in plan:
        clock.move_to(when)
        record(actor, tag, subject=subject, **extra)
    clock.move_to(at(16, 12))
    for channel, status, cost in [("sms", Delivery.Status.SENT, 0.05), ("sms", Delivery.Status.FAILED, 0.05),
                                  ("email", Delivery.Status.SENT, 0.0)]:
        Delivery.objects.create(channel=channel, backend="console", to="+15550103" if channel == "sms" else eli,
                                account=eli, cost=cost, status=status, next_attempt_at=at(16, 12))
    clock.move_to(TODAY)


@pytest.fixture(params=["live", "rolled up"])
def counted(request, events):
    """The events, counted live from the trail or (as after the worker's nightly run) rolled up
    into daily counts for every day before today: every figure must be the same both ways."""
    if request.param == "rolled up":
        assert activity.roll_up() == 45  # 1 February to 17 March; today (the 18th) stays live
        assert activity.through() == datetime(2026, 3, 17).date()
    return events


@pytest.fixture
def auditor(db):
    return staff_member("audit.office@district.example", ["Auditors"])


@pytest.fixture
def school_desk(db):
    return staff_member("sam.patel@district.example", ["School Help Desk"], department=LINCOLN)
