"""Every figure of the reports, checked against the small district of conftest.py."""

from dataclasses import replace
from datetime import date

from sspr.directory import get_directory
from sspr.methods.models import Method
from sspr.reports import people as snapshot
from sspr.reports.coverage import Row
from sspr.services import people, reports
from sspr.services.staff import Staff

from ..methods.conftest import give_method
from .conftest import LINCOLN, ROOSEVELT


def auditor_scope(auditor, **filters):
    return reports.scope_for(Staff.of(people.find(auditor.user_id)), **filters)


def test_coverage_as_of_today(district, auditor):
    figures = reports.coverage(auditor_scope(auditor)).figures
    assert figures.overall == Row("", 3, 5)
    assert figures.overall.percent == 60.0
    assert figures.by_school == [Row(ROOSEVELT, 2, 3), Row(LINCOLN, 1, 2)]
    assert figures.by_group == [Row("Students", 2, 4), Row("Staff", 1, 1)]
    by_kind = {row.label: row.registered for row in figures.by_kind}
    assert by_kind == {"Authentication phone": 3, "Authentication email": 2, "Security questions": 0,
                       "Authenticator app": 1, "Authenticator app: approve sign-ins": 0, "Passkey": 0}
    assert {row.total for row in figures.by_kind} == {5}
    assert [(p.user_id, p.registered, p.required) for p in reports.unregistered(auditor_scope(auditor))] == [
        ("ben@district.example", 1, 2), ("cara@district.example", 0, 2)]


def test_coverage_at_the_end_of_a_past_period_counts_the_methods_of_then(district, auditor):
    figures = reports.coverage(auditor_scope(auditor, end=date(2026, 3, 17))).figures
    assert figures.overall == Row("", 2, 5)
    assert figures.by_school == [Row(ROOSEVELT, 1, 3), Row(LINCOLN, 1, 2)]
    assert [(p.user_id, p.registered) for p in reports.unregistered(auditor_scope(auditor, end=date(2026, 3, 17)))] == [
        ("ben@district.example", 1), ("cara@district.example", 0), ("eli@district.example", 1)]


def test_coverage_of_one_school(district, auditor):
    figures = reports.coverage(auditor_scope(auditor, school="lincoln high school")).figures
    assert figures.overall == Row("", 1, 2)
    assert figures.by_school == [Row(LINCOLN, 1, 2)]
    assert [p.user_id for p in reports.unregistered(auditor_scope(auditor, school=LINCOLN))] == [
        "ben@district.example"]


def test_the_unregistered_list_filters_by_group_and_text(district, auditor):
    scope = auditor_scope(auditor)
    assert [p.user_id for p in reports.unregistered(scope, group="students", text="CAR")] == ["cara@district.example"]
    assert list(reports.unregistered(scope, group="Staff")) == []
    listed = reports.unregistered(scope)
    assert (len(listed), [p.user_id for p in listed[1:]], listed[0].user_id) == (
        2, ["cara@district.example"], "ben@district.example")


def test_activity_by_day_week_and_month(counted, auditor):
    march = {"start": date(2026, 3, 1), "end": date(2026, 3, 18)}
    by_day = reports.activity(auditor_scope(auditor, period="day", **march))
    assert [name for name, _label in by_day.series] == [
        "password_changes", "resets", "unlocks", "registrations", "second_step_signins", "lockouts",
        "sync_failures", "suspected_attacks"]
    days = dict(by_day.rows)
    assert len(days) == 18
    assert days[date(2026, 3, 2)] == [0, 1, 0, 0, 0, 2, 0, 0]
    assert days[date(2026, 3, 3)] == [0, 1, 1, 0, 1, 0, 0, 0]
    assert days[date(2026, 3, 9)] == [1, 0, 1, 1, 0, 0, 0, 0]
    assert days[date(2026, 3, 16)] == [0, 0, 0, 1, 0, 0, 0, 0]
    assert days[date(2026, 3, 1)] == [0] * 8
    assert by_day.totals == [1, 2, 2, 2, 1, 2, 0, 0]

    by_week = reports.activity(auditor_scope(auditor, period="week", **march))
    assert by_week.rows == [(date(2026, 2, 23), [0] * 8), (date(2026, 3, 2), [0, 2, 1, 0, 1, 2, 0, 0]),
                            (date(2026, 3, 9), [1, 0, 1, 1, 0, 0, 0, 0]), (date(2026, 3, 16), [0, 0, 0, 1, 0, 0, 0, 0])]
    by_month = reports.activity(auditor_scope(auditor, period="month", start=date(2026, 1, 15),
                                              end=date(2026, 3, 18)))
    assert by_month.rows == [(date(2026, 1, 1), [0] * 8), (date(2026, 2, 1), [0, 1, 0, 0, 0, 0, 0, 0]),
                             (date(2026, 3, 1), [1, 2, 2, 2, 1, 2, 0, 0])]


def test_failures_verifications_and_deliveries(counted, auditor):
    report = reports.activity(auditor_scope(auditor, start=date(2026, 3, 1), end=date(2026, 3, 18)))
    assert report.failures == [
        {"what": "Sign-in failed", "reason": "Account locked", "count": 1},
        {"what": "Identity verification failed", "reason": "Expired or no longer valid", "count": 1},
        {"what": "Identity verification failed", "reason": "Wrong answer", "count": 1}]
    assert report.verifications == [{"kind": "Authentication phone", "succeeded": 1, "failed": 2}]
    assert report.deliveries == [{"channel": "Email", "sent": 1, "failed": 0, "waiting": 0, "cost": 0.0},
                                 {"channel": "Text message", "sent": 1, "failed": 1, "waiting": 0, "cost": 0.05}]
    assert report.spending == [{"day": date(2026, 3, 16), "channel": "Text message", "spent": 0.05, "cap": 10.0}]


def test_activity_of_one_school(counted, auditor):
    report = reports.activity(auditor_scope(auditor, start=date(2026, 3, 1), end=date(2026, 3, 18), school=LINCOLN))
    assert report.totals == [1, 1, 2, 0, 1, 1, 0, 0]  # ana and ben only
    assert report.deliveries == []
    assert [row["reason"] for row in report.failures] == ["Account locked", "Wrong answer"]


def test_help_desk_load_and_calls_avoided(counted, auditor, configure):
    configure(reports={"cost_per_call": 12.5})
    load = reports.load(auditor_scope(auditor, start=date(2026, 3, 1), end=date(2026, 3, 18)))
    assert (load.self_resets, load.self_unlocks, load.staff_resets, load.staff_unlocks) == (1, 1, 1, 1)
    assert load.calls_avoided == 2
    assert load.saving == 25.0
    assert load.by_operator == [{"actor": "grace.kim@district.example", "role": "help desk", "count": 2}]
    assert load.actions == [
        {"actor": "grace.kim@district.example", "role": "help desk", "action": "Account unlocked", "count": 1},
        {"actor": "grace.kim@district.example", "role": "help desk", "action": "Password reset", "count": 1}]


def test_the_default_period_is_the_last_thirty_days(district, auditor):
    scope = auditor_scope(auditor)
    assert (scope.start, scope.end) == (date(2026, 2, 17), date(2026, 3, 18))


def test_a_method_added_or_removed_counts_at_once_without_a_refresh(district, auditor):
    scope = auditor_scope(auditor)
    give_method(district["ben"], "email", "ben@home.example")
    assert reports.coverage(scope).figures.overall == Row("", 4, 5)
    assert [p.user_id for p in reports.unregistered(scope)] == ["cara@district.example"]
    Method.objects.filter(user__user_id="ana@district.example", kind="phone").delete()
    figures = reports.coverage(scope).figures
    assert figures.overall == Row("", 3, 5)
    assert figures.by_school == [Row(ROOSEVELT, 2, 3), Row(LINCOLN, 1, 2)]
    assert [(p.user_id, p.registered) for p in reports.unregistered(scope)] == [
        ("ana@district.example", 1), ("cara@district.example", 0)]
    assert {row.label: row.registered for row in figures.by_kind}["Authentication phone"] == 2  # ben and eli
    lincoln = reports.coverage(auditor_scope(auditor, school=LINCOLN)).figures
    assert reports.refresh_people() == 7  # the nightly refresh (which now finds the auditor too) agrees
    assert reports.coverage(auditor_scope(auditor, school=LINCOLN)).figures == lincoln


def test_coverage_by_grade_when_the_directory_gives_one(district, auditor):
    scope = auditor_scope(auditor)
    assert reports.coverage(scope).figures.by_grade == []  # the embedded directory has no grades
    for name, grade in [("ana", "10"), ("ben", "9"), ("cara", "K"), ("eli", "10")]:
        account = get_directory().lookup(f"{name}@district.example")
        snapshot.remember(replace(account, grade=grade))
    assert reports.coverage(scope).figures.by_grade == [Row("K", 0, 1), Row("9", 0, 1), Row("10", 2, 2),
                                                        Row("", 1, 1)]


def test_a_password_another_system_did_not_take_is_counted(events, auditor, clock):
    from sspr.actors import Actor
    from sspr.audit.models import Outcome, Reason, Tag, record

    from ..reports.conftest import at

    clock.move_to(at(10))
    record(Actor.system(), Tag.SYNC_FAILED, subject="ana@district.example", outcome=Outcome.FAILURE,
           reason=Reason.SYNC_REFUSED, detail={"target": "google", "error": "Google answered 403"})
    report = reports.activity(auditor_scope(auditor, period="week", start=date(2026, 3, 9), end=date(2026, 3, 15)))
    assert dict(zip([name for name, _label in report.series], report.totals, strict=True))["sync_failures"] == 1


def test_a_sign_in_rewrites_a_persons_row_only_when_something_changed(district, auditor, clock,
                                                                     django_assert_max_num_queries):
    from sspr.reports.models import Person

    account = get_directory().lookup("ana@district.example")
    snapshot.remember(account)
    seen = Person.objects.get(user_id="ana@district.example").seen_at
    clock.advance(minutes=30)
    with django_assert_max_num_queries(1):  # the first morning's sign-ins read here, they do not write
        snapshot.remember(account)
    assert Person.objects.get(user_id="ana@district.example").seen_at == seen
    # A change in the directory counts at the next sign-in, however soon.
    snapshot.remember(replace(account, department=LINCOLN))
    assert Person.objects.get(user_id="ana@district.example").department == LINCOLN
    # And an hour on, the row is seen again (the snapshot's "as of").
    clock.advance(hours=1)
    snapshot.remember(replace(account, department=LINCOLN))
    assert Person.objects.get(user_id="ana@district.example").seen_at == clock.now()
