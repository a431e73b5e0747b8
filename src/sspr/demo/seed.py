"""The demo district: staff and students with passphrases a tester can type from the terminal."""

import random
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from sspr.directory.embedded.models import Account
from sspr.roster.importer import import_roster
from sspr.services import people

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


def demo_accounts():
    for number, (name, display, school, groups) in enumerate(STAFF):
        yield {
            "user_id": f"{name}@{STAFF_DOMAIN}", "display_name": display, "department": school, "groups": groups,
            "email": f"{name}@{STAFF_DOMAIN}", "mobile": f"+1555010{number:02d}",
            "alternate_email": f"{name.replace('.', '')}@personal.example" if number % 2 else "",
        }
    for number, (name, display, school) in enumerate(STUDENTS):
        yield {
            "user_id": f"{name}@{STUDENT_DOMAIN}", "display_name": display, "department": school,
            "groups": ["Students"], "email": f"{name}@{STUDENT_DOMAIN}",
            "mobile": f"+1555020{number:02d}" if number % 3 == 0 else "",
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
