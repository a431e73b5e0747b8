"""`sspr roster import`'s work: a OneRoster 1.1 bundle checked whole, matched to accounts, and
stored in place of the roster before it."""

import zipfile
from datetime import date

import pytest

from sspr.directory.base import DirectoryUnavailable
from sspr.roster import bundle, queries
from sspr.roster.importer import RosterRejected, import_roster
from sspr.roster.models import Enrollment, School, Section

from .bundles import Bundle, enrol, good_bundle, org, section, user
from .conftest import run

ANA, JAMES, DAVID = "ana.torres@district.example", "jokafor@district.example", "david.cohen@district.example"
CHRIS, MARIA = "csmith1234@student.district.example", "mgarcia2201@student.district.example"


def stored():
    return sorted(Enrollment.objects.values_list("section__sourced_id", "user_id", "role", "primary"))


def test_a_good_bundle_stores_sections_and_enrolments_matched_three_ways(accounts, tmp_path):
    result = run(good_bundle().folder(tmp_path / "roster"))
    assert stored() == [
        ("c1", ANA, "teacher", True),        # username "ana.torres" in the first configured domain
        ("c1", CHRIS, "student", False),     # username "csmith1234" in the second
        ("c1", MARIA, "student", False),     # by email, whatever its case
        ("c2", DAVID, "staff", False),       # an aide
        ("c2", JAMES, "teacher", False),     # username as it is
        ("c2", MARIA, "student", False),
    ]
    algebra = Section.objects.get(sourced_id="c1")
    assert (algebra.title, algebra.class_code, algebra.periods, algebra.grades, algebra.school.name) == (
        "Algebra II", "ALG2-02", "2", "10,11", "Lincoln High School")
    # A section without enrolments is still a section; the closed school and its class are left out.
    assert sorted(Section.objects.values_list("sourced_id", flat=True)) == ["c1", "c2", "c3"]
    assert sorted(School.objects.values_list("sourced_id", flat=True)) == ["lhs", "rms"]
    assert result.counts() == {"schools": 2, "sections": 3, "enrollments": 6, "teachers": 2, "students": 2,
                               "staff": 1, "unmatched": 1}
    assert [person.username for person in result.unmatched] == ["pwalker1190"]


def test_the_queries_answer_for_the_console(accounts, tmp_path):
    run(good_bundle().folder(tmp_path / "roster"))
    assert [s.sourced_id for s in queries.sections_taught_by("ANA.Torres@District.Example")] == ["c1"]
    assert queries.sections_taught_by(CHRIS) == []
    assert queries.sections_taught_by(DAVID) == []  # an aide teaches nothing
    assert queries.students_of(Section.objects.get(sourced_id="c1")) == [CHRIS, MARIA]
    assert queries.teaches(ANA, "CSMITH1234@student.district.example")
    assert queries.teaches(JAMES, MARIA)
    assert not queries.teaches(JAMES, CHRIS)  # his enrolment in Biology is to be deleted
    assert not queries.teaches(DAVID, MARIA)
    assert not queries.teaches(CHRIS, MARIA)  # classmates
    assert not queries.teaches(MARIA, ANA)
    assert queries.is_roster_staff("Ana.Torres@district.example")
    assert queries.is_roster_staff(DAVID)
    assert not queries.is_roster_staff(CHRIS)
    assert not queries.is_roster_staff("nobody@district.example")


def test_a_re_import_replaces_the_whole_roster(accounts, tmp_path):
    run(good_bundle().folder(tmp_path / "first"))
    run(good_bundle(
        classes=[section("c2", "Biology (new title)"), section("c9", "Chemistry")],
        enrollments=[enrol("e5", "c2", "t2", "teacher"), enrol("e20", "c9", "t1", "teacher"),
                     enrol("e21", "c9", "s1")],
    ).folder(tmp_path / "second"))
    assert sorted(Section.objects.values_list("sourced_id", "title")) == [("c2", "Biology (new title)"),
                                                                         ("c9", "Chemistry")]
    assert stored() == [("c2", JAMES, "teacher", False), ("c9", ANA, "teacher", False), ("c9", CHRIS, "student", False)]
    assert sorted(School.objects.values_list("sourced_id", flat=True)) == ["lhs"]  # no class left at rms
    assert not queries.teaches(ANA, MARIA)


def test_a_zip_with_the_files_in_a_folder_imports_like_a_folder(accounts, tmp_path):
    archive = good_bundle().zip(tmp_path / "roster.zip", folder="export-2026-12-01/",
                                extra={"__MACOSX/export-2026-12-01/._users.csv": "junk", "README.txt": "hello"})
    assert run(archive).enrollments == 6


def test_a_folder_with_the_files_in_a_subfolder_imports(accounts, tmp_path):
    good_bundle().folder(tmp_path / "download" / "oneroster")
    assert run(tmp_path / "download").sections == 3


def test_one_person_with_two_sourced_ids_is_enrolled_once(accounts, tmp_path):
    result = run(good_bundle(
        users=[user("t1", "ana.torres", role="teacher"), user("t1b", "ANA.TORRES@district.example", role="teacher")],
        enrollments=[enrol("e1", "c1", "t1", "teacher"), enrol("e2", "c1", "t1b", "teacher", primary="TRUE")],
    ).folder(tmp_path / "roster"))
    assert stored() == [("c1", ANA, "teacher", True)]
    assert result.teachers == 1


def test_enrolments_outside_their_dates_are_left_out(accounts, tmp_path):
    run(good_bundle(enrollments=[
        enrol("e1", "c1", "t1", "teacher", beginDate="2026-08-20", endDate="2027-06-10"),
        enrol("e2", "c1", "s1", endDate="2026-12-01"),      # ended (the end date is not in it)
        enrol("e3", "c1", "s2", beginDate="2027-01-05"),    # not begun
        enrol("e4", "c2", "s2", endDate="2026-12-02"),
    ]).folder(tmp_path / "roster"), today=date(2026, 12, 1))
    assert stored() == [("c1", ANA, "teacher", False), ("c2", MARIA, "student", False)]


def test_every_bad_row_is_named_with_its_file_and_line_and_nothing_changes(accounts, tmp_path):
    run(good_bundle().folder(tmp_path / "before"))
    before = stored()
    bad = good_bundle(
        orgs=[org("lhs", "Lincoln High School"), org("rms", ""), org("lhs", "Again")],
        users=[user("t1", "ana.torres", role="teacher"), user("s1", "csmith1234"), user("s2", "", email="x@y.z"),
               user("s3", "pwalker1190", enabled="yes"), user("s1", "dup")],
        classes=[section("c1", "Algebra II"), section("c2", "Biology", school="nowhere"),
                 section("c3", "Art", status="archived")],
        enrollments=[
            enrol("e1", "c1", "t1", "teacher"),
            enrol("e2", "c9", "s1"),
            enrol("e3", "c1", "s9"),
            enrol("e4", "c1", "s1", "teacher"),
            enrol("e5", "c1", "s1", "guardian"),
            enrol("e6", "c1", "s1", primary="maybe", endDate="next June"),
            enrol("e7", "c2", "s1"),   # refers to a bad row: not named again
            enrol("e8", "c1", "s2"),   # likewise
            enrol("e1", "c1", "s1"),
            enrol("", "c1", "s1"),
            enrol("e9", "c1", "s1", role="ext:observer"),  # a vendor's extension: left out, no error
        ],
    )
    with pytest.raises(RosterRejected) as caught:
        run(bad.folder(tmp_path / "bad"))
    assert caught.value.problems == [
        "orgs.csv line 3: empty name",
        "orgs.csv line 4: sourcedId lhs repeats line 2",
        "users.csv line 4: empty username",
        "users.csv line 5: enabledUser must be true or false, not 'yes'",
        "users.csv line 6: sourcedId s1 repeats line 3",
        "classes.csv line 3: schoolSourcedId nowhere is not in orgs.csv",
        "classes.csv line 4: status must be active or tobedeleted, not 'archived'",
        "enrollments.csv line 3: classSourcedId c9 is not in classes.csv",
        "enrollments.csv line 4: userSourcedId s9 is not in users.csv",
        "enrollments.csv line 5: userSourcedId s1 is a student in users.csv, enrolled as teacher",
        "enrollments.csv line 6: role must be teacher, student, administrator, proctor or aide, not 'guardian'",
        "enrollments.csv line 7: primary must be true or false, not 'maybe'; endDate is not a date (YYYY-MM-DD)",
        "enrollments.csv line 10: sourcedId e1 repeats line 2",
        "enrollments.csv line 11: empty sourcedId",
    ]
    assert stored() == before


def test_a_missing_column_is_named_and_what_refers_to_its_file_is_not(accounts, tmp_path):
    bundle_ = good_bundle(users="sourcedId,enabledUser,role,givenName\nt1,true,teacher,Ana\n")
    with pytest.raises(RosterRejected) as caught:
        run(bundle_.folder(tmp_path / "roster"))
    assert caught.value.problems == ["users.csv line 1: missing column username"]


def test_a_file_that_is_not_utf8_or_not_csv_is_named(accounts, tmp_path):
    folder = good_bundle().folder(tmp_path / "roster")
    (folder / "orgs.csv").write_bytes("sourcedId,name\nlhs,Lincoln\nrms,Roosevelt Middle Sch\xf6ol\n".encode("latin-1"))
    (folder / "classes.csv").write_text('sourcedId,title,schoolSourcedId\nc1,"Algebra" II,lhs\n', encoding="utf-8")
    with pytest.raises(RosterRejected) as caught:
        run(folder)
    assert caught.value.problems[0] == "orgs.csv line 3: not UTF-8 text"
    assert caught.value.problems[1].startswith("classes.csv line 2: not valid CSV (")
    assert len(caught.value.problems) == 2


def test_an_empty_file_and_a_byte_order_mark(accounts, tmp_path):
    folder = good_bundle().folder(tmp_path / "roster")
    (folder / "orgs.csv").write_text("\ufeff" + (folder / "orgs.csv").read_text(), encoding="utf-8")
    (folder / "classes.csv").write_text("", encoding="utf-8")
    with pytest.raises(RosterRejected) as caught:
        run(folder)
    assert caught.value.problems == ["classes.csv: empty (line 1 must name the columns)"]


def test_a_missing_file_is_named(accounts, tmp_path):
    folder = good_bundle().folder(tmp_path / "roster")
    (folder / "enrollments.csv").unlink()
    with pytest.raises(RosterRejected) as caught:
        run(folder)
    assert caught.value.problems == [
        "enrollments.csv: missing from the bundle (it needs orgs.csv, users.csv, classes.csv, enrollments.csv)"]
    with pytest.raises(RosterRejected) as caught:
        run(tmp_path / "nowhere")
    assert caught.value.problems == [f"{tmp_path / 'nowhere'}: no such folder or zip archive"]


def test_a_delta_bundle_or_another_version_is_refused(accounts, tmp_path):
    manifest = ("propertyName,value\nmanifest.version,1.0\noneroster.version,1.2\nfile.orgs,bulk\n"
                "file.enrollments,delta\n")
    with pytest.raises(RosterRejected) as caught:
        run(good_bundle(manifest=manifest).folder(tmp_path / "roster"))
    assert caught.value.problems == [
        "manifest.csv line 3: oneroster.version is 1.2; the import reads OneRoster 1.1",
        "manifest.csv line 5: file.enrollments is delta; the import reads bulk bundles only (a full export)",
    ]
    good = "propertyName,value\nmanifest.version,1.0\noneroster.version,1.1\nfile.users,bulk\n"
    assert run(good_bundle(manifest=good).folder(tmp_path / "good")).sections == 3


def test_people_without_an_account_are_counted_not_errors_but_nobody_at_all_is_refused(accounts, tmp_path):
    result = run(good_bundle(users=[user("t1", "ana.torres", role="teacher"), user("s1", "new.kid"),
                                    user("s2", "other.kid", email="other.kid@elsewhere.example")],
                             enrollments=[enrol("e1", "c1", "t1", "teacher"), enrol("e2", "c1", "s1"),
                                          enrol("e3", "c1", "s2")]).folder(tmp_path / "some"))
    assert [person.sourced_id for person in result.unmatched] == ["s1", "s2"]
    assert stored() == [("c1", ANA, "teacher", False)]
    with pytest.raises(RosterRejected) as caught:
        run(good_bundle(users=[user("t1", "someone.else", role="teacher"), user("s1", "new.kid")],
                        enrollments=[enrol("e1", "c1", "t1", "teacher"), enrol("e2", "c1", "s1")]
                        ).folder(tmp_path / "none"))
    assert caught.value.problems == ["none of the 2 people in a class has an account in the directory; check the "
                                     "usernames and directory.domains (the roster was left as it was)"]
    assert stored() == [("c1", ANA, "teacher", False)]


def test_the_directory_is_asked_in_order_and_once_per_name(accounts, tmp_path, settings):
    from sspr.services import people

    asked = []

    def find(user_id):
        asked.append(user_id)
        return people.find(user_id)

    result = import_roster(good_bundle(
        users=[user("s1", "csmith1234", email="chris@personal.example"), user("s2", "csmith1234")],
        enrollments=[enrol("e1", "c1", "s1"), enrol("e2", "c2", "s2")],
    ).folder(tmp_path / "roster"), find=find, domains=["district.example", "student.district.example"])
    assert asked == ["csmith1234", "csmith1234@district.example", "csmith1234@student.district.example"]
    assert result.students == 1


def test_when_the_directory_is_unavailable_nothing_changes(accounts, tmp_path):
    run(good_bundle().folder(tmp_path / "before"))
    before = stored()

    def find(user_id):
        raise DirectoryUnavailable("ldap://dc1: timed out")

    with pytest.raises(DirectoryUnavailable):
        import_roster(good_bundle(enrollments=[enrol("e1", "c1", "t1", "teacher")]).folder(tmp_path / "after"),
                      find=find, domains=[])
    assert stored() == before


@pytest.mark.parametrize("name", ["../users.csv", "/etc/cron.d/users.csv", "roster/../../x.csv", "C:/temp/x.csv",
                                  "..\\..\\x.csv"])
def test_a_zip_with_an_entry_outside_its_folder_is_refused(accounts, tmp_path, name):
    archive = good_bundle().zip(tmp_path / "roster.zip", extra={name: "x"})
    with pytest.raises(RosterRejected) as caught:
        run(archive)
    assert caught.value.problems == [f"roster.zip: refusing the entry {name!r} (an absolute path or '..')"]
    assert not Section.objects.exists()


def test_a_zip_larger_than_the_limit_is_refused(accounts, tmp_path, monkeypatch):
    monkeypatch.setattr(bundle, "MAX_BUNDLE_BYTES", 2000)
    big = good_bundle(users=[user(f"s{n}", f"student{n}") for n in range(100)]).zip(tmp_path / "big.zip")
    with pytest.raises(RosterRejected) as caught:
        run(big)
    assert caught.value.problems == ["the roster files hold more than 0.002 MB; nothing was read"]
    with pytest.raises(RosterRejected):
        run(good_bundle(users=[user(f"s{n}", f"student{n}") for n in range(100)]).folder(tmp_path / "big"))


def test_two_bundles_in_one_zip_or_a_file_that_is_no_zip_are_refused(accounts, tmp_path):
    path = tmp_path / "two.zip"
    good_bundle().zip(path, folder="a/")
    with zipfile.ZipFile(path, "a") as archive:
        for name, content in good_bundle().contents().items():
            archive.writestr("b/" + name, content)
    with pytest.raises(RosterRejected) as caught:
        run(path)
    assert caught.value.problems == ["more than one roster in the bundle (a/, b/); give one at a time"]
    (tmp_path / "roster.zip").write_text("sourcedId,name\n")
    with pytest.raises(RosterRejected) as caught:
        run(tmp_path / "roster.zip")
    assert caught.value.problems[0].startswith("roster.zip: not a zip archive")


def test_headers_may_come_in_any_order_and_extra_files_are_ignored(accounts, tmp_path):
    folder = Bundle(
        orgs="name,sourcedId\nLincoln High School,lhs\n",
        users="username,role,enabledUser,sourcedId\nana.torres,teacher,TRUE,t1\n",
        classes="schoolSourcedId,title,sourcedId\nlhs,Algebra II,c1\n",
        enrollments="role,userSourcedId,classSourcedId,sourcedId\nteacher,t1,c1,e1\n",
    ).folder(tmp_path / "roster")
    (folder / "academicSessions.csv").write_text("anything at all\n")
    assert run(folder).teachers == 1
    assert queries.sections_taught_by(ANA)[0].title == "Algebra II"
