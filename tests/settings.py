"""The test suite runs the real settings module under tests/sspr-test.toml."""

import os
from pathlib import Path

os.environ.setdefault("SSPR_CONFIG", str(Path(__file__).with_name("sspr-test.toml")))

from sspr.settings import *  # noqa: E402,F403
