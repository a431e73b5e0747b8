"""`sspr roster`: what the operator sees, the exit codes and the audit record."""

import io
import os
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from sspr.audit.models import AuditEvent, Tag
from sspr.roster.models import Enrollment

from ..test_cli import sspr
from .bundles import enrol, good_bundle, user


def roster(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("roster", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_an_import_says_what_it_stored_and_records_it(accounts, tmp_path):
    out, err = roster("import", str(good_bundle().zip(tmp_path / "roster.zip")))
    assert out.splitlines() == [
        "imported the roster: 2 schools, 3 sections, 2 teachers, 2 students, 1 other staff, 6 enrolments",
        "1 person in a class had no account; their enrolments were skipped (--verbose lists them)",
    ]
    assert err == ""
    event = AuditEvent.objects.get(tag=Tag.ROSTER_IMPORT)
    assert (event.actor, event.actor_role, event.outcome) == ("cli", "cli", "success")
    assert event.detail == {"schools": 2, "sections": 3, "enrollments": 6, "teachers": 2, "students": 2, "staff": 1,
                            "unmatched": 1}
    out, _ = roster("show")
    assert out.splitlines()[:6] == ["schools: 2", "sections: 3", "teachers: 2", "students: 2", "other staff: 1",
                                    "enrolments: 6"]
    assert out.splitlines()[6].startswith("last import: 20")


def test_verbose_lists_the_people_without_an_account(accounts, tmp_path):
    out, _ = roster("import", "--verbose", str(good_bundle().folder(tmp_path / "roster")))
    assert out.splitlines()[1:] == [
        "1 person in a class had no account; their enrolments were skipped",
        "  no account: sourcedId s3, username 'pwalker1190', email ''",
    ]


def test_a_bad_bundle_prints_its_problems_up_to_a_limit_and_fails(accounts, tmp_path):
    roster("import", str(good_bundle().folder(tmp_path / "before")))
    bad = good_bundle(enrollments=[enrol(f"e{n}", "c1", f"nobody{n}") for n in range(60)])
    err = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("roster", "import", str(bad.folder(tmp_path / "bad")), stdout=io.StringIO(), stderr=err)
    assert str(caught.value) == "60 problems; nothing was imported and the roster is as it was"
    lines = err.getvalue().splitlines()
    assert lines[0] == "enrollments.csv line 2: userSourcedId nobody0 is not in users.csv"
    assert len(lines) == 51 and lines[-1] == "... and 10 more"
    assert Enrollment.objects.count() == 6
    assert AuditEvent.objects.filter(tag=Tag.ROSTER_IMPORT).count() == 1


def test_a_directory_that_cannot_answer_stops_the_import(accounts, tmp_path, monkeypatch):
    from sspr.directory.base import DirectoryUnavailable
    from sspr.services import people

    def unavailable(user_id):
        raise DirectoryUnavailable("ldap://dc1.district.example: timed out")

    monkeypatch.setattr(people, "find", unavailable)
    with pytest.raises(CommandError) as caught:
        roster("import", str(good_bundle().folder(tmp_path / "roster")))
    assert str(caught.value) == ("the directory is unavailable (ldap://dc1.district.example: timed out); "
                                 "nothing was imported")
    assert not Enrollment.objects.exists()


@pytest.fixture
def workdir(tmp_path):
    os.chmod(tmp_path, 0o700)
    return tmp_path


def test_the_sspr_command_imports_a_roster_and_exits_non_zero_on_a_bad_one(workdir):
    assert sspr(workdir, "init").returncode == 0
    assert sspr(workdir, "migrate").returncode == 0
    Path(workdir, "people.csv").write_text(
        "user_id,display_name,groups\nana.torres@district.example,Ana Torres,Teachers\n"
        "csmith1234@student.district.example,Chris Smith,Students\n")
    assert sspr(workdir, "users", "import", "people.csv").returncode == 0
    domains = {"SSPR_DIRECTORY__DOMAINS": '["district.example", "student.district.example"]'}
    good = good_bundle(users=[user("t1", "ana.torres", role="teacher"), user("s1", "csmith1234")],
                       enrollments=[enrol("e1", "c1", "t1", "teacher"), enrol("e2", "c1", "s1")])
    good.zip(Path(workdir, "roster.zip"))
    imported = sspr(workdir, "roster", "import", "roster.zip", **domains)
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.startswith("imported the roster: 2 schools, 3 sections, 1 teacher, 1 student, ")
    bad = good_bundle(users=[user("t1", "ana.torres", role="teacher")],
                      enrollments=[enrol("e1", "c1", "t1", "teacher"), enrol("e2", "c1", "s1")])
    bad.folder(Path(workdir, "bad"))
    refused = sspr(workdir, "roster", "import", "bad", **domains)
    assert refused.returncode == 1
    assert refused.stderr.splitlines() == [
        "enrollments.csv line 3: userSourcedId s1 is not in users.csv",
        "CommandError: 1 problem; nothing was imported and the roster is as it was",
    ]
    shown = sspr(workdir, "roster", "show")
    assert "enrolments: 2" in shown.stdout
    assert "roster import PATH" in sspr(workdir, "--help").stdout
