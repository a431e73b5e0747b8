"""The demo district: staff and students with passphrases a tester can type from the terminal."""

import base64
import hashlib
import random
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from sspr.accounts.models import User
from sspr.actors import Actor
from sspr.directory.embedded.models import Account
from sspr.methods.crypto import seal
from sspr.methods.models import Method
from sspr.roster.importer import import_roster
from sspr.services import accounts, people

STAFF_DOMAIN = "district.example"
STUDENT_DOMAIN = "student.district.example"
ROSTER = Path(__file__).with_name("roster")

STAFF = [
    ("ana.torres", "Ana Torres", "Lincoln High School", ["Staff", "Teachers"]),
    ("james.okafor", "James Okafor", "Lincoln High School", ["Staff", "Teachers"]),
    ("mei.chen", "Mei Chen", "Roosevelt Middle School", ["Staff", "Teachers"]),
    ("david.cohen", "David Cohen", "Roosevelt Middle School", ["Staff"]),
    ("lucia.fernandez", "Lucía Fernández", "Washington Elementary", ["Staff", "Teachers"]),
    ("sam.patel", "Sam Patel", "District Office", ["Staff"]),
    ("grace.kim", "Grace Kim", "Technology", ["Staff", "Help Desk"]),
    ("it.admin", "Riley Morgan", "Technology", ["Staff", "Administrators"]),
]
STUDENTS = [
    ("csmith1234", "Chris Smith", "Lincoln High School"),
    ("mgarcia2201", "María García", "Lincoln High School"),
    ("tnguyen3310", "Tuan Nguyen", "Lincoln High School"),
    ("ajohnson4120", "Aaliyah Johnson", "Roosevelt Middle School"),
    ("dlopez5007", "Diego López", "Roosevelt Middle School"),
    ("ewilliams6019", "Emma Williams", "Roosevelt Middle School"),
    ("obrown7025", "Omar Brown", "Washington Elementary"),
    ("sali8034", "Sara Ali", "Washington Elementary"),
    ("jmartin9042", "Jack Martin", "Washington Elementary"),
    ("nrossi1057", "Nina Rossi", "Lincoln High School"),
    ("kwhite1166", "Kai White", "Roosevelt Middle School"),
    ("new.student", "Jordan Lee", "Lincoln High School"),  # must change at first sign-in
]

WORDS = {
    "adjective": ["Sunny", "Quiet", "Purple", "Brave", "Lucky", "Gentle", "Clever", "Windy"],
    "noun": ["otters", "rivers", "lanterns", "maples", "comets", "pianos", "harbors", "meadows"],
    "verb": ["sing", "glow", "dance", "drift", "whisper", "wander", "shine", "rest"],
    "time": ["at noon", "by moonlight", "in April", "after school", "at dawn", "on Fridays"],
}


def demo_password(user_id: str) -> str:
    pick = random.Random(user_id).choice  # same phrase on every run for the same account
    return f"{pick(WORDS['adjective'])} {pick(WORDS['noun'])} {pick(WORDS['verb'])} {pick(WORDS['time'])}!"


def demo_phone(number: int) -> str:
    """A valid number that reaches nobody: 555-0100 to 555-0199 are reserved for fiction."""
    return f"+1202555{100 + number:04d}"


def demo_accounts():
    for number, (name, display, school, groups) in enumerate(STAFF):
        yield {
            "user_id": f"{name}@{STAFF_DOMAIN}", "display_name": display, "department": school, "groups": groups,
            "email": f"{name}@{STAFF_DOMAIN}", "mobile": demo_phone(number),
            "alternate_email": f"{name.replace('.', '')}@personal.example" if number % 2 else "",
        }
    for number, (name, display, school) in enumerate(STUDENTS):
        yield {
            "user_id": f"{name}@{STUDENT_DOMAIN}", "display_name": display, "department": school,
            "groups": ["Students"], "email": f"{name}@{STUDENT_DOMAIN}",
            "mobile": demo_phone(50 + number) if number % 3 == 0 else "",
            "must_change_password": name == "new.student",
        }


def seed() -> list[tuple[str, str, str]]:
    """Create the demo accounts that are missing, and give those that exist the demo's groups (a
    demo database from before a group was added catches up); return (user ID, password, groups)
    for each."""
    existing = dict(Account.objects.values_list("user_id", "groups"))
    rows = []
    for fields in demo_accounts():
        password = demo_password(fields["user_id"])
        if fields["user_id"] not in existing:
            Account.objects.create(password=make_password(password), password_last_set=timezone.now(), **fields)
        elif existing[fields["user_id"]] != fields["groups"]:
            Account.objects.filter(user_id=fields["user_id"]).update(groups=fields["groups"])
        rows.append((fields["user_id"], password, ", ".join(fields["groups"])))
    return rows


def seed_roster():
    """The demo district's classes (a OneRoster 1.1 bundle in demo/roster/), matched to the demo
    accounts, in place of whatever roster the demo database had."""
    return import_roster(ROSTER, find=people.find, domains=[STAFF_DOMAIN, STUDENT_DOMAIN])


# People who arrive with something set up, so every journey can be tried in a minute: who they are
# and what to try is printed at start-up.
PREPARED = {
    "grace.kim@district.example": "help desk: My account > Help desk (second step by text, in the outbox)",
    "lucia.fernandez@district.example": "teacher: My account > My classes, sign-in sheets",
    "it.admin@district.example": "console admin, with an authenticator app: key {key}",
    "nrossi1057@student.district.example": "student with phone and email registered: try a reset",
    "kwhite1166@student.district.example": "student whose account is locked: try an unlock",
    "new.student@student.district.example": "new student who must change the password at first sign-in",
}
TOTP_SEED = "sspr-demo-authenticator"
LOCKED = "kwhite1166@student.district.example"


def demo_totp_secret(user_id: str) -> str:
    """The same authenticator key on every run, so a tester's app keeps working."""
    return base64.b32encode(hashlib.sha256(f"{TOTP_SEED}:{user_id}".encode()).digest()[:20]).decode()


def seed_prepared() -> list[tuple[str, str]]:
    """Register the methods and states PREPARED describes (once); return (user ID, what to try)."""
    for user_id in PREPARED:
        account = Account.objects.get(user_id=user_id)
        user = people.local_user(people.find(user_id))
        if user is None or user.methods.exists():
            continue
        if user_id.startswith("it.admin"):
            Method.objects.create(user=user, kind="totp", sealed_secret=seal(demo_totp_secret(user_id)))
        elif account.mobile and "must change" not in PREPARED[user_id]:
            Method.objects.create(user=user, kind="phone", destination=account.mobile)
        if user_id.startswith("nrossi"):
            Method.objects.create(user=user, kind="email", destination="nina.rossi@personal.example")
        User.objects.filter(pk=user.pk).update(security_info_confirmed_at=timezone.now())
    if not people.find(LOCKED).locked:
        accounts.lock(Actor.cli(), LOCKED)
    return [(user_id, note.format(key=demo_totp_secret(user_id))) for user_id, note in PREPARED.items()]
