"""The help desk's console: who gets in, finding a person, verifying a caller, and each action,
with the refusals an attacker (or an over-eager technician) meets and the audit trail they leave."""

import re

from sspr.audit.models import AuditEvent
from sspr.delivery.queue import run_once
from sspr.demo.models import OutboxMessage
from sspr.directory.embedded.models import Account
from sspr.methods.models import Method, RememberedDevice

from ..conftest import sign_in
from ..methods.conftest import give_method, local_user
from .conftest import console_sign_in, staff_member


def latest(tag, **fields):
    return AuditEvent.objects.filter(tag=tag, **fields).first()


# Who gets in
def test_my_account_links_the_console_only_for_people_with_a_role(client, technician, student):
    console_sign_in(client, technician)
    assert "Help desk" in client.get("/account/").content.decode()
    client.post("/signout/")
    sign_in(client, student)
    page = client.get("/account/").content.decode()
    assert "Help desk" not in page and "My classes" not in page


def test_a_person_without_a_role_is_refused_with_a_sentence_and_audited(client, student):
    sign_in(client, student)
    response = client.get("/console/")
    assert response.status_code == 403
    assert "The console is for staff" in response.content.decode()
    assert latest("console:refused", actor=student.user_id).reason == "not_allowed"


def test_a_text_message_second_step_does_not_open_the_console(client, db, outbox):
    texter = staff_member("pat.lee@district.example", ["Help Desk"], authenticator=False)
    phone = give_method(texter, "phone", "+15550155")
    sign_in(client, texter)
    client.post("/signin/verify/", {"action": "choose", "option": f"{phone.pk}:sms"})
    client.post("/signin/verify/", {"action": "verify", "code": outbox("+15550155")})
    response = client.get("/console/")
    assert response.status_code == 302 and response["Location"].startswith("/console/verify/")
    response = client.get(response["Location"])
    assert response.status_code == 403 and "authenticator app or a passkey" in response.content.decode()


def test_a_texter_allowed_by_the_admin_proves_a_phone_on_the_console_verify_page(client, db, outbox, configure):
    configure(console={"second_step": ["totp", "passkey", "phone"]})
    texter = staff_member("pat.lee@district.example", ["Help Desk"], authenticator=False)
    phone = give_method(texter, "phone", "+15550155")
    sign_in(client, texter)
    client.post("/signin/verify/", {"action": "choose", "option": f"{phone.pk}:sms"})
    client.post("/signin/verify/", {"action": "verify", "code": outbox("+15550155")})
    assert client.get("/console/").status_code == 200


def test_a_remembered_device_does_not_open_the_console(client, technician, student):
    console_sign_in(client, technician)
    session = client.session
    session.pop("second_step")
    session.save()
    response = client.get("/console/")
    assert response.status_code == 302 and response["Location"].startswith("/console/verify/")


# Finding people
def test_find_a_person_by_the_start_of_their_name_in_any_case(client, technician, student):
    console_sign_in(client, technician)
    page = client.get("/console/", {"q": "CHRIS"}).content.decode()
    assert "csmith1234@student.district.example" in page
    page = client.get("/console/", {"q": "csmi"}).content.decode()
    assert "Chris Smith" in page


def test_the_search_limit_per_operator_is_audited(client, technician, student, configure):
    configure(console={"searches_per_hour": 2})
    console_sign_in(client, technician)
    assert [client.get("/console/", {"q": "chris"}).status_code for _ in range(3)] == [200, 200, 429]
    refused = latest("console:refused")
    assert (refused.actor, refused.reason, refused.detail) == (technician.user_id, "rate_limited", {"action": "search"})
    assert client.get(f"/console/people/{student.user_id}/").status_code == 200


def test_a_wildcard_typed_in_the_search_matches_nothing(client, technician, student):
    console_sign_in(client, technician)
    for typed in ["*", "c*", "*)(uid=*", "%", "_"]:
        page = client.get("/console/", {"q": typed}).content.decode()
        assert "csmith1234" not in page, typed


def test_the_person_page_shows_state_registration_and_masked_methods(client, technician, student):
    give_method(student, "phone", "+15550200")
    Account.objects.filter(user_id=student.user_id).update(locked_until="2999-01-01T00:00:00Z")
    console_sign_in(client, technician)
    page = client.get(f"/console/people/{student.user_id}/").content.decode()
    assert "Chris Smith" in page and "Lincoln High School" in page and "Locked" in page
    assert "1 of 2 methods registered" in page
    assert "+15550200" not in page and "00" in page  # masked, with its last digits


# Verifying the caller
def test_a_caller_verified_with_a_code_can_be_unlocked_without_a_reason(client, technician, student, outbox):
    phone = give_method(student, "phone", "+15550200")
    console_sign_in(client, technician)
    check = f"/console/people/{student.user_id}/check/"
    client.post(check, {"action": "choose", "option": f"{phone.pk}:sms"})
    response = client.post(check, {"action": "verify", "code": outbox("+15550200")})
    assert "Caller verified" in response.content.decode()
    response = client.post(f"/console/people/{student.user_id}/unlock/")
    assert response.status_code == 200 and "The account is unlocked." in response.content.decode()
    event = latest("account:unlock", subject=student.user_id)
    assert event.actor == technician.user_id and event.actor_role == "helpdesk"
    assert event.detail["verification"] == "phone"


def test_a_wrong_code_read_back_does_not_verify(client, technician, student, outbox):
    phone = give_method(student, "phone", "+15550200")
    console_sign_in(client, technician)
    check = f"/console/people/{student.user_id}/check/"
    client.post(check, {"action": "choose", "option": f"{phone.pk}:sms"})
    right = outbox("+15550200")
    wrong = f"{(int(right) + 1) % 1000000:06d}"
    assert client.post(check, {"action": "verify", "code": wrong}).status_code == 400
    assert client.post(f"/console/people/{student.user_id}/unlock/").status_code == 400  # a reason is needed


def test_acting_without_verification_needs_a_typed_reason_which_is_audited(client, technician, student):
    console_sign_in(client, technician)
    url = f"/console/people/{student.user_id}/end-sessions/"
    response = client.post(url)
    assert response.status_code == 400 and "type why" in response.content.decode()
    assert latest("sessions:end") is None
    client.post(url, {"reason": "In person, showed student ID"})
    event = latest("sessions:end", subject=student.user_id)
    assert event.detail["verification"] == "none" and event.detail["reason"] == "In person, showed student ID"


# Resetting
def test_a_generated_passphrase_is_shown_once_and_must_be_changed_at_sign_in(client, technician, student):
    console_sign_in(client, technician)
    response = client.post(f"/console/people/{student.user_id}/reset/",
                           {"how": "generate", "must_change": "on", "reason": "Called from the office"})
    page = response.content.decode()
    password = re.search(r'<p class="idea" data-secret>([^<]+)</p>', page).group(1).strip()
    password = password.replace("&#x27;", "'")
    event = latest("password:reset", subject=student.user_id)
    assert event.detail["by_staff"] and event.detail["generated"] and event.detail["must_change"]
    assert password not in str(event.detail)
    client.post("/signout/")
    response = client.post("/signin/", {"user_id": student.user_id, "password": password})
    assert response["Location"] == "/account/password/"


def test_a_typed_password_goes_through_the_policy(client, technician, student):
    console_sign_in(client, technician)
    response = client.post(f"/console/people/{student.user_id}/reset/",
                           {"how": "type", "new_password": "short", "reason": "ticket 4411"})
    assert response.status_code == 400 and "15" in response.content.decode()
    assert latest("password:reset") is None


def test_a_technician_cannot_reset_an_admin_another_technician_or_themselves(client, technician, administrator):
    other = staff_member("pat.lee@district.example", ["Help Desk"])
    console_sign_in(client, technician)
    for target in [administrator, other, technician]:
        response = client.post(f"/console/people/{target.user_id}/reset/", {"how": "generate", "reason": "x"})
        assert response.status_code == 403, target.user_id
        assert latest("password:reset", subject=target.user_id) is None
    assert AuditEvent.objects.filter(tag="console:refused", actor=technician.user_id).count() == 3


def test_an_admin_can_reset_a_member_of_the_admin_groups(client, console_admin, administrator):
    console_sign_in(client, console_admin)
    response = client.post(f"/console/people/{administrator.user_id}/reset/", {"how": "generate", "reason": "x"})
    assert response.status_code == 200


def test_a_school_help_desk_acts_only_in_its_own_school(client, school_desk, student, staff):
    console_sign_in(client, school_desk)  # Lincoln High School, like the student
    assert client.post(f"/console/people/{student.user_id}/unlock/", {"reason": "x"}).status_code == 200
    assert client.get(f"/console/people/{staff.user_id}/").status_code == 403  # Roosevelt Middle School
    assert client.post(f"/console/people/{staff.user_id}/unlock/", {"reason": "x"}).status_code == 403


def test_an_auditor_reads_the_audit_trail_and_acts_on_nobody(client, auditor, student):
    console_sign_in(client, auditor)
    assert client.get("/console/").status_code == 302
    assert client.get("/console/audit/").status_code == 200
    assert client.post(f"/console/people/{student.user_id}/unlock/", {"reason": "x"}).status_code == 403


# Temporary Access Pass
def issue_pass(client, target) -> str:
    page = client.post(f"/console/people/{target.user_id}/pass/", {"reason": "lost phone"}).content.decode()
    return re.search(r'<p class="idea pass-code" data-secret>([^<]+)</p>', page).group(1).strip()


def test_a_pass_signs_the_person_in_once_and_lets_them_set_a_password(client, technician, student):
    console_sign_in(client, technician)
    code = issue_pass(client, student)
    client.post("/signout/")
    response = client.post("/signin/pass/", {"user_id": student.user_id, "pass_code": code.upper()})
    assert response.status_code == 302
    page = client.get("/account/password/").content.decode()
    assert "Old password" not in page and "Temporary Access Pass" in page
    response = client.post("/account/password/", {"new_password": "Seven purple comets rest by moonlight!",
                                                   "confirm_password": "Seven purple comets rest by moonlight!"})
    assert response.status_code == 302
    assert sign_in(client.__class__(), student, "Seven purple comets rest by moonlight!").status_code == 302
    client.post("/signout/")
    replay = client.post("/signin/pass/", {"user_id": student.user_id, "pass_code": code})
    assert replay.status_code == 400
    assert latest("signin:failure", subject=student.user_id).reason == "already_used"


def test_a_revoked_pass_no_longer_works(client, technician, student):
    console_sign_in(client, technician)
    code = issue_pass(client, student)
    pass_row = local_user(student).passes.get()
    client.post(f"/console/people/{student.user_id}/passes/{pass_row.pk}/revoke/")
    client.post("/signout/")
    assert client.post("/signin/pass/", {"user_id": student.user_id, "pass_code": code}).status_code == 400


def test_guessing_passes_never_locks_the_owner(client, technician, student):
    for _ in range(12):
        client.post("/signin/pass/", {"user_id": student.user_id, "pass_code": "aaaa-bbbb-cccc"})
    assert sign_in(client, student).status_code == 302


def test_a_pass_says_the_same_for_an_unknown_user_and_a_wrong_pass(client, student):
    unknown = client.post("/signin/pass/", {"user_id": "nobody@student.district.example",
                                            "pass_code": "aaaa-bbbb-cccc"})
    wrong = client.post("/signin/pass/", {"user_id": student.user_id, "pass_code": "aaaa-bbbb-cccc"})
    assert unknown.status_code == wrong.status_code == 400
    strip = lambda page: re.sub(r'(value|nonce)="[^"]*"', "", page.content.decode())  # noqa: E731
    assert strip(unknown) == strip(wrong)


# Clearing, forgetting, limits
def test_cleared_security_info_must_be_registered_again_without_skipping(client, technician, student, configure):
    configure(methods={"require_registration": True})
    give_method(student, "email", "chris@personal.example")
    RememberedDevice.objects.create(user=local_user(student), token_hash="x" * 64,
                                    expires_at="2999-01-01T00:00:00Z")
    console_sign_in(client, technician)
    client.post(f"/console/people/{student.user_id}/clear/", {"method": "all", "reason": "lost phone"})
    assert not Method.objects.filter(user__user_id=student.user_id).exists()
    assert not RememberedDevice.objects.filter(user__user_id=student.user_id).exists()
    client.post("/signout/")
    response = sign_in(client, student)
    assert response["Location"] == "/security-info/register/"
    page = client.get("/security-info/register/").content.decode()
    assert "Skip for now" not in page


def test_the_limit_per_operator_stops_actions_and_tells_the_admins_once(client, technician, student, configure,
                                                                        outbox):
    configure(console={"actions_per_hour": {"helpdesk": 2}}, delivery={"admin_emails": ["it@district.example"]})
    console_sign_in(client, technician)
    url = f"/console/people/{student.user_id}/end-sessions/"
    assert [client.post(url, {"reason": "x"}).status_code for _ in range(4)] == [200, 200, 429, 429]
    run_once()
    alerts = OutboxMessage.objects.filter(to="it@district.example")
    assert alerts.count() == 1 and technician.user_id in alerts.get().body


def test_sspr_check_names_role_groups_the_directory_lacks(technician, configure, capsys):
    from django.core.management import call_command

    configure(roles={"helpdesk": ["Help Desk", "Help Dsek"], "teacher": ["Teachers"]})
    call_command("check_setup")
    err = capsys.readouterr().err
    assert "roles.helpdesk: the directory has no group 'Help Dsek'" in err
    assert "roles.teacher: the directory has no group 'Teachers'" in err
    assert "'Help Desk'" not in err
