"""Every path that sets a password syncs it: the command line and the API here (the change, the
reset and the help desk have their tests beside these, in tests/sync, tests/browser and tests/console)."""

import io

from django.core.management import call_command

NEW = "Purple lanterns drift over quiet harbors!"


def test_sspr_users_set_password_syncs_with_its_must_change(student, syncing, google, graph, monkeypatch):
    syncing()
    google.users.add(student.user_id)
    graph.users.add("csmith1234@district.example")
    monkeypatch.setattr("sys.stdin", io.StringIO(NEW + "\n"))
    call_command("users", "set-password", student.user_id, "--must-change", stdout=io.StringIO())
    assert google.signs_in(student.user_id, NEW) and google.must_change[student.user_id] is True
    assert graph.passwords == {"csmith1234@district.example": NEW}


def test_the_command_line_is_refused_what_google_cannot_take(student, syncing, google, monkeypatch):
    import pytest
    from django.core.management.base import CommandError

    syncing(targets=("google",))
    google.users.add(student.user_id)
    monkeypatch.setattr("sys.stdin", io.StringIO("Él canta bajo la lluvia fría ¡qué día!\n"))
    with pytest.raises(CommandError) as refused:
        call_command("users", "set-password", student.user_id, stdout=io.StringIO())
    assert "Your Chromebook password can only use English letters, digits and punctuation" in str(refused.value)
    assert google.requests == []
