"""The test suite runs the real settings module under tests/sspr-test.toml."""

import os
from pathlib import Path

os.environ.setdefault("SSPR_CONFIG", str(Path(__file__).with_name("sspr-test.toml")))

from sspr.settings import *  # noqa: F403  (every setting, then the test changes below)
from sspr.settings import DATABASES

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file beside the configured one, not Django's default in-memory test database: threads in
    # the tests of rate limits each open a connection, and connections share an in-memory
    # database through table locks that fail at once instead of waiting their turn.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(DATABASES["default"]["NAME"]).with_name("test-run.sqlite3")),
    }
