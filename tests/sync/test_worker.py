"""The sync queue survives crashes: a real worker is killed while Google holds its request, and
the password reaches Google after a restart, with nothing of it kept afterwards."""

import time

import pytest

from .. import processes
from .servers import ADMIN, google_error

NEW = "Purple lanterns drift over quiet harbors!"
USER = "csmith1234@student.district.example"

SET = f"""
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.contrib.auth.hashers import make_password
from sspr.actors import Actor
from sspr.directory.embedded.models import Account
from sspr.services import passwords, people
Account.objects.create(user_id="{USER}", password=make_password("Brave pianos dance on Fridays!"))
result = passwords.set_password(Actor.cli(), people.find("{USER}"), "{NEW}")
print([state.status for state in result.targets])
"""


@pytest.fixture
def deployment(tmp_path, google, certs, service_account):
    (tmp_path / "google-key.json").write_text(service_account.key_file())
    return processes.deployment(tmp_path, f"""
[server]
base_url = "https://sspr.test"
secret_key = "sync-worker-test-secret-key-0123456789-abcdefghijk"
[database]
url = "sqlite:///{tmp_path}/sync.sqlite3"
[sync]
targets = ["google"]
retry_delay_seconds = 1
[sync.google]
key_file = "{tmp_path}/google-key.json"
subject = "{ADMIN}"
token_uri = "{google.url}/token"
api_url = "{google.url}"
ca_file = "{certs['ca.pem']}"
timeout = 60.0
""", "sync.sqlite3")


def test_a_worker_killed_mid_retry_delivers_after_a_restart(deployment, google):
    start, run, query = deployment
    google.users.add(USER)
    google.failures = [google_error(503, "Backend Error", "backendError")]

    # 1. The password is set; Google is down for a moment, so it waits in the queue as a hash.
    done = run("-c", SET)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("['pending']")
    [(status, attempts, secret)] = query("SELECT status, attempts, secret FROM sync_syncjob")
    assert (status, attempts) == ("pending", 1) and secret.startswith("$6$") and NEW not in secret

    # 2. A worker retries it and dies while Google holds the request.
    google.hang = 60
    worker = start("-m", "sspr", "worker", "--poll", "0.1")
    deadline = time.monotonic() + 60
    while len(google.updates()) < 2:
        assert worker.poll() is None, worker.stdout.read()
        assert time.monotonic() < deadline, "the worker never retried"
        time.sleep(0.05)
    worker.kill()
    worker.wait()
    assert query("SELECT status FROM sync_syncjob") == [("pending",)]

    # 3. After a restart the dead worker's claim lapses at once and Google gets the password.
    google.hang = 0
    finished = run("-m", "sspr", "worker", "--once")
    assert finished.returncode == 0, finished.stderr
    assert "retried 1 password syncs" in finished.stdout
    assert query("SELECT status, attempts, secret FROM sync_syncjob") == [("done", 3, "")]
    assert google.signs_in(USER, NEW)
    tags = [tag for (tag,) in query("SELECT tag FROM audit_auditevent WHERE tag LIKE 'sync:%' ORDER BY id")]
    assert tags == ["sync:deferred", "sync:done"]
