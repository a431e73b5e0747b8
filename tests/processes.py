"""Real portal and worker processes on a configuration file of the test's own, for the tests that
kill them half-way (tests/delivery/test_worker.py, tests/sync/test_worker.py)."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path


def deployment(folder: Path, config: str, database: str):
    """(start, run, query): start(*args) a Python process (Popen), run(*args) one to its end,
    query(sql) the SQLite database the configuration names (folder/database)."""
    (folder / "sspr.toml").write_text(config)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("SSPR_", "DJANGO_"))}
    env.update(SSPR_CONFIG=str(folder / "sspr.toml"), DJANGO_SETTINGS_MODULE="sspr.settings")

    def start(*args):
        return subprocess.Popen([sys.executable, *args], cwd=folder, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)

    def run(*args):
        return subprocess.run([sys.executable, *args], cwd=folder, env=env, capture_output=True, text=True,
                              timeout=120)

    def query(sql):
        with sqlite3.connect(folder / database) as db:
            return db.execute(sql).fetchall()

    return start, run, query
