"""Imports through the API: accounts (CSV or JSON, all or nothing, the command's row errors, and
the console's rule of rank) and OneRoster bundles."""

from django.core.files.uploadedfile import SimpleUploadedFile

from sspr.audit.models import AuditEvent
from sspr.directory.embedded.models import Account
from sspr.roster.models import Section

from ..roster.bundles import good_bundle
from ..roster.conftest import ACCOUNTS
from .conftest import problem

GOOD_CSV = ("user_id,display_name,groups,department,email\n"
            "new.student@student.district.example,New Student,Students,Lincoln High School,\n"
            "ana.torres@district.example,Ana Torres,Staff,Roosevelt Middle School,ana.torres@district.example\n")
BAD_CSV = ("user_id,display_name,groups,email\n"
           "fine.person@district.example,Fine,Staff,\n"
           "has space@district.example,Bad,Staff,\n"
           "third@district.example,Third,Staff,not-an-address\n")


def test_a_csv_import_creates_and_updates_and_is_audited(make_key, staff):
    importer = make_key("sis", role="admin", scopes=["import:write"])
    response = importer.post("/imports/people", GOOD_CSV, content_type="text/csv")
    assert response.status_code == 200, response.content
    assert response.json() == {"created": 1, "updated": 1}
    assert Account.objects.get(user_id="new.student@student.district.example").department == "Lincoln High School"
    event = AuditEvent.objects.get(tag="account:import")
    assert event.actor == "api:sis" and event.detail["created"] == 1


def test_a_file_with_bad_rows_imports_nothing_and_names_each_line_as_the_command_does(make_key):
    importer = make_key("sis", role="admin", scopes=["import:write"])
    body = problem(importer.post("/imports/people", BAD_CSV, content_type="text/csv"), 422)
    assert body["type"].endswith("/import-rejected")
    assert body["errors"] == [
        {"line": 3, "detail": "line 3: user_id is missing or has spaces"},
        {"line": 4, "detail": "line 4: email is not an email address"},
    ]
    assert not Account.objects.filter(user_id="fine.person@district.example").exists()


def test_json_rows_are_read_as_the_same_csv(make_key):
    importer = make_key("sis", role="admin", scopes=["import:write"])
    rows = [{"user_id": "one@district.example", "groups": "Staff"}, {"user_id": "two@district.example"}]
    assert importer.post("/imports/people", {"rows": rows}).json() == {"created": 2, "updated": 0}
    body = problem(importer.post("/imports/people", {"rows": [{"user_id": "x y@district.example"}]}), 422)
    assert body["errors"][0]["detail"] == "line 2: user_id is missing or has spaces"
    body = problem(importer.post("/imports/people", {"rows": [{"user_id": "a@district.example", "colour": "red"}]}),
                   422)
    assert body["errors"][0]["field"] == "rows.0"


def test_an_import_cannot_make_or_change_anyone_of_the_keys_rank(make_key, admin_person):
    importer = make_key("sis", role="admin", scopes=["import:write"])
    text = ("user_id,groups,password\n"
            "new.admin@district.example,IT Admins,\n"
            f"{admin_person.user_id},Staff,Chosen by whoever holds the key 2026\n")
    body = problem(importer.post("/imports/people", text, content_type="text/csv"), 422)
    assert [error["line"] for error in body["errors"]] == [2, 3]
    assert "same or higher rights" in body["errors"][0]["detail"]
    assert not Account.objects.filter(user_id="new.admin@district.example").exists()
    assert Account.objects.get(user_id=admin_person.user_id).groups == ["Staff", "IT Admins"]


def test_imports_need_their_scope_and_a_media_type(make_key, helpdesk_key):
    problem(helpdesk_key.post("/imports/people", GOOD_CSV, content_type="text/csv"), 403)
    importer = make_key("sis", role="admin", scopes=["import:write"])
    problem(importer.post("/imports/people", GOOD_CSV, content_type="text/plain"), 415)
    problem(importer.post("/imports/people", b"user_id\n\xff\xfe", content_type="text/csv"), 422)


def test_a_roster_bundle_replaces_the_roster(make_key, db, tmp_path):
    for user_id, name in ACCOUNTS.items():
        Account.objects.create(user_id=user_id, display_name=name, password="!")
    rostering = make_key("oneroster", role="admin", scopes=["roster:write"])
    archive = good_bundle().zip(tmp_path / "roster.zip").read_bytes()
    response = rostering.client.post("/api/v1/imports/roster",
                                     {"bundle": SimpleUploadedFile("roster.zip", archive, "application/zip")},
                                     **rostering.headers())
    assert response.status_code == 200, response.content
    assert response.json() == {"schools": 2, "sections": 3, "enrollments": 6, "teachers": 2, "students": 2,
                               "staff": 1, "unmatched": 1}
    assert Section.objects.count() == 3
    assert AuditEvent.objects.get(tag="roster:import").actor == "api:oneroster"
    broken = rostering.client.post("/api/v1/imports/roster",
                                   {"bundle": SimpleUploadedFile("roster.zip", b"not a zip", "application/zip")},
                                   **rostering.headers())
    body = problem(broken, 422)
    assert "not a zip archive" in body["errors"][0]["detail"] and str(tmp_path) not in str(body)
    assert Section.objects.count() == 3
