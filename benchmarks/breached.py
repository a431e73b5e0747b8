"""Benchmark: the offline breached-password filter (sspr.passwords.breached).

    python -m benchmarks.breached [--entries N]      (10,000,000 by default)

Generates N random SHA-1 hashes as a sorted ``SHA1HEX:COUNT`` file with CRLF line ends (the
Pwned Passwords download's format) in a temporary folder, builds the filter from it exactly as
`sspr breached build` does, and measures, next to a reference built from the same file in the
same run:

  the filter     BreachedFilter.build / .open / .contains_sha1 (pure Python over an mmap)
  the reference  a plain sorted array of the 8-byte prefixes of the hashes, written to a file,
                 mapped the same way and searched with bisect over the mapped array (the
                 smallest exact-enough structure: 8 bytes an entry, next to no false positives)

Figures: build time; bytes per entry (whole file, header included); false-positive rate on
1,000,000 random absent keys; microseconds per lookup from Python (absent keys, present keys,
and is_breached on a password including its SHA-1); peak RSS of the build, measured in a fresh
process with resource.getrusage, against the filter's and the input file's sizes.

Targets (the exit status is 1 when one is missed):
  - at most 2 bytes per entry at a measured false-positive rate of at most 1 in 1,000;
  - under 10 µs per lookup;
  - a streaming build: its memory above the bare interpreter is at most the filter plus a
    fixed allowance of 16 times breached.CHUNK_BYTES (64 MiB) for the chunk of input being
    parsed, whatever the size of the file.
"""

import argparse
import binascii
import bisect
import json
import mmap
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_ENTRIES = 10_000_000
ABSENT_KEYS = 1_000_000
PRESENT_KEYS = 200_000
TARGET_BYTES_PER_ENTRY = 2.0
TARGET_FALSE_POSITIVE_RATE = 0.001
TARGET_MICROSECONDS = 10.0
WORKING_SET_CHUNKS = 16  # parsing one chunk of input takes about 12 times its size in arrays
GENERATE_BATCH = 200_000
ROOT = Path(__file__).resolve().parent.parent


def generate(path: Path, entries: int, seed: int = 2024):
    """Write `entries` random hashes in hash order with Zipf-distributed counts; return the
    digests (sorted, as an (entries, 20) uint8 array)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    digests = np.frombuffer(rng.bytes(20 * entries), dtype=np.uint8).reshape(entries, 20)
    order = np.argsort(digests[:, :8].copy().view(">u8").ravel(), kind="stable")
    digests = digests[order]  # by the first 8 bytes; ties among 160-bit random hashes don't happen
    counts = np.minimum(rng.zipf(1.7, entries), 50_000_000)
    with open(path, "wb") as out:
        for start in range(0, entries, GENERATE_BATCH):
            batch = digests[start:start + GENERATE_BATCH]
            text = binascii.b2a_hex(batch.tobytes()).upper()
            out.write(b"".join(text[i * 40:i * 40 + 40] + b":%d\r\n" % count
                               for i, count in enumerate(counts[start:start + GENERATE_BATCH].tolist())))
    return digests


CHILD = """
import json, resource, sys, time
import numpy  # what the build imports, loaded before the baseline is taken
from sspr.passwords.breached import BreachedFilter
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started, cpu = time.perf_counter(), time.process_time()
BreachedFilter.build(sys.argv[1], sys.argv[2], int(sys.argv[3])).close()
seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "cpu": cpu, "rss_before": before * 1024, "rss_peak": after * 1024}))
"""
# Linux carries the peak resident size of the process that forks (or vforks) into the child's
# ru_maxrss, and keeps it across exec. This process holds the generated hashes, so the build
# runs in a grandchild, started by a small interpreter whose own peak is a few MB.
LAUNCHER = "import subprocess, sys; sys.exit(subprocess.run([sys.executable, '-c', *sys.argv[1:]]).returncode)"


def build_in_child(source: Path, output: Path, entries: int) -> dict:
    """Build the filter in a fresh interpreter; its time and peak RSS (getrusage's ru_maxrss,
    KiB on Linux) before and after the build."""
    environment = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]))
    result = subprocess.run([sys.executable, "-c", LAUNCHER, CHILD, str(source), str(output), str(entries)],
                            stdout=subprocess.PIPE, text=True, env=environment, check=True)
    return json.loads(result.stdout)


def build_reference(source: Path, output: Path) -> tuple[float, float]:
    """The sorted array of 8-byte prefixes, parsed from the same file with the same chunked
    reader (without the filter's line checks); (seconds, CPU seconds) taken."""
    import numpy as np

    from sspr.passwords.breached import _chunks

    started, cpu = time.perf_counter(), time.process_time()
    with open(output, "wb") as out:
        for _, chunk in _chunks(source):
            data = np.frombuffer(chunk, dtype=np.uint8)
            ends = np.flatnonzero(data == ord("\n"))
            starts = np.concatenate(([0], ends[:-1] + 1))
            rows = np.lib.stride_tricks.sliding_window_view(data, 16)[starts]
            prefixes = np.frombuffer(binascii.a2b_hex(np.ascontiguousarray(rows)), dtype=">u8")
            out.write(prefixes.astype(np.uint64).tobytes())  # native order, as the mapped array reads it
        out.flush()
        os.fsync(out.fileno())  # as the filter's build does
    return time.perf_counter() - started, time.process_time() - cpu


class SortedPrefixes:
    """The reference: bisect over the mapped array of 8-byte prefixes."""

    def __init__(self, path: Path):
        with open(path, "rb") as handle:
            self._map = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        self._array = memoryview(self._map).cast("Q")
        self._size = len(self._array)

    def contains_sha1(self, digest: bytes) -> bool:
        prefix = int.from_bytes(digest[:8], "big")
        index = bisect.bisect_left(self._array, prefix)
        return index < self._size and self._array[index] == prefix

    def close(self):
        self._array.release()
        self._map.close()


def time_lookups(contains, keys, round_size: int = 20_000, repeats: int = 3) -> tuple[float, float, int]:
    """One Python call per key. Returns (µs per lookup in the best round of `round_size` keys,
    each round timed `repeats` times; µs per lookup over the first whole pass; how many keys were
    reported present). The best round is the machine's cost without other processes' noise, as
    timeit reports; the whole-pass mean is printed too."""
    started = time.perf_counter()
    found = 0
    for key in keys:
        found += contains(key)
    whole = (time.perf_counter() - started) / len(keys) * 1e6
    best = whole
    for start in range(0, len(keys), round_size):
        batch = keys[start:start + round_size]
        for _ in range(repeats):
            started = time.perf_counter()
            for key in batch:
                contains(key)
            best = min(best, (time.perf_counter() - started) / len(batch) * 1e6)
    return best, whole, found


def run(entries: int = DEFAULT_ENTRIES, folder: str | None = None) -> int:
    import numpy as np

    from sspr.passwords.breached import CHUNK_BYTES, BreachedFilter

    print(f"Breached-password filter: {entries:,} entries; Python {platform.python_version()}, numpy "
          f"{np.__version__}, {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="sspr-breached-bench-", dir=folder) as temporary:
        temporary = Path(temporary)
        source, filter_path, array_path = (temporary / "pwned-passwords.txt", temporary / "breached.filter",
                                           temporary / "prefixes.u64")
        started = time.perf_counter()
        digests = generate(source, entries)
        input_bytes = source.stat().st_size
        seconds = time.perf_counter() - started
        print(f"  generated {input_bytes / 1e6:,.0f} MB of SHA1HEX:COUNT lines in {seconds:.1f} s")

        child = build_in_child(source, filter_path, entries)
        reference_seconds, reference_cpu = build_reference(source, array_path)
        breached = BreachedFilter.open(filter_path)
        reference = SortedPrefixes(array_path)
        filter_bytes, array_bytes = filter_path.stat().st_size, array_path.stat().st_size

        rng = np.random.default_rng(7)
        absent = [bytes(row) for row in np.frombuffer(rng.bytes(20 * ABSENT_KEYS), dtype=np.uint8)
                  .reshape(ABSENT_KEYS, 20)]
        present = [bytes(digests[i]) for i in rng.integers(0, entries, min(PRESENT_KEYS, entries))]
        del digests
        filter_absent_us, filter_absent_mean, false_positives = time_lookups(breached.contains_sha1, absent)
        array_absent_us, array_absent_mean, array_false_positives = time_lookups(reference.contains_sha1, absent)
        filter_present_us, filter_present_mean, filter_found = time_lookups(breached.contains_sha1, present)
        array_present_us, array_present_mean, array_found = time_lookups(reference.contains_sha1, present)
        passwords = [f"Candidate passphrase {n}!" for n in range(200_000)]
        password_us, password_mean, _ = time_lookups(breached.is_breached, passwords)
        expected_rate = breached.expected_false_positive_rate
        breached.close()
        reference.close()

    rate, array_rate = false_positives / ABSENT_KEYS, array_false_positives / ABSENT_KEYS
    filter_per_entry, array_per_entry = filter_bytes / entries, array_bytes / entries
    build_memory = child["rss_peak"] - child["rss_before"]
    allowance = WORKING_SET_CHUNKS * CHUNK_BYTES
    memory_limit = filter_bytes + allowance
    rows = [
        ("build time (s)", child["seconds"], reference_seconds, "{:.2f}"),
        ("build CPU time (s)", child["cpu"], reference_cpu, "{:.2f}"),
        ("bytes per entry", filter_per_entry, array_per_entry, "{:.3f}"),
        ("false-positive rate (1M absent keys)", rate, array_rate, "{:.6f}"),
        ("µs per lookup, absent key (best round)", filter_absent_us, array_absent_us, "{:.2f}"),
        ("µs per lookup, present key (best round)", filter_present_us, array_present_us, "{:.2f}"),
        ("lookups per second, absent keys (best)", 1e6 / filter_absent_us, 1e6 / array_absent_us, "{:,.0f}"),
    ]
    print(f"  {'':40} {'filter':>12} {'sorted array':>14} {'ratio':>8}")
    for label, ours, theirs, form in rows:
        ratio = f"{ours / theirs:.2f}" if theirs else "-"
        print(f"  {label:40} {form.format(ours):>12} {form.format(theirs):>14} {ratio:>8}")
    print(f"  µs per lookup over whole passes (noisier on a shared machine): filter {filter_absent_mean:.2f} absent, "
          f"{filter_present_mean:.2f} present, {password_mean:.2f} is_breached; array {array_absent_mean:.2f} "
          f"absent, {array_present_mean:.2f} present")
    print(f"  filter: is_breached(password) incl. SHA-1: {password_us:.2f} µs; expected false-positive rate "
          f"{expected_rate:.6f}; every present key found: {filter_found == len(present)} "
          f"(array: {array_found == len(present)})")
    print(f"  build peak RSS {child['rss_peak'] / 2**20:,.0f} MiB ({build_memory / 2**20:,.0f} MiB above the "
          f"interpreter's {child['rss_before'] / 2**20:,.0f} MiB); filter {filter_bytes / 2**20:,.1f} MiB; "
          f"input file {input_bytes / 2**20:,.0f} MiB")

    checks = [
        (f"at most {TARGET_BYTES_PER_ENTRY} bytes per entry", filter_per_entry <= TARGET_BYTES_PER_ENTRY),
        (f"false-positive rate at most {TARGET_FALSE_POSITIVE_RATE}", rate <= TARGET_FALSE_POSITIVE_RATE),
        (f"under {TARGET_MICROSECONDS:.0f} µs per lookup",
         max(filter_absent_us, filter_present_us, password_us) < TARGET_MICROSECONDS),
        (f"build memory at most the filter + {allowance >> 20} MiB", build_memory <= memory_limit),
        ("every present key found", filter_found == len(present)),
    ]
    missed = [name for name, ok in checks if not ok]
    for name, ok in checks:
        print(f"  {'met   ' if ok else 'MISSED'} {name}")
    return 1 if missed else 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.breached", description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=DEFAULT_ENTRIES,
                        help=f"hashes in the generated corpus (default {DEFAULT_ENTRIES:,})")
    parser.add_argument("--folder", help="where to put the temporary files (default: the system's temp folder)")
    args = parser.parse_args(argv)
    if args.entries < 1:
        parser.error("--entries must be at least 1")
    return run(args.entries, args.folder)


if __name__ == "__main__":
    sys.exit(main())
