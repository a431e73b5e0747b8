"""The sync servers and the `syncing` fixture are in tests/conftest.py: the browser tests use them too."""

import pytest


@pytest.fixture(autouse=True)
def _database(db):
    """Every sync is a database row first."""
