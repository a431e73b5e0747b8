"""The demo district has classes, so a tester signing in as a demo teacher sees them."""

import io

import pytest
from django.core.management import call_command

from sspr.demo.seed import STAFF, seed, seed_roster
from sspr.directory.embedded.models import Account
from sspr.roster import queries
from sspr.roster.models import Section


@pytest.mark.django_db
def test_the_demo_roster_matches_the_demo_accounts():
    seed()
    result = seed_roster()
    assert (result.schools, result.sections, result.teachers) == (3, 8, 4)
    assert [person.username for person in result.unmatched] == ["pwalker1190"]
    by_teacher = {name: [s.title for s in queries.sections_taught_by(f"{name}@district.example")]
                  for name in ("ana.torres", "james.okafor", "mei.chen", "lucia.fernandez", "david.cohen")}
    assert by_teacher == {
        "ana.torres": ["Algebra II", "World History"], "james.okafor": ["Biology", "Chemistry"],
        "mei.chen": ["Math 7", "Science 7"], "lucia.fernandez": ["Grade 3 – Room 12", "Reading Group 3B"],
        "david.cohen": [],
    }
    algebra = Section.objects.get(sourced_id="lhs-alg2-p2")
    assert queries.students_of(algebra) == [  # by username, by email (tnguyen) and the new student
        "csmith1234@student.district.example", "mgarcia2201@student.district.example",
        "new.student@student.district.example", "tnguyen3310@student.district.example"]
    assert queries.teaches("mei.chen@district.example", "dlopez5007@student.district.example")
    assert not queries.teaches("mei.chen@district.example", "csmith1234@student.district.example")


@pytest.mark.django_db
def test_the_teachers_are_in_the_teachers_group_even_in_an_older_demo_database():
    seed()
    Account.objects.filter(user_id="ana.torres@district.example").update(groups=["Staff"])
    seed()
    teachers = {name for name, _, _, groups in STAFF if "Teachers" in groups}
    assert teachers == {"ana.torres", "james.okafor", "mei.chen", "lucia.fernandez"}
    assert Account.objects.get(user_id="ana.torres@district.example").groups == ["Staff", "Teachers"]


@pytest.mark.django_db
def test_sspr_demo_imports_the_roster_after_the_accounts(settings):
    settings.DEMO = True
    out = io.StringIO()
    call_command("demo", no_serve=True, stdout=out)
    assert "Classes (sspr roster): 8 sections at 3 schools, taught by 4 teachers in the group Teachers; " \
           "1 person on the roster without an account yet." in out.getvalue()
    assert Section.objects.count() == 8
