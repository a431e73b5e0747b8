import re
import statistics
import time
from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client

from sspr.audit.models import AuditEvent
from sspr.directory import get_directory
from sspr.directory.embedded.models import FOREVER, Account

from .conftest import sign_in

GENERIC_FAILURE = "Your user ID or password is incorrect."


def test_it_signs_a_student_in_and_shows_my_account(client, student):
    response = sign_in(client, student)
    assert response.status_code == 302 and response["Location"] == "/account/"
    page = client.get("/account/").content.decode()
    assert "My account" in page
    assert "Chris Smith" in page and student.user_id in page
    assert "Lincoln High School" in page and "Students" in page


def test_it_accepts_the_user_id_in_any_case(client, student):
    response = client.post("/signin/", {"user_id": student.user_id.upper(), "password": student.password})
    assert response.status_code == 302


def test_it_rotates_the_session_key_at_sign_in(client, student):
    client.get("/signin/")
    client.session.save()
    before = client.session.session_key
    sign_in(client, student)
    assert client.session.session_key != before


def test_it_signs_out_and_ends_the_session(client, student):
    sign_in(client, student)
    assert client.post("/signout/").status_code == 302
    assert SESSION_KEY not in client.session
    assert client.get("/account/").status_code == 302


def test_signout_needs_a_post(client, student):
    sign_in(client, student)
    assert client.get("/signout/").status_code == 405
    assert client.get("/account/").status_code == 200


def failure(client, user_id, password):
    client.cookies.clear()
    response = client.post("/signin/", {"user_id": user_id, "password": password})
    body = response.content.decode()
    # Remove the per-request CSRF token and CSP nonce before comparing pages.
    body = re.sub(r'value="[A-Za-z0-9]{64}"', "", body)
    body = re.sub(r'nonce="[^"]+"', "", body)
    return response.status_code, body, sorted(response.cookies.keys())


def test_unknown_user_and_wrong_password_are_indistinguishable(client, student):
    unknown = failure(client, "nobody@student.district.example", "Brave pianos dance on Fridays!")
    wrong = failure(client, student.user_id, "Brave pianos dance on Saturdays!")
    assert unknown[0] == wrong[0] == 400
    assert unknown[1].replace("nobody", "X") == wrong[1].replace("csmith1234", "X")
    assert unknown[2] == wrong[2]
    assert GENERIC_FAILURE in wrong[1]


def test_locked_and_disabled_accounts_get_the_same_answer_even_with_the_right_password(client, student, staff):
    Account.objects.filter(user_id=student.user_id).update(locked_until=FOREVER)
    Account.objects.filter(user_id=staff.user_id).update(enabled=False)
    for persona in (student, staff):
        status, body, _ = failure(client, persona.user_id, persona.password)
        assert status == 400 and GENERIC_FAILURE in body
        assert client.get("/account/").status_code == 302


def test_unknown_user_and_wrong_password_take_the_same_time(client, student):
    """Both spend one argon2 hash; a missing account must not answer faster. Samples alternate,
    so a busy machine slows both alike."""
    samples = {"unknown": [], "wrong": []}
    client.post("/signin/", {"user_id": "warm@district.example", "password": "x"})
    for _ in range(12):
        Account.objects.filter(user_id=student.user_id).update(recent_failures=[], locked_until=None)
        for label, user_id in (("unknown", "nobody@student.district.example"), ("wrong", student.user_id)):
            start = time.perf_counter()
            client.post("/signin/", {"user_id": user_id, "password": "Not the password at all!"})
            samples[label].append(time.perf_counter() - start)
    unknown, wrong = statistics.median(samples["unknown"]), statistics.median(samples["wrong"])
    assert 0.6 < unknown / wrong < 1.6, (unknown, wrong)


def test_it_locks_the_account_after_the_configured_failures(client, student, settings):
    threshold = settings.CONFIG.directory.lockout_threshold
    for _ in range(threshold):
        sign_in(client, student, password="wrong wrong wrong wrong")
    assert sign_in(client, student).status_code == 400  # the right password no longer works
    account = Account.objects.get(user_id=student.user_id)
    assert account.locked_until is not None


def test_a_success_clears_the_failure_count(client, student, settings):
    for _ in range(settings.CONFIG.directory.lockout_threshold - 1):
        sign_in(client, student, password="wrong wrong wrong wrong")
    assert sign_in(client, student).status_code == 302
    assert Account.objects.get(user_id=student.user_id).recent_failures == []


def owner_signs_in(persona) -> bool:
    """The owner, on their own browser, with the right password: signed in or not."""
    return sign_in(Client(), persona).status_code == 302


def guess(persona, count=1):
    """An attacker elsewhere trying wrong passwords."""
    attacker = Client(REMOTE_ADDR="203.0.113.66")
    for _ in range(count):
        assert sign_in(attacker, persona, password="Not the password, again!").status_code == 400


def test_failures_age_out_so_one_guess_every_half_hour_never_locks_the_owner_out(student, settings, clock):
    for _ in range(3 * settings.CONFIG.directory.lockout_threshold):
        guess(student)
        clock.advance(minutes=30)
    assert not Account.objects.get(user_id=student.user_id).is_locked(clock.now())
    assert owner_signs_in(student)


def test_the_failure_window_slides(student, settings, clock):
    threshold, minutes = settings.CONFIG.directory.lockout_threshold, settings.CONFIG.directory.lockout_minutes
    guess(student)                                   # ages out first
    clock.advance(minutes=minutes - 5)
    guess(student, threshold - 2)
    clock.advance(minutes=5, seconds=1)              # the first left the window, the others have not
    guess(student)
    assert owner_signs_in(student)                   # threshold - 1 in the window: not locked
    guess(student, threshold - 1)                    # the success emptied the log: threshold - 1 again
    assert not Account.objects.get(user_id=student.user_id).is_locked(clock.now())
    clock.advance(minutes=minutes - 1)
    guess(student)                                   # threshold within one window
    assert not owner_signs_in(student)


def test_a_lockout_ends_on_time_whatever_arrives_meanwhile(student, settings, clock):
    threshold, minutes = settings.CONFIG.directory.lockout_threshold, settings.CONFIG.directory.lockout_minutes
    guess(student, threshold)
    locked_until = Account.objects.get(user_id=student.user_id).locked_until
    assert locked_until == clock.now() + timedelta(minutes=minutes)
    for _ in range(minutes - 1):
        clock.advance(minutes=1)
        guess(student)                               # not tested, not counted, the lock not extended
        assert not owner_signs_in(student)           # even the right password waits
    account = Account.objects.get(user_id=student.user_id)
    assert account.locked_until == locked_until and account.recent_failures == []
    clock.advance(minutes=1)
    assert owner_signs_in(student)


def test_the_failures_that_caused_a_lockout_cannot_start_another(student, settings, clock):
    threshold, minutes = settings.CONFIG.directory.lockout_threshold, settings.CONFIG.directory.lockout_minutes
    guess(student, threshold)
    for _ in range(4):
        clock.advance(minutes=minutes, seconds=1)    # the lockout has ended
        guess(student)                               # one more wrong password is one failure, no lock
        assert owner_signs_in(student)


def test_a_permanent_lockout_still_lets_old_failures_age_out(student, configure, clock, request):
    threshold = configure(directory={"lockout_minutes": 0}).directory.lockout_threshold
    get_directory.cache_clear()  # built from the configuration on first use
    request.addfinalizer(get_directory.cache_clear)
    for _ in range(threshold - 1):
        guess(student)
        clock.advance(minutes=31)
    guess(student)
    assert owner_signs_in(student)
    guess(student, threshold)
    clock.advance(days=30)
    assert not owner_signs_in(student)               # 0: locked until the help desk unlocks it


def test_a_bare_name_is_told_which_domains_exist(client, student):
    response = client.post("/signin/", {"user_id": "csmith1234", "password": student.password})
    page = response.content.decode()
    assert response.status_code == 400
    assert "csmith1234@district.example" in page and "csmith1234@student.district.example" in page


def test_a_bare_name_gets_the_only_domain(client, student, settings):
    settings.CONFIG = settings.CONFIG.model_copy(update={
        "directory": settings.CONFIG.directory.model_copy(update={"domains": ["student.district.example"]}),
    })
    assert client.post("/signin/", {"user_id": "csmith1234", "password": student.password}).status_code == 302


def test_a_must_change_password_signs_in_straight_to_change_password(client, student):
    Account.objects.filter(user_id=student.user_id).update(must_change_password=True)
    response = sign_in(client, student)
    assert response.status_code == 302 and response["Location"] == "/account/password/"
    assert "Please change it now" in client.get("/account/").content.decode()


def test_an_imported_weaker_hash_is_upgraded_at_sign_in(client, student):
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    weak = PBKDF2PasswordHasher().encode(student.password, "saltsaltsalt", iterations=1000)
    Account.objects.filter(user_id=student.user_id).update(password=weak)
    assert sign_in(client, student).status_code == 302
    upgraded = Account.objects.get(user_id=student.user_id).password
    assert upgraded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


def test_a_hash_with_weaker_argon2_parameters_is_upgraded(client, student):
    from argon2 import PasswordHasher

    weak = "argon2" + PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(student.password)
    Account.objects.filter(user_id=student.user_id).update(password=weak)
    assert sign_in(client, student).status_code == 302
    assert "m=19456,t=2,p=1" in Account.objects.get(user_id=student.user_id).password


def test_sign_in_is_audited_without_the_password(client, student):
    sign_in(client, student, password="My wrong secret phrase!")
    sign_in(client, student)
    events = list(AuditEvent.objects.filter(subject=student.user_id).order_by("id"))
    assert [e.tag for e in events] == ["signin:failure", "signin:success"]
    for event in events:
        assert "wrong secret" not in str(event.detail) and student.password not in str(event.detail)


def test_a_directory_account_cannot_sign_in_to_an_operators_row(client, student, django_user_model):
    django_user_model.objects.create_superuser(student.user_id, "Operator password 1234!")
    assert sign_in(client, student).status_code == 400


def test_the_profile_needs_a_signed_in_user(client):
    response = client.get("/account/")
    assert response.status_code == 302 and response["Location"].startswith("/signin/")


@pytest.mark.parametrize("user_id", ["*", "adm*", ")(uid=*", "\x00", "a" * 300, "<script>@district.example"])
def test_hostile_user_ids_find_nobody_and_reveal_nothing(client, student, user_id):
    response = client.post("/signin/", {"user_id": user_id, "password": "whatever whatever"})
    assert response.status_code == 400
    assert "<script>@" not in response.content.decode()


def test_too_many_failures_from_one_address_are_refused_without_trying(client, student, settings):
    settings.CONFIG = settings.CONFIG.model_copy(update={
        "limits": settings.CONFIG.limits.model_copy(update={"signin_failures_per_ip": 3}),
    })
    others = ["nobody@district.example", "ghost@district.example", "none@district.example"]
    for user_id in others:
        assert client.post("/signin/", {"user_id": user_id, "password": "guess guess guess"}).status_code == 400
    refused = sign_in(client, student)  # even the right password, from this address, now waits
    assert refused.status_code == 429
    assert "Please try again in 15 minutes" in refused.content.decode()
    assert Account.objects.get(user_id=student.user_id).recent_failures == []  # never reached the directory
    other_address = client.post("/signin/", {"user_id": student.user_id, "password": student.password},
                                REMOTE_ADDR="198.51.100.9")
    assert other_address.status_code == 302


def test_the_owners_browser_is_told_the_account_is_locked_and_how_to_unlock_it(client, student, settings):
    sign_in(client, student)
    client.post("/signout/")                         # this browser has signed in as the student before
    guess(student, settings.CONFIG.directory.lockout_threshold)   # someone else locks the account
    right = client.post("/signin/", {"user_id": student.user_id, "password": student.password})
    page = right.content.decode()
    assert right.status_code == 400 and "Your account is locked" in page and GENERIC_FAILURE not in page
    assert '<a href="/reset/">I know my password, but still can' in page
    wrong = client.post("/signin/", {"user_id": student.user_id, "password": "Not the password at all!"})
    assert GENERIC_FAILURE in wrong.content.decode() and "Your account is locked" not in wrong.content.decode()
    assert AuditEvent.objects.filter(tag="signin:failure", reason="account_locked",
                                     detail__password_right=True).count() == 1


def test_a_stranger_learns_nothing_from_a_locked_account(student, settings):
    guess(student, settings.CONFIG.directory.lockout_threshold)
    stranger = Client()                              # never signed in as the student
    answer = stranger.post("/signin/", {"user_id": student.user_id, "password": student.password})
    assert answer.status_code == 400 and GENERIC_FAILURE in answer.content.decode()
    assert "Your account is locked" not in answer.content.decode()
    forged = Client()
    forged.cookies["__Host-sspr_familiar"] = "forged"
    forged.cookies["sspr_familiar"] = "forged"
    answer = forged.post("/signin/", {"user_id": student.user_id, "password": student.password})
    assert GENERIC_FAILURE in answer.content.decode()
