"""The reports pages as their readers see them: an auditor the district, a school help desk only
its own school whatever the address asks for, a technician not at all; CSV with the same numbers."""

import csv
import io

import pytest

from sspr.actors import Actor
from sspr.audit.models import Tag, record

from ..console.conftest import console_sign_in, staff_member
from .conftest import LINCOLN, ROOSEVELT


def csv_rows(response):
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_an_auditor_reads_coverage_and_downloads_it(client, events, auditor):
    console_sign_in(client, auditor)
    page = client.get("/console/reports/?school=" + ROOSEVELT)
    text = page.content.decode()
    assert page.status_code == 200
    assert "2 of 3 people (66.7 %) have registered" in text
    assert 'alt="Chart: By school. The table below gives the same numbers."' in text
    assert "<script" not in text.split("<main", 1)[1].split("</main>")[0]
    rows = csv_rows(client.get(f"/console/reports/?school={ROOSEVELT}&download=by_school"))
    assert rows == [["School", "Registered", "People", "Registered (%)", "Not registered"],
                    [ROOSEVELT, "2", "3", "66.7", "1"]]


def test_the_unregistered_list_and_its_csv(client, events, auditor):
    console_sign_in(client, auditor)
    page = client.get("/console/reports/unregistered/?group=Students").content.decode()
    assert "2 people have not registered enough security info." in page
    assert "ben@district.example" in page and "cara@district.example" in page
    rows = csv_rows(client.get("/console/reports/unregistered/?download=unregistered&q=cara"))
    assert rows[1] == ["cara@district.example", "Cara", ROOSEVELT, "Students", "0", "2"]
    assert len(rows) == 2


def test_activity_and_help_desk_pages(client, events, auditor):
    console_sign_in(client, auditor)
    activity = client.get("/console/reports/activity/?start=2026-03-01&end=2026-03-18&period=week")
    assert activity.status_code == 200
    rows = csv_rows(client.get("/console/reports/activity/?start=2026-03-01&end=2026-03-18&period=week"
                               "&download=over_time"))
    assert rows[0] == ["Week", "Password changes", "Password resets", "Unlocks", "Methods registered",
                       "Sign-ins with a second step", "Lockouts", "Passwords not synced",
                       "Sign-ins denied on a phone (suspected attacks)"]
    assert rows[2] == ["2026-03-02", "0", "2", "1", "0", "1", "2", "0", "0"]
    # The auditor's own sign-in today, with their authenticator app, is one more second step.
    assert rows[-1] == ["Total", "1", "2", "2", "2", "2", "2", "0", "0"]
    helpdesk = client.get("/console/reports/helpdesk/?start=2026-03-01&end=2026-03-18").content.decode()
    assert "2 resets and unlocks were done by people themselves" in helpdesk
    assert "estimated saving" not in helpdesk  # cost_per_call = 0 hides it


def test_a_school_help_desk_sees_only_its_school_even_when_asking_for_another(client, events, school_desk):
    console_sign_in(client, school_desk)
    page = client.get(f"/console/reports/?school={ROOSEVELT}").content.decode()
    assert f"School: {LINCOLN} (your school)" in page
    # ana, ben, and the school help desk, who is counted from their sign-in on (app registered).
    assert "2 of 3 people (66.7 %)" in page
    assert ROOSEVELT not in page
    rows = csv_rows(client.get(f"/console/reports/?school={ROOSEVELT}&download=by_school"))
    assert [row[0] for row in rows[1:]] == [LINCOLN]
    unregistered = csv_rows(client.get(f"/console/reports/unregistered/?school={ROOSEVELT}&download=unregistered"))
    assert [row[0] for row in unregistered[1:]] == ["ben@district.example"]
    activity = csv_rows(client.get(f"/console/reports/activity/?school={ROOSEVELT}&start=2026-03-01"
                                   "&download=over_time"))
    assert activity[-1] == ["Total", "1", "1", "2", "0", "2", "1", "0", "0"]  # and the help desk's own sign-in


def test_a_school_help_desk_without_a_school_sees_nothing(client, events):
    nowhere = staff_member("no.school@district.example", ["School Help Desk"], department="")
    console_sign_in(client, nowhere)
    response = client.get("/console/reports/")
    assert response.status_code == 403
    assert "no school in the directory" in response.content.decode()


@pytest.mark.parametrize("groups", [["Help Desk"], ["Teachers"]])
def test_other_roles_do_not_read_reports(client, events, groups):
    member = staff_member("other.role@district.example", groups)
    console_sign_in(client, member)
    assert client.get("/console/reports/").status_code == 403
    assert "/console/reports/" not in client.get("/console/").content.decode()


def test_the_nav_links_to_reports(client, events, auditor):
    console_sign_in(client, auditor)
    assert 'href="/console/reports/"' in client.get("/console/audit/").content.decode()


def test_each_table_is_its_own_section(client, events, auditor):
    console_sign_in(client, auditor)
    page = client.get("/console/reports/").content.decode()
    assert page.count("<section") == page.count("</section>") == 5  # everyone, school, group, method, reminders


def test_the_coverage_page_and_its_csv_show_the_reminders(client, events, auditor):
    record(Actor.system(), Tag.REMINDER_REGISTRATION, subject="ben@district.example", detail={"channel": "email"})
    console_sign_in(client, auditor)
    lines = client.get("/console/reports/?download=reminders").content.decode("utf-8-sig").splitlines()
    assert lines == ["Reminders,Number", "Reminders to register security info sent,1",
                     "Password expiry reminders sent,0", "People first reminded to register,0",
                     '"Of them, registered since",0']
