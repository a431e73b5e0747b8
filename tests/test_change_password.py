from django.test import Client

from sspr.audit.models import AuditEvent
from sspr.demo.models import OutboxMessage
from sspr.directory import get_directory
from sspr.directory.base import BadCredentials
from sspr.directory.embedded.models import Account

from .conftest import sign_in

NEW = "Purple lanterns drift over quiet harbors!"


def change(client, persona, old=None, new=NEW, confirm=None):
    return client.post("/account/password/", {
        "old_password": old if old is not None else persona.password,
        "new_password": new, "confirm_password": confirm if confirm is not None else new,
    })


def test_the_page_shows_the_user_id_and_the_rules(client, student):
    sign_in(client, student)
    page = client.get("/account/password/").content.decode()
    assert f'value="{student.user_id}" readonly' in page
    assert "What a wonderful day!" in page
    assert "At least 15 characters" in page and "Not an example or other text from this site" in page
    assert "Not found in known data breaches" not in page  # no breach source configured: not promised


def test_a_student_changes_their_password(client, student):
    sign_in(client, student)
    response = change(client, student)
    assert response.status_code == 302 and response["Location"] == "/account/"
    profile = client.get("/account/").content.decode()
    assert "You have successfully changed your password" in profile and "Chris Smith" in profile
    assert get_directory().authenticate(student.user_id, NEW).user_id == student.user_id
    try:
        get_directory().authenticate(student.user_id, student.password)
        raise AssertionError("the old password still works")
    except BadCredentials:
        pass
    event = AuditEvent.objects.filter(tag="password:change").get()
    assert (event.subject, event.outcome) == (student.user_id, "success")


def test_a_change_ends_every_other_session_but_this_one(client, student):
    other = Client()
    sign_in(other, student)
    assert other.get("/account/").status_code == 200
    sign_in(client, student)
    old_key = client.session.session_key
    change(client, student)
    assert other.get("/account/").status_code == 302  # signed out
    assert client.get("/account/").status_code == 200
    assert client.session.session_key != old_key


def test_a_wrong_old_password_is_a_clear_error_and_counts_toward_lockout(client, student):
    sign_in(client, student)
    response = change(client, student, old="Not my password at all!")
    assert response.status_code == 400
    assert "Your old password is incorrect." in response.content.decode()
    assert len(Account.objects.get(user_id=student.user_id).recent_failures) == 1
    assert get_directory().authenticate(student.user_id, student.password)


def test_the_lockout_signs_the_person_out(client, student, settings):
    sign_in(client, student)
    for _ in range(settings.CONFIG.directory.lockout_threshold):
        change(client, student, old="Not my password at all!")
    response = change(client, student, old="Not my password at all!")
    assert response.status_code == 302 and response["Location"] == "/signin/"
    assert client.get("/account/").status_code == 302


def test_mismatched_confirmation_is_refused(client, student):
    sign_in(client, student)
    response = change(client, student, confirm=NEW + "?")
    assert response.status_code == 400
    assert "The two new passwords do not match." in response.content.decode()
    assert get_directory().authenticate(student.user_id, student.password)


def test_every_broken_rule_is_named(client, student):
    sign_in(client, student)
    page = change(client, student, new="chris").content.decode()
    assert "At least 15 characters" in page
    assert "Must not contain “Chris”" in page


def test_the_same_password_again_is_refused(client, student):
    sign_in(client, student)
    page = change(client, student, new=student.password).content.decode()
    assert "must be different from your current password" in page


def test_the_notification_reaches_both_addresses_and_holds_no_secret(client, staff, settings):
    settings.DEMO = True  # the demo outbox stands in for the mail server until real channels exist
    sign_in(client, staff)
    change(client, staff, new=NEW)
    mails = list(OutboxMessage.objects.filter(channel="email"))
    assert sorted(m.to for m in mails) == ["ana.torres@district.example", "ana@personal.example"]
    for mail in mails:
        assert "password was changed" in mail.subject
        assert "help desk" in mail.body and "+1 555 0100" in mail.body
        assert mail.body.count("https://sspr.test/") == 1  # links only from the configured base URL
        assert NEW not in mail.body and staff.password not in mail.body


def test_a_must_change_flag_is_cleared(client, student):
    Account.objects.filter(user_id=student.user_id).update(must_change_password=True)
    sign_in(client, student)
    change(client, student)
    assert not Account.objects.get(user_id=student.user_id).must_change_password
    assert "Please change it now" not in client.get("/account/").content.decode()


def test_change_password_needs_sign_in(client):
    assert client.get("/account/password/").status_code == 302
    assert client.post("/password/check/", {"password": "x"}).status_code == 302


def test_the_live_check_answers_with_each_rule(client, student):
    sign_in(client, student)
    rules = client.post("/password/check/", {"password": "chris"}).json()["rules"]
    verdicts = {rule["rule"]: rule["passed"] for rule in rules}
    assert verdicts["length"] is False and verdicts["context"] is False and verdicts["published"] is True
    assert "breached" not in verdicts  # no breach source configured
    rules = client.post("/password/check/", {"password": NEW}).json()["rules"]
    assert all(rule["passed"] for rule in rules)


def test_the_live_check_is_rate_limited(client, student, django_user_model):
    from sspr.services.passwords import live_checks_per_person as password_checks_per_user

    sign_in(client, student)
    user = django_user_model.objects.get(user_id=student.user_id)
    for _ in range(password_checks_per_user.maximum):
        password_checks_per_user.acquire(str(user.pk))
    assert client.post("/password/check/", {"password": "x"}).status_code == 429


def test_a_passphrase_idea_is_offered_without_sign_in(client):
    first = client.get("/password/idea/?format=json").json()["idea"]
    second = client.get("/password/idea/?format=json").json()["idea"]
    assert len(first) >= 15 and first != second
    assert "An idea for a passphrase" in client.get("/password/idea/").content.decode()


def test_a_wrong_old_password_is_refused_before_the_history_says_anything(client, student):
    """The change form is no oracle: with a wrong old password and the current one as the new
    one, the answer is "old password incorrect" (counted), never "you used this recently"."""
    from sspr.directory.embedded.models import Account

    sign_in(client, student)
    response = client.post("/account/password/", {
        "old_password": "Not my password at all, sorry", "new_password": student.password,
        "confirm_password": student.password})
    page = response.content.decode()
    assert response.status_code == 400 and "Your old password is incorrect." in page
    assert "recently" not in page and "different from your current" not in page
    assert len(Account.objects.get(user_id=student.user_id).recent_failures) == 1
    new = "Seven quiet herons fish at dawn"
    done = client.post("/account/password/", {"old_password": student.password, "new_password": new,
                                              "confirm_password": new})
    assert done.status_code == 302


def test_a_change_proves_the_old_password_once_and_still_refuses_an_older_one(client, student, monkeypatch):
    """Each argon2 computation of the change is counted: one proof of the old password, one per
    remembered password before the current one (the current one is the old password, just
    proved, and the new one differs from it), one new hash. The history still holds: a password
    from before the current one is refused, and that refusal comes only after the proof."""
    import argon2._password_hasher as hasher
    import argon2.low_level

    computed = []

    def counted(real):
        def computation(*args, **kwargs):
            computed.append(real.__name__)
            return real(*args, **kwargs)
        return computation

    for module in (hasher, argon2.low_level):  # the PasswordHasher's functions, and Django's hash path
        for name in ("hash_secret", "verify_secret"):
            if hasattr(module, name):
                monkeypatch.setattr(module, name, counted(getattr(argon2.low_level, name)))
    sign_in(client, student)
    second = "Seven quiet herons fish at dawn"
    computed.clear()
    assert change(client, student).status_code == 302
    assert len(computed) == 1 + 0 + 1  # the old password; no password before it yet; the new hash
    computed.clear()
    assert change(client, student, old=NEW, new=second).status_code == 302
    assert len(computed) == 1 + 1 + 1  # the old password; the one before it; the new hash
    back = change(client, student, old=second, new=student.password)
    assert back.status_code == 400 and "You used this password recently" in back.content.decode()
    wrong = change(client, student, old="Not my password at all, sorry", new=NEW)
    assert wrong.status_code == 400 and "Your old password is incorrect." in wrong.content.decode()
    assert "recently" not in wrong.content.decode()
    assert get_directory().authenticate(student.user_id, second).user_id == student.user_id
