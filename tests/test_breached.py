"""The offline breached-password filter, `sspr breached build`, and the online range check
against a real HTTP server on 127.0.0.1."""

import hashlib
import mmap
import random
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from sspr.passwords.breached import (
    HEADER_SIZE,
    BreachCheckUnavailable,
    BreachedFilter,
    InvalidFilterFile,
    MalformedInput,
    RangeCheck,
    sha1_hex,
)

ENTRIES = 20_000
ABSENT_KEYS = 200_000
# numpy is a pinned dependency: both build engines are always tested.
ENGINES = ["python", "numpy"]


def passwords(count=ENTRIES):
    return [f"Breached passphrase number {n}!" for n in range(count)]


def corpus_lines(words, *, sort=True, newline="\r\n"):
    hashes = [sha1_hex(word) for word in words]
    if sort:
        hashes.sort()
    counts = random.Random(3)
    return [f"{digest}:{counts.randint(1, 250_000)}{newline}" for digest in hashes]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """A Pwned-Passwords-style file (sorted, uppercase, CRLF) and the passwords in it."""
    folder = tmp_path_factory.mktemp("corpus")
    words = passwords()
    path = folder / "pwned-passwords-sha1.txt"
    path.write_text("".join(corpus_lines(words)), newline="")
    return path, words


@pytest.fixture(scope="module")
def built(corpus, tmp_path_factory):
    path, _ = corpus
    breached = BreachedFilter.build(path, tmp_path_factory.mktemp("filter") / "breached.filter")
    yield breached
    breached.close()


def test_it_finds_every_inserted_password(built, corpus):
    _, words = corpus
    assert built.entries == ENTRIES
    assert all(built.is_breached(word) for word in words)
    assert all(built.contains_sha1(sha1_hex(word).lower()) for word in words[:100])
    assert all(built.contains_sha1(hashlib.sha1(word.encode()).digest()) for word in words[:100])


def test_it_has_a_false_positive_rate_of_about_one_in_a_thousand(built):
    absent = random.Random(7)
    false_positives = sum(built.contains_sha1(absent.randbytes(20)) for _ in range(ABSENT_KEYS))
    assert false_positives / ABSENT_KEYS <= 0.0015
    assert built.expected_false_positive_rate <= 0.001
    assert (built.size_bytes - HEADER_SIZE) / built.entries <= 2


def test_it_reopens_the_file_through_mmap(built):
    with BreachedFilter.open(built.path) as reopened:
        assert isinstance(reopened._buffer, mmap.mmap)
        assert (reopened.entries, reopened.blocks, reopened.k) == (built.entries, built.blocks, built.k)
        assert reopened.false_positive_rate == 0.001
        assert reopened.is_breached("Breached passphrase number 123!")


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("bad_line, line_number", [
    ("0123456789ABCDEF0123456789ABCDEF0123:12\r\n", 501),           # hash cut short
    ("0123456789ABCDEF0123456789ABCDEF0123456G:12\n", 501),        # not hex
    ("0123456789ABCDEF0123456789ABCDEF01234567\n", 501),           # no count
    ("0123456789ABCDEF0123456789ABCDEF01234567:\n", 501),          # empty count
    ("0123456789ABCDEF0123456789ABCDEF01234567:12:3\n", 501),      # extra field
    ("0123456789ABCDEF0123456789ABCDEF01234567 :12\n", 501),       # stray space
    ("\r\n", 501),                                                 # blank line
    ("0123456789ABCDEF0123456789ABCDEF01234567:123456789012345678901\n", 501),  # count too long
])
def test_it_names_the_line_number_of_a_malformed_line(tmp_path, engine, bad_line, line_number):
    lines = corpus_lines(passwords(1000))
    lines.insert(line_number - 1, bad_line)
    source = tmp_path / "corpus.txt"
    source.write_text("".join(lines), newline="")
    output = tmp_path / "breached.filter"
    with pytest.raises(MalformedInput, match=f"^line {line_number}: ") as caught:
        BreachedFilter.build(source, output, engine=engine)
    assert caught.value.line_number == line_number
    assert not output.exists() and list(tmp_path.iterdir()) == [source]  # no partial filter left


@pytest.mark.parametrize("engine", ENGINES)
def test_it_refuses_a_download_cut_off_mid_line(tmp_path, engine):
    text = "".join(corpus_lines(passwords(3000)))
    cut = text.index("\n", len(text) // 2) + 1 + 20  # 20 hex digits into a line
    source = tmp_path / "corpus.txt"
    source.write_text(text[:cut], newline="")
    with pytest.raises(MalformedInput) as caught:
        BreachedFilter.build(source, tmp_path / "breached.filter", engine=engine)
    assert caught.value.line_number == text[:cut].count("\n") + 1


def test_it_builds_the_same_bits_with_numpy_as_in_pure_python(tmp_path):
    sorted_lines = corpus_lines(passwords(5000), newline="\n")
    shuffled = sorted_lines[:]
    random.Random(1).shuffle(shuffled)  # out of order: the other numpy path
    reference = BreachedFilter.build(sorted_lines, tmp_path / "python.filter", engine="python")
    for name, lines in [("sorted", sorted_lines), ("shuffled", shuffled)]:
        other = BreachedFilter.build(lines, tmp_path / f"{name}.filter", engine="numpy")
        assert (other.k, other.blocks, other.entries) == (reference.k, reference.blocks, reference.entries)
        assert other._buffer[HEADER_SIZE:] == reference._buffer[HEADER_SIZE:], name


def test_it_counts_the_lines_when_not_told_and_refuses_more_than_it_was_told(tmp_path, corpus):
    path, words = corpus
    with path.open("rb") as handle:
        counted = BreachedFilter.build(handle, tmp_path / "counted.filter")
    assert counted.capacity == counted.entries == ENTRIES
    with pytest.raises(TypeError, match="expected_entries"):
        BreachedFilter.build(iter(corpus_lines(words[:10])), tmp_path / "generator.filter")
    with pytest.raises(MalformedInput, match="more than the 1,000 entries"):
        BreachedFilter.build(path, tmp_path / "small.filter", expected_entries=1000)
    with pytest.raises(MalformedInput, match="no entries"):
        BreachedFilter.build([], tmp_path / "empty.filter")


def test_it_refuses_a_truncated_or_foreign_filter_file(built, tmp_path):
    whole = Path(built.path).read_bytes()
    (tmp_path / "cut.filter").write_bytes(whole[:len(whole) - 256])
    with pytest.raises(InvalidFilterFile, match="incomplete copy"):
        BreachedFilter.open(tmp_path / "cut.filter")
    (tmp_path / "other.filter").write_bytes(b"not a filter".ljust(HEADER_SIZE + 256, b"\0"))
    with pytest.raises(InvalidFilterFile, match="not a breached-password filter"):
        BreachedFilter.open(tmp_path / "other.filter")


def test_a_rebuild_replaces_the_file_while_an_open_filter_keeps_working(tmp_path):
    target = tmp_path / "breached.filter"
    old = BreachedFilter.build(corpus_lines(["Old leaked passphrase!"] * 3), target)
    new = BreachedFilter.build(corpus_lines(["New leaked passphrase!"] * 3), target)
    assert old.is_breached("Old leaked passphrase!") and new.is_breached("New leaked passphrase!")
    assert not new.is_breached("Old leaked passphrase!")


def test_sspr_breached_build_reports_entries_size_and_time(corpus, tmp_path, capsys):
    path, words = corpus
    output = tmp_path / "var" / "breached-passwords.filter"
    call_command("breached", "build", str(path), "--output", str(output), "--false-positive-rate", "0.001")
    printed = capsys.readouterr().out
    assert f"{ENTRIES:,} entries" in printed and "bytes per entry" in printed and " s\n" in printed
    with BreachedFilter.open(output) as built:
        assert built.is_breached(words[0])

    bad = tmp_path / "bad.txt"
    bad.write_text("".join(path.read_bytes().decode().splitlines(keepends=True)[:104]) + "nonsense\n", newline="")
    with pytest.raises(CommandError, match="line 105: 'nonsense'"):
        call_command("breached", "build", str(bad), "--output", str(tmp_path / "bad.filter"))


# --- the online range check -------------------------------------------------------------

BREACHED = "Tr0ub4dor&3 is a classic"
PADDED_ONLY = "Only in the padding, never breached"


class RangeServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), RangeHandler)
        self.requests = []  # (path, headers, raw request line)
        self.mode = "ok"
        self.release = threading.Event()
        self.corpus = {sha1_hex(BREACHED): 52_256}
        self.padding = {sha1_hex(PADDED_ONLY)}  # served with count 0, as padding is

    def handle_error(self, request, client_address):
        pass  # the slow test's client has gone by the time its answer is written

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self.server_address[1]}/range/"


class RangeHandler(BaseHTTPRequestHandler):
    def do_GET(self):
        server = self.server
        server.requests.append((self.path, dict(self.headers), self.requestline))
        if server.mode == "slow":
            server.release.wait(5)
        if server.mode == "unavailable":
            self.send_error(503, "Service Unavailable")
            return
        prefix = self.path.rsplit("/", 1)[-1]
        lines = [f"{digest[5:]}:{count}" for digest, count in server.corpus.items() if digest.startswith(prefix)]
        lines.append(f"{'0' * 30}ABCDE:17")  # another hash with the same prefix
        if self.headers.get("Add-Padding") == "true":
            lines += [f"{digest[5:]}:0" for digest in server.padding if digest.startswith(prefix)]
            lines += [f"{n:035X}:0" for n in range(800)]
        body = "\r\n".join(lines).encode("ascii")
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def range_server(monkeypatch):
    for name in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    server = RangeServer()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()


def test_the_range_check_finds_a_breached_password_and_sends_only_the_prefix(range_server):
    check = RangeCheck(range_server.base_url, timeout=5)
    assert check.is_breached(BREACHED)
    assert check.count(BREACHED) == 52_256
    digest = sha1_hex(BREACHED)
    path, headers, request_line = range_server.requests[0]
    assert path == "/range/" + digest[:5]
    assert headers["Add-Padding"] == "true"
    sent = (request_line + repr(headers)).upper()
    assert digest[5:] not in sent and digest[5:15] not in sent  # nothing past the prefix left


def test_the_range_check_ignores_padding_entries(range_server):
    check = RangeCheck(range_server.base_url, timeout=5)
    assert not check.is_breached(PADDED_ONLY)  # its suffix is in the answer, with count 0
    assert not check.is_breached("A passphrase nobody has leaked yet!")
    assert len(range_server.requests) == 2


def test_the_range_check_is_unavailable_when_the_server_is_slow(range_server):
    range_server.mode = "slow"
    check = RangeCheck(range_server.base_url, timeout=0.5)
    started = time.monotonic()
    with pytest.raises(BreachCheckUnavailable):
        check.is_breached(BREACHED)
    assert time.monotonic() - started < 3


def test_the_range_check_is_unavailable_on_an_error_status(range_server):
    range_server.mode = "unavailable"
    with pytest.raises(BreachCheckUnavailable, match="503"):
        RangeCheck(range_server.base_url, timeout=5).is_breached(BREACHED)


def test_the_range_check_is_unavailable_when_nothing_listens(range_server):
    url = range_server.base_url
    range_server.shutdown()
    range_server.server_close()
    with pytest.raises(BreachCheckUnavailable, match="unreachable"):
        RangeCheck(url, timeout=2).is_breached(BREACHED)
