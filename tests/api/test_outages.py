"""What a program sees while the rate limits' Redis or the database cannot be reached: a 503
problem with Retry-After, as the pages answer "try again later", never a 500 or an HTML page;
nothing is changed, nothing internal is told, and the same call goes through once it is back."""

import logging

from django.contrib.auth.hashers import check_password

from sspr.audit.models import AuditEvent
from sspr.directory.embedded.models import Account

from ..conftest import database_down
from .conftest import problem

REASON = {"reason": "Ticket 4411: the student called from the library"}
NEW_PASSWORD = {**REASON, "password": "Quiet lanterns float past midnight!", "must_change": False}


def unavailable(response, caplog, what):
    body = problem(response, 503)
    assert response["Retry-After"] == "30"
    assert body["type"].endswith("/unavailable") and "nothing was changed" in body["detail"]
    assert "redis" not in response.content.decode().lower() and "server closed" not in response.content.decode()
    # Said once, without a traceback: an outage is not a bug. (Django's own request log adds its
    # line for every 5xx answer.)
    ours = [record for record in caplog.records if record.name.startswith("sspr")]
    assert [record.getMessage().split(":")[0] for record in ours] == [f"{what} unavailable"]
    assert ours[0].levelno == logging.ERROR and not ours[0].exc_info
    return body


def password_is(student, password):
    return check_password(password, Account.objects.get(user_id=student.user_id).password)


def test_while_the_limits_cannot_be_checked_a_reset_is_503_and_changes_nothing(helpdesk_key, student, redis_limits,
                                                                                caplog):
    redis_limits.stop()
    unavailable(helpdesk_key.post(f"/people/{student.user_id}/reset", NEW_PASSWORD), caplog, "limits")
    redis_limits.start()
    assert password_is(student, student.password)
    assert not AuditEvent.objects.filter(tag="password:reset").exists()

    response = helpdesk_key.post(f"/people/{student.user_id}/reset", NEW_PASSWORD)
    assert response.status_code == 200 and password_is(student, NEW_PASSWORD["password"])


def test_while_the_database_is_down_a_reset_is_503_and_changes_nothing(helpdesk_key, student, caplog):
    with database_down():
        unavailable(helpdesk_key.post(f"/people/{student.user_id}/reset", NEW_PASSWORD), caplog, "database")
    assert password_is(student, student.password)

    response = helpdesk_key.post(f"/people/{student.user_id}/reset", NEW_PASSWORD)
    assert response.status_code == 200 and password_is(student, NEW_PASSWORD["password"])


def test_a_call_carrying_a_session_cookie_while_the_database_is_down_is_a_problem_not_a_page(
        client, helpdesk_key, student, caplog):
    # The session is read by a middleware, before the API is reached: Django's own error handler answers.
    client.raise_request_exception = False
    client.cookies["sessionid"] = "a" * 32
    with database_down():
        unavailable(helpdesk_key.get(f"/people/{student.user_id}"), caplog, "database")
    assert helpdesk_key.get(f"/people/{student.user_id}").status_code == 200


def test_every_operation_describes_its_503(client):
    schema = client.get("/api/v1/openapi.json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert "application/problem+json" in operation["responses"]["503"]["content"], (method, path)
