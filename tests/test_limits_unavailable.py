"""Redis, where the rate limits live with several instances, goes down: every page that counts
toward a limit says "try again later" with status 503 (fail closed: nothing is let through
unchecked, and nothing breaks with a 500), /readyz says why, and the portal recovers by itself
when Redis is back."""

import pytest

from .conftest import sign_in

pytestmark = pytest.mark.django_db


def test_with_redis_down_a_sign_in_is_try_again_later_then_works_when_it_is_back(client, student, redis_limits):
    redis_limits.stop()
    response = sign_in(client, student)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert "Please try again later" in page and "cannot check its safety limits" in page
    assert not client.session.get("_auth_user_id")
    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.json()["problems"] == ["limits: redis ConnectionError"]

    redis_limits.start()
    assert client.get("/readyz").status_code == 200
    response = sign_in(client, student)
    assert response.status_code == 302 and client.session.get("_auth_user_id")


def test_with_redis_down_wrong_passwords_are_not_tried_at_all(client, student, redis_limits):
    redis_limits.stop()
    for _ in range(10):
        assert sign_in(client, student, password="a wrong guess").status_code == 503
    redis_limits.start()
    # Nothing was tested while the limits could not count: the account is not locked.
    assert sign_in(client, student).status_code == 302


def test_sspr_check_says_when_redis_cannot_be_reached(redis_limits, capsys):
    from django.core.management import call_command

    redis_limits.stop()
    with pytest.raises(SystemExit):
        call_command("check_setup")
    assert "error: limits: redis ConnectionError" in capsys.readouterr().err
    redis_limits.start()
