"""A gunicorn worker gives argon2id's working memory back after each hash (sspr serve), instead of
keeping about 20 MB more resident for good: the first morning's workers stay under 150 MB."""

import os
import subprocess
import sys

PROBE = """
import sys
from sspr.ops.management.commands.serve import return_big_buffers_to_the_system
if sys.argv[1] == "serve":
    return_big_buffers_to_the_system()
import argon2
hasher = argon2.PasswordHasher(memory_cost=19456, time_cost=2, parallelism=1)  # the portal's defaults
encoded = hasher.hash("Brave pianos dance on Fridays!")
def resident_mb():
    return int(open("/proc/self/statm").read().split()[1]) * 4096 / 2**20
before = resident_mb()
for _ in range(10):
    hasher.verify(encoded, "Brave pianos dance on Fridays!")
    padding = [bytearray(500) for _ in range(2000)]  # a request's small allocations in between
print(resident_mb() - before)
"""


def grown_mb(mode: str) -> float:
    out = subprocess.run([sys.executable, "-c", PROBE, mode], capture_output=True, text=True, check=True,
                         env=os.environ)
    return float(out.stdout)


def test_a_worker_returns_the_hash_memory():
    assert grown_mb("plain") > 15  # glibc's default: after the first hash, each block stays in the heap
    assert grown_mb("serve") < 8
