"""A ticketing system resets a password through the API and reads what each sync target did with
it, as the help desk does on the console's pages (tests/console/test_sync_state.py)."""

from ..sync.servers import google_error

GRAPH_USER = "csmith1234@district.example"


def test_the_api_tells_a_ticketing_system_what_each_target_did(make_key, student, syncing, google, graph):
    """The same states through the API: the reset's answer, then the person's status."""
    syncing()
    google.users.add(student.user_id)
    graph.users.add(GRAPH_USER)
    google.failures = [google_error(503, "Backend Error", "backendError")]
    key = make_key()
    done = key.post(f"/people/{student.user_id}/reset", {"reason": "Ticket 4411", "must_change": True})
    assert done.status_code == 200, done.content
    states = {state["target"]: state for state in done.json()["sync"]}
    assert states["microsoft"]["status"] == "done" and states["microsoft"]["account"] == GRAPH_USER
    assert states["microsoft"]["reason"] == ""
    assert states["google"]["status"] == "pending" and states["google"]["attempts"] == 1
    assert "503" in states["google"]["reason"] and states["google"]["when"]
    assert done.json()["password"] not in str(states)
    status = key.get(f"/people/{student.user_id}").json()
    assert [state["target"] for state in status["sync"]] == ["google", "microsoft"]
