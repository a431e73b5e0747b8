"""Teachers and their classes: after `sspr roster import`, a teacher unlocks, resets and gives
passes to the students of their own sections, and prints a class sign-in sheet; never for a
student of another class, nor for staff, whatever the URL or form says."""

import io
import re

import pytest
from django.conf import settings
from pypdf import PdfReader

from sspr.audit.models import AuditEvent
from sspr.methods.models import TemporaryPass
from sspr.roster.importer import import_roster
from sspr.services import people

from ..conftest import Persona
from ..roster.bundles import Bundle, enrol, org, section, user
from .conftest import console_sign_in


@pytest.fixture
def other_student(db):
    return Persona("obrown7025@student.district.example", "Quiet maples rest in April!", display_name="Omar Brown",
                   groups=["Students"], department="Washington Elementary")


@pytest.fixture
def roster(teacher, student, other_student, staff, tmp_path):
    """Lucía teaches Reading 3 (Chris, and Ana Torres enrolled as an aide); Omar is in Math 3,
    taught by someone else."""
    bundle = Bundle(
        orgs=[org("wes", "Washington Elementary")],
        users=[user("t1", teacher.user_id, role="teacher", orgSourcedIds="wes"),
               user("t2", "mei.chen@district.example", role="teacher", orgSourcedIds="wes"),
               user("s1", student.user_id, orgSourcedIds="wes"),
               user("s2", other_student.user_id, orgSourcedIds="wes"),
               user("a1", staff.user_id, role="aide", orgSourcedIds="wes")],
        classes=[section("read-3", "Reading 3", school="wes"), section("math-3", "Math 3", school="wes")],
        enrollments=[enrol("e1", "read-3", "t1", role="teacher", schoolSourcedId="wes"),
                     enrol("e2", "read-3", "s1", schoolSourcedId="wes"),
                     enrol("e3", "read-3", "a1", role="aide", schoolSourcedId="wes"),
                     enrol("e4", "math-3", "t2", role="teacher", schoolSourcedId="wes"),
                     enrol("e5", "math-3", "s2", schoolSourcedId="wes")],
    )
    Persona("mei.chen@district.example", "Purple comets shine at dawn!", groups=["Staff", "Teachers"])
    import_roster(bundle.folder(tmp_path / "roster"), find=people.find, domains=settings.CONFIG.directory.domains)


def test_a_teacher_sees_their_classes_and_students(client, teacher, roster, student, other_student):
    console_sign_in(client, teacher)
    assert "My classes" in client.get("/account/").content.decode()
    assert client.get("/console/")["Location"] == "/console/classes/"
    page = client.get("/console/classes/").content.decode()
    assert "Reading 3" in page and "Math 3" not in page
    page = client.get("/console/classes/read-3/").content.decode()
    assert "Chris Smith" in page and "Omar Brown" not in page
    assert client.get("/console/classes/math-3/").status_code == 403


def test_a_teacher_resets_their_student_who_then_must_change_it(client, teacher, roster, student):
    console_sign_in(client, teacher)
    response = client.post(f"/console/people/{student.user_id}/reset/?section=read-3",
                           {"how": "generate", "must_change": "on"})
    assert response.status_code == 200
    password = re.search(r'<p class="idea" data-secret>([^<]+)</p>', response.content.decode()).group(1).strip()
    event = AuditEvent.objects.filter(tag="password:reset", subject=student.user_id).get()
    assert event.actor_role == "teacher" and event.detail["verification"] == "in class"
    client.post("/signout/")
    assert client.post("/signin/", {"user_id": student.user_id,
                                    "password": password.replace("&#x27;", "'")})["Location"] == "/account/password/"


@pytest.mark.parametrize("target", ["other_student", "staff"])
def test_a_teacher_cannot_act_on_another_class_or_on_staff_by_editing_the_url(client, teacher, roster, target,
                                                                              request):
    person = request.getfixturevalue(target)
    console_sign_in(client, teacher)
    for name in ["unlock", "reset", "pass"]:
        response = client.post(f"/console/people/{person.user_id}/{name}/?section=read-3",
                               {"how": "generate", "must_change": "on"})
        assert response.status_code == 403, name
    assert client.get(f"/console/people/{person.user_id}/").status_code == 403
    assert not AuditEvent.objects.filter(tag__in=["password:reset", "account:unlock", "pass:issue"]).exists()
    assert AuditEvent.objects.filter(tag="console:refused", actor=teacher.user_id).count() == 4


def test_a_teacher_cannot_clear_security_info_even_of_their_student(client, teacher, roster, student):
    console_sign_in(client, teacher)
    assert client.post(f"/console/people/{student.user_id}/clear/", {"method": "all"}).status_code == 403


def test_the_sign_in_sheet_gives_each_student_a_pass_that_signs_them_in_once(client, teacher, roster, student):
    console_sign_in(client, teacher)
    response = client.post("/console/classes/read-3/sheet/")
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Chris Smith" in text and student.user_id in text
    assert "Ana Torres" not in text  # the aide is staff: no pass on a class sheet
    code = re.search(r"\b([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})\b", text).group(1)
    assert TemporaryPass.objects.filter(user__user_id=student.user_id).count() == 1
    client.post("/signout/")
    response = client.post("/signin/pass/", {"user_id": student.user_id, "pass_code": code})
    assert response.status_code == 302
    client.post("/signout/")
    assert client.post("/signin/pass/", {"user_id": student.user_id, "pass_code": code}).status_code == 400


def test_voiding_a_sheet_ends_all_its_passes(client, teacher, roster, student):
    console_sign_in(client, teacher)
    text = "".join(page.extract_text() for page in
                   PdfReader(io.BytesIO(client.post("/console/classes/read-3/sheet/").content)).pages)
    code = re.search(r"\b([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})\b", text).group(1)
    batch = TemporaryPass.objects.get().batch
    page = client.get("/console/classes/read-3/").content.decode()
    assert "1 pass still works" in page
    client.post(f"/console/classes/read-3/sheets/{batch}/void/")
    client.post("/signout/")
    assert client.post("/signin/pass/", {"user_id": student.user_id, "pass_code": code}).status_code == 400
    event = AuditEvent.objects.filter(tag="signin:failure", subject=student.user_id).first()
    assert event.reason == "expired"
