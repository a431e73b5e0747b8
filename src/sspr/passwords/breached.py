"""Breached-password checks: an offline filter of the Pwned Passwords corpus, and the optional
online k-anonymity range check.

Offline filter
--------------
A blocked Bloom filter over the SHA-1 hashes in a Pwned Passwords download (lines
``SHA1HEX:COUNT``). The input is already a uniformly distributed hash, so the probe positions
are the SHA-1's own bits; nothing is rehashed. Let H be the 20-byte digest read as a big-endian
160-bit number:

- block  = ((H >> 128) * blocks) >> 32        the top 32 bits pick one of ``blocks`` blocks
- probe i = (H >> (11 * i)) & 0x7FF, 0 <= i < k  k bit positions, from the low 128 bits
- bit p of a block is bit (p & 7) of byte (p >> 3), i.e. bit p of the block read as a
  little-endian 2048-bit number.

Each block is 2048 bits (256 bytes, aligned, so one lookup touches one page of a file that is
never read whole). A block holds about 140 entries at ~15 bits per entry; the Poisson spread
of entries over blocks costs a little over a plain Bloom filter, and the sizing accounts for it
exactly (expected_false_positive_rate). At the default rate of 1 in 1,000 the filter takes
about 1.87 bytes per entry: 1.87 GB for a billion hashes.

File format (all integers little-endian), ``HEADER_SIZE`` bytes of header then the blocks:

    offset size
         0    8  magic b"SSPR-BPF"
         8    4  format version (1)
        12    4  header size in bytes (4096; the blocks start here)
        16    4  bits per block (2048)
        20    4  k, probes per entry
        24    8  number of blocks
        32    8  entries inserted
        40    8  capacity the filter was sized for (>= entries)
        48    8  false-positive rate asked for (float64)
        56    8  build time, Unix seconds
        64 ...   zero up to the header size

``open`` maps the file read-only (mmap): no load time, and the operating system keeps the pages
that lookups touch in its cache.

Building streams the input: the memory used is the filter itself plus the arrays for one
chunk of input (about 50 MB), never the file. Input in hash order (as downloaded) fills the blocks in
order, which the numpy build exploits; any order gives the same file.

Online check
------------
RangeCheck asks a Pwned Passwords range API for the 5 first hex characters of the SHA-1 and
looks for the other 35 in the answer, so only those 5 characters leave the server.
"""

import binascii
import hashlib
import http.client
import math
import mmap
import os
import re
import struct
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

MAGIC = b"SSPR-BPF"
VERSION = 1
HEADER_SIZE = 4096
HEADER = struct.Struct("<8sIIIIQQQdQ")
BLOCK_BITS = 2048
BLOCK_BYTES = BLOCK_BITS // 8
PROBE_BITS = 11  # log2(BLOCK_BITS)
PROBE_MASK = BLOCK_BITS - 1
MAX_PROBES = 128 // PROBE_BITS  # the top 32 of the 160 bits pick the block; probes use the rest
# Sized so the expected rate is 90% of the one asked for: a rate measured on a million absent
# keys varies by about 3% either way at 1 in 1,000, so the filter meets the target when measured.
DESIGN_MARGIN = 0.9
CHUNK_BYTES = 4 << 20  # parsing one takes about 12 times this in numpy arrays
LINE = re.compile(rb"[0-9A-Fa-f]{40}:[0-9]{1,20}\r?")
# The hex part, the colon, at most 20 digits and a carriage return: longer lines are malformed.
MAX_LINE = 40 + 1 + 20 + 1


class MalformedInput(ValueError):
    """A line of the corpus is not ``SHA1HEX:COUNT``; line_number counts from 1."""

    def __init__(self, message: str, line_number: int | None = None):
        super().__init__(message)
        self.line_number = line_number


class InvalidFilterFile(ValueError):
    """Not a filter file this version can read, or a truncated copy of one."""


class BreachCheckUnavailable(Exception):
    """The online check could not answer (timeout, connection refused, an error status or a
    garbled answer). The caller decides whether that accepts or refuses the password."""


def sha1_hex(password: str) -> str:
    """The corpus's key: uppercase hex SHA-1 of the password's UTF-8 bytes."""
    return hashlib.sha1(password.encode("utf-8"), usedforsecurity=False).hexdigest().upper()


# --- sizing -------------------------------------------------------------------------------

def expected_false_positive_rate(entries: int, blocks: int, k: int) -> float:
    """Probability that an absent key is reported present: the average over the Poisson
    number of entries j sharing its block of (1 - (1 - 1/B)^(k j))^k."""
    if entries == 0:
        return 0.0
    load = entries / blocks
    miss = 1.0 - 1.0 / BLOCK_BITS
    # Sum the Poisson terms outward from the mode in log space: no underflow at large loads.
    mode = int(load)
    total = 0.0
    for direction in (1, -1):
        j = mode if direction == 1 else mode - 1
        while j >= 0:
            weight = math.exp(j * math.log(load) - load - math.lgamma(j + 1))
            total += weight * (1.0 - miss ** (k * j)) ** k
            if weight < 1e-18 and abs(j - load) > 10:
                break
            j += direction
    return total


def plan(entries: int, false_positive_rate: float) -> tuple[int, int]:
    """(blocks, k): the smallest filter whose expected rate for `entries` is at most
    DESIGN_MARGIN times the rate asked for."""
    if not 1e-9 <= false_positive_rate < 1:
        raise ValueError("false_positive_rate must be between 1e-9 and 1")
    target = false_positive_rate * DESIGN_MARGIN
    entries = max(entries, 1)
    # Start from a plain Bloom filter's size and grow by 0.5% until the blocked one meets it.
    bits = entries * -math.log(target) / math.log(2) ** 2
    while True:
        blocks = max(1, math.ceil(bits / BLOCK_BITS))
        if blocks >= 1 << 32:  # the top 32 bits of the hash pick the block
            raise ValueError("too many entries for one filter")
        rate, k = min((expected_false_positive_rate(entries, blocks, k), k) for k in range(1, MAX_PROBES + 1))
        if rate <= target:
            return blocks, k
        bits *= 1.005


# --- the filter ---------------------------------------------------------------------------

class BreachedFilter:
    """An opened filter file. Lookups are pure Python over the mapped file."""

    def __init__(self, buffer, *, k: int, blocks: int, entries: int, capacity: int, false_positive_rate: float,
                 created: int, path: str | None = None):
        self._buffer = buffer
        self.k, self.blocks, self.entries, self.capacity = k, blocks, entries, capacity
        self.false_positive_rate = false_positive_rate  # as asked for at build time
        self.created, self.path = created, path
        self._contains = _lookup(buffer, blocks, k)

    # building

    @classmethod
    def build(cls, lines, path, expected_entries: int | None = None, false_positive_rate: float = 0.001,
              *, engine: str = "auto") -> "BreachedFilter":
        """Build a filter file at `path` from a Pwned Passwords corpus and open it.

        lines: a file name, a binary or text file, or any iterable of lines (str or bytes), each
          ``SHA1HEX:COUNT`` with or without CRLF. Any order works; hash order is fastest.
        expected_entries: the number of lines, which sizes the filter. When left out it is counted
          in a first pass over a file (a fast newline count; a one-pass iterable cannot be counted
          and needs it). Finding more lines than this is an error, since the filter would miss its
          false-positive rate; fewer only wastes space.
        engine: "numpy" (vectorised, the default when numpy is importable), or "python" (the same
          file, several times slower: the reference for the format).

        Every line is checked; the first malformed one (a truncated download ends in one) raises
        MalformedInput naming its line number, and leaves no file at `path`. The file is written
        beside `path` and renamed into place, so a process with the old filter open keeps it.
        """
        if engine == "auto":
            try:
                import numpy  # noqa: F401  (only asking whether it is installed)
                engine = "numpy"
            except ImportError:
                engine = "python"
        if engine not in ("numpy", "python"):
            raise ValueError("engine must be 'auto', 'numpy' or 'python'")
        if expected_entries is None:
            expected_entries = count_entries(lines)
        if expected_entries < 0:
            raise ValueError("expected_entries must not be negative")
        blocks, k = plan(expected_entries, false_positive_rate)
        fill = _fill_numpy if engine == "numpy" else _fill_python
        entries, bits = fill(_chunks(lines), blocks, k, expected_entries)
        if entries == 0:
            raise MalformedInput("the corpus has no entries", None)

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        header = HEADER.pack(MAGIC, VERSION, HEADER_SIZE, BLOCK_BITS, k, blocks, entries, expected_entries,
                             false_positive_rate, int(time.time()))
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(header.ljust(HEADER_SIZE, b"\0"))
                out.write(bits)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temporary, 0o644)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
        del bits
        return cls.open(path)

    # opening

    @classmethod
    def open(cls, path) -> "BreachedFilter":
        """Map a filter file read-only. Raises InvalidFilterFile for anything but a complete
        filter file of this format, and OSError if it cannot be read."""
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size < HEADER_SIZE:
                raise InvalidFilterFile(f"{path}: not a breached-password filter (too short)")
            buffer = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        try:
            magic, version, header_size, block_bits, k, blocks, entries, capacity, rate, created = \
                HEADER.unpack_from(buffer)
            if magic != MAGIC:
                raise InvalidFilterFile(f"{path}: not a breached-password filter")
            if version != VERSION or header_size != HEADER_SIZE or block_bits != BLOCK_BITS \
                    or not 1 <= k <= MAX_PROBES or not 1 <= blocks < 1 << 32:
                raise InvalidFilterFile(f"{path}: filter format version {version} (block {block_bits} bits, "
                                        f"k={k}) is not one this version reads; rebuild it")
            if size != HEADER_SIZE + blocks * BLOCK_BYTES:
                raise InvalidFilterFile(f"{path}: {size} bytes where the header promises "
                                        f"{HEADER_SIZE + blocks * BLOCK_BYTES}: an incomplete copy")
        except BaseException:
            buffer.close()
            raise
        if hasattr(mmap, "MADV_RANDOM"):
            buffer.madvise(mmap.MADV_RANDOM)  # each lookup reads one block: no read-ahead
        return cls(buffer, k=k, blocks=blocks, entries=entries, capacity=capacity, false_positive_rate=rate,
                   created=created, path=str(path))

    def close(self) -> None:
        self._buffer.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    # lookups

    def contains_sha1(self, sha1) -> bool:
        """Whether a SHA-1 (40 hex digits in either case, or the 20-byte digest) was in the
        corpus. False positives happen at about the rate the filter was built for; a hash that
        was in the corpus is always found."""
        if isinstance(sha1, str):
            sha1 = bytes.fromhex(sha1)
        elif len(sha1) == 40:
            sha1 = bytes.fromhex(sha1.decode("ascii"))
        if len(sha1) != 20:
            raise ValueError("a SHA-1 is 20 bytes or 40 hex digits")
        return self._contains(int.from_bytes(sha1, "big"))

    def is_breached(self, password: str) -> bool:
        """Whether the password (its UTF-8 bytes, exactly as typed) is in the corpus."""
        digest = hashlib.sha1(password.encode("utf-8"), usedforsecurity=False).digest()
        return self._contains(int.from_bytes(digest, "big"))

    @property
    def size_bytes(self) -> int:
        return HEADER_SIZE + self.blocks * BLOCK_BYTES

    @property
    def expected_false_positive_rate(self) -> float:
        """The rate expected for the entries actually inserted."""
        return expected_false_positive_rate(self.entries, self.blocks, self.k)

    def __repr__(self):
        return (f"<BreachedFilter {self.path}: {self.entries:,} entries, {self.size_bytes:,} bytes, k={self.k}, "
                f"expected false-positive rate {self.expected_false_positive_rate:.2e}>")


def _lookup(buffer, blocks: int, k: int):
    """The membership test for a digest given as a 160-bit number. A closure over locals: the
    lookup is the hot path, and attribute look-ups on self cost a third of its time."""
    shifts = tuple(PROBE_BITS * i for i in range(k))

    def contains(value: int, header=HEADER_SIZE, block_bytes=BLOCK_BYTES, mask=PROBE_MASK) -> bool:
        base = header + (((value >> 128) * blocks) >> 32) * block_bytes
        for shift in shifts:
            position = (value >> shift) & mask
            if not buffer[base + (position >> 3)] >> (position & 7) & 1:
                return False  # an absent key usually stops at the first or second probe
        return True

    return contains


# --- reading the corpus -------------------------------------------------------------------

def count_entries(lines) -> int:
    """The number of lines in a corpus given as a file name, a seekable file or a sized
    collection (the file is read once, counting newlines; a seekable file is rewound)."""
    if isinstance(lines, (str, os.PathLike)):
        with open(lines, "rb") as handle:
            return _count_lines(handle)
    if hasattr(lines, "read") and hasattr(lines, "seek") and lines.seekable():
        start = lines.tell()
        count = _count_lines(lines)
        lines.seek(start)
        return count
    if hasattr(lines, "__len__"):
        return len(lines)
    raise TypeError("expected_entries is needed when the corpus is a one-pass iterable")


def _count_lines(handle) -> int:
    count, last = 0, b"\n"
    while chunk := handle.read(CHUNK_BYTES):
        count += chunk.count(b"\n" if isinstance(chunk, bytes) else "\n")
        last = chunk[-1:]
    return count + (last not in (b"\n", "\n"))


def _chunks(lines):
    """Yield (number of the chunk's first line, bytes of whole lines each ending in a newline)."""
    if isinstance(lines, (str, os.PathLike)):
        with open(lines, "rb") as handle:
            yield from _chunks_of_file(handle)
    elif hasattr(lines, "read"):
        yield from _chunks_of_file(lines)
    else:
        yield from _chunks_of_lines(lines)


def _chunks_of_file(handle):
    line_number, tail = 1, b""
    while True:
        data = handle.read(CHUNK_BYTES)
        if isinstance(data, str):
            data = data.encode("utf-8")
        if not data:
            break
        data = tail + data
        cut = data.rfind(b"\n") + 1
        if cut == 0:
            tail = data
            if len(tail) > CHUNK_BYTES:  # no newline in a whole chunk: not a corpus
                raise MalformedInput(f"line {line_number}: {_describe(tail)}: not SHA1HEX:COUNT", line_number)
            continue
        tail = data[cut:]
        yield line_number, data[:cut]
        line_number += data.count(b"\n", 0, cut)
    if tail:
        yield line_number, tail + b"\n"


def _chunks_of_lines(lines):
    line_number, batch, size, lines_in_batch = 1, [], 0, 0
    for line in lines:
        if isinstance(line, str):
            line = line.encode("utf-8")
        if not line.endswith(b"\n"):
            line += b"\n"
        batch.append(line)
        size += len(line)
        lines_in_batch += 1
        if size >= CHUNK_BYTES:
            yield line_number, b"".join(batch)
            line_number += lines_in_batch
            batch, size, lines_in_batch = [], 0, 0
    if batch:
        yield line_number, b"".join(batch)


def _describe(line: bytes) -> str:
    shown = line[:60] + (b"..." if len(line) > 60 else b"")
    return repr(shown)[1:] if shown else "an empty line"


def _malformed(line_number: int, line: bytes) -> MalformedInput:
    return MalformedInput(f"line {line_number}: {_describe(line)}: not SHA1HEX:COUNT "
                          "(a truncated or damaged download? nothing was written)", line_number)


def _too_many(expected: int) -> MalformedInput:
    return MalformedInput(f"the corpus has more than the {expected:,} entries the filter was sized for; "
                          "leave the count out to have it counted", None)


def _fill_python(chunks, blocks: int, k: int, expected: int):
    """The filter's bits, one line at a time (the reference for the numpy build)."""
    bits = bytearray(blocks * BLOCK_BYTES)
    shifts = tuple(PROBE_BITS * i for i in range(k))
    entries = 0
    for first, chunk in chunks:
        lines = chunk.split(b"\n")
        lines.pop()  # every chunk ends in a newline
        for offset, line in enumerate(lines):
            if not LINE.fullmatch(line):
                raise _malformed(first + offset, line)
            value = int(line[:40], 16)
            base = (((value >> 128) * blocks) >> 32) * BLOCK_BYTES
            for shift in shifts:
                position = (value >> shift) & PROBE_MASK
                bits[base + (position >> 3)] |= 1 << (position & 7)
        entries += len(lines)
        if entries > expected:
            raise _too_many(expected)
    return entries, bits


def _fill_numpy(chunks, blocks: int, k: int, expected: int):
    """The same bits as _fill_python, a chunk of lines at a time. numpy is here because it turns
    the per-line Python work (about 6 µs a line: over an hour and a half for the billion-line
    corpus) into array operations (about 0.2 µs a line: minutes); lookups never need it."""
    import numpy as np

    digest_fields = np.dtype([("top", ">u4"), ("high", ">u8"), ("low", ">u8")])
    bits = np.zeros(blocks * BLOCK_BYTES, dtype=np.uint8)
    entries = 0
    for first, chunk in chunks:
        data = np.frombuffer(chunk + bytes(MAX_LINE), dtype=np.uint8)  # padded: every window fits
        ends = np.flatnonzero(data[:len(chunk)] == ord("\n"))
        starts = np.empty_like(ends)
        starts[0] = 0
        starts[1:] = ends[:-1] + 1
        lengths = ends - starts - ((data[ends - 1] == ord("\r")) & (ends > starts))  # without CR LF
        rows = np.lib.stride_tricks.sliding_window_view(data, MAX_LINE)[starts]  # one line a row

        # A line is good when 40 hex digits, a colon and 1-20 digits fill it exactly.
        hex_digits = np.ascontiguousarray(rows[:, :40])
        digit_run = np.argmin(rows[:, 41:] - np.uint8(ord("0")) < 10, axis=1)  # digits after the colon
        good = (rows[:, 40] == ord(":")) & (digit_run >= 1) & (digit_run + 41 == lengths)
        try:
            digest = binascii.a2b_hex(hex_digits.data)
        except binascii.Error:
            digest = None
            is_hex = np.zeros(256, dtype=bool)
            is_hex[list(b"0123456789ABCDEFabcdef")] = True
            good &= is_hex[hex_digits].all(axis=1)
        if digest is None or not good.all():
            bad = int(np.argmin(good))
            raise _malformed(first + bad, chunk[starts[bad]:ends[bad]])
        entries += len(starts)
        if entries > expected:
            raise _too_many(expected)

        fields = np.frombuffer(digest, dtype=digest_fields)
        block = (fields["top"].astype(np.uint64) * np.uint64(blocks)) >> np.uint64(32)
        high, low = fields["high"].astype(np.uint64), fields["low"].astype(np.uint64)
        first_block, last_block = int(block.min()), int(block.max())
        span = last_block - first_block + 1
        if span * BLOCK_BITS <= 64 * k * len(block):
            # Hash-ordered input: the chunk covers a narrow run of blocks. Set its bits in a
            # boolean window and pack that (no read-modify-write per bit).
            window = np.zeros(span * BLOCK_BITS, dtype=bool)
            base = ((block - np.uint64(first_block)) * np.uint64(BLOCK_BITS)).view(np.int64)
        else:
            window, base = None, (block * np.uint64(BLOCK_BITS)).view(np.int64)
        for i in range(k):
            shift = PROBE_BITS * i
            if shift + PROBE_BITS <= 64:
                field = low >> np.uint64(shift)
            elif shift >= 64:
                field = high >> np.uint64(shift - 64)
            else:  # straddles the two halves
                field = (low >> np.uint64(shift)) | (high << np.uint64(64 - shift))
            field &= np.uint64(PROBE_MASK)
            where = field.view(np.int64)
            where += base
            if window is not None:
                window[where] = True
            else:
                np.bitwise_or.at(bits, where >> 3, np.left_shift(1, where & 7).astype(np.uint8))
        if window is not None:
            bits[first_block * BLOCK_BYTES:(last_block + 1) * BLOCK_BYTES] |= np.packbits(window, bitorder="little")
    return entries, bits.data


# --- online range check -------------------------------------------------------------------

# The public Pwned Passwords range API (a base_url for RangeCheck; the config chooses).
PWNED_PASSWORDS_RANGE_URL = "https://api.pwnedpasswords.com/range/"
MAX_RESPONSE_BYTES = 4 << 20  # real answers are tens of KB; a larger one is not an answer


class RangeCheck:
    """The Pwned Passwords k-anonymity range protocol: GET {base_url}{5 hex characters} answers
    ``SUFFIX:COUNT`` lines for every hash with that prefix. Only the prefix leaves the server.

    With padding (the default) the request carries ``Add-Padding: true``, so the answer's size
    does not hint at the prefix; padding lines have a count of 0 and are ignored.
    """

    def __init__(self, base_url: str, timeout: float = 3.0, *, padding: bool = True,
                 user_agent: str = "OpenSSPR breached-password check"):
        self.base_url, self.timeout, self.padding, self.user_agent = base_url, timeout, padding, user_agent

    def is_breached(self, password: str) -> bool:
        return self.count(password) > 0

    def count(self, password: str) -> int:
        """How often the password appears in the corpus (0: not at all). Raises
        BreachCheckUnavailable when the service does not answer properly within the timeout."""
        digest = sha1_hex(password)
        prefix, suffix = digest[:5], digest[5:]
        for line in self._fetch(prefix).splitlines():
            if not line.strip():
                continue
            candidate, colon, count = line.strip().partition(":")
            if not colon or len(candidate) != 35 or not count.isdigit():
                raise BreachCheckUnavailable(f"range API: unexpected line {line[:80]!r}")
            if candidate.upper() == suffix and int(count) > 0:
                return int(count)
        return 0

    def _fetch(self, prefix: str) -> str:
        headers = {"User-Agent": self.user_agent}
        if self.padding:
            headers["Add-Padding"] = "true"
        request = urllib.request.Request(self.base_url + prefix, headers=headers)
        deadline = time.monotonic() + self.timeout
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                if response.status != 200:
                    raise BreachCheckUnavailable(f"range API answered {response.status}")
                body = bytearray()
                while chunk := response.read(65536):
                    body += chunk
                    if time.monotonic() > deadline:
                        raise BreachCheckUnavailable(f"range API: no complete answer within {self.timeout} s")
                    if len(body) > MAX_RESPONSE_BYTES:
                        raise BreachCheckUnavailable("range API: answer too large")
        except urllib.error.HTTPError as exc:
            raise BreachCheckUnavailable(f"range API answered {exc.code}") from None
        except urllib.error.URLError as exc:
            raise BreachCheckUnavailable(f"range API unreachable: {exc.reason}") from None
        except (OSError, http.client.HTTPException) as exc:  # timeouts while reading, resets
            raise BreachCheckUnavailable(f"range API failed: {str(exc) or type(exc).__name__}") from None
        try:
            return body.decode("ascii")
        except UnicodeDecodeError:
            raise BreachCheckUnavailable("range API: answer is not ASCII") from None
