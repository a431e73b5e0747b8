"""Forwarding the audit trail to a SIEM: each event as an RFC 5424 syslog message with structured
data, over UDP, TCP or TLS (`[audit] syslog`). TCP and TLS frame messages by octet counting
(RFC 6587, RFC 5425).

Best effort, and never in the way: an event is forwarded only after its transaction commits (so a
rolled-back event is never reported), by handing it to one background thread through a bounded
queue. A receiver that is down or slow costs that thread its bounded timeout, never a request; when
the queue is full the newest events are not forwarded (and a warning says how many). Our own table
always has every event."""

import contextlib
import logging
import os
import queue
import socket
import ssl
import threading
from datetime import UTC

from django.conf import settings
from django.db import transaction

log = logging.getLogger("sspr.audit.syslog")

FACILITY = 10            # authpriv: security and authorization messages
SEVERITY = {"success": 5, "started": 6, "failure": 4, "refused": 4, "error": 3}  # notice, info, warning, err
SD_ID = "sspr@32473"     # 32473: the enterprise number RFC 5612 reserves for examples and documentation
DETAIL_ID = "detail@32473"
QUEUE_SIZE = 10_000


def _sd_value(value) -> str:
    text = "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("]", "\\]")


def _sd_name(key: str) -> str:
    name = "".join(ch for ch in key if 33 <= ord(ch) <= 126 and ch not in '= ]"')
    return name[:32] or "_"


def _header_field(text: str, limit: int) -> str:
    field = "".join(ch for ch in text if 33 <= ord(ch) <= 126)[:limit]
    return field or "-"


def format_event(event, *, hostname: str | None = None) -> bytes:
    """One event as an RFC 5424 message."""
    pri = FACILITY * 8 + SEVERITY.get(event.outcome, 5)
    moment = event.created_at.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
    host = _header_field(hostname or socket.gethostname(), 255)
    params = {"tag": event.tag, "outcome": event.outcome, "reason": event.reason, "actor": event.actor,
              "role": event.actor_role, "subject": event.subject, "ip": event.client_ip or ""}
    sd = "[" + SD_ID + "".join(f' {name}="{_sd_value(value)}"' for name, value in params.items()) + "]"
    if event.detail:
        sd += "[" + DETAIL_ID + "".join(f' {_sd_name(key)}="{_sd_value(value)}"'
                                        for key, value in sorted(event.detail.items())) + "]"
    words = str(event.get_tag_display())
    if event.subject:
        words += f": {event.subject}"
    if event.outcome != "success":
        words += f" ({event.outcome}{', ' + event.reason if event.reason else ''})"
    header = f"<{pri}>1 {moment} {host} sspr {os.getpid()} {_header_field(event.tag, 32)} {sd} "
    return header.encode() + b"\xef\xbb\xbf" + words.encode()


def tls_context() -> ssl.SSLContext:
    """The receiver's certificate is checked against the system's trusted authorities."""
    return ssl.create_default_context()


class Sender:
    """One destination, one connection kept open (TCP, TLS) and reopened after a failure."""

    def __init__(self, address: str, timeout: float):
        scheme, _, rest = address.partition("://")
        host, _, port = rest.rpartition(":")
        self.scheme, self.host, self.port, self.timeout = scheme, host.strip("[]"), int(port), timeout
        self.sock: socket.socket | None = None

    def _connect(self) -> socket.socket:
        if self.scheme == "udp":
            family = socket.getaddrinfo(self.host, self.port, type=socket.SOCK_DGRAM)[0][0]
            sock = socket.socket(family, socket.SOCK_DGRAM)
            sock.settimeout(self.timeout)
            sock.connect((self.host, self.port))
            return sock
        sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
        if self.scheme == "tls":
            sock = tls_context().wrap_socket(sock, server_hostname=self.host)
        return sock

    def send(self, message: bytes) -> None:
        data = message if self.scheme == "udp" else str(len(message)).encode() + b" " + message
        for attempt in (1, 2):  # a kept connection may have been closed by the receiver: one more try
            try:
                if self.sock is None:
                    self.sock = self._connect()
                self.sock.sendall(data)
                return
            except OSError:
                self.close()
                if attempt == 2:
                    raise

    def close(self) -> None:
        if self.sock is not None:
            with contextlib.suppress(OSError):
                self.sock.close()
            self.sock = None


class Forwarder:
    def __init__(self):
        self.queue: queue.Queue = queue.Queue(maxsize=QUEUE_SIZE)
        self.thread: threading.Thread | None = None
        self.lock = threading.Lock()
        self.dropped = 0

    def submit(self, address: str, timeout: float, message: bytes) -> None:
        try:
            self.queue.put_nowait((address, timeout, message))
        except queue.Full:
            self.dropped += 1
            if self.dropped % 1000 == 1:
                log.warning("syslog forwarding is behind: %d audit events not forwarded so far", self.dropped)
            return
        with self.lock:
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._run, name="sspr-syslog", daemon=True)
                self.thread.start()

    def _run(self) -> None:
        senders: dict[tuple[str, float], Sender] = {}
        while True:
            address, timeout, message = self.queue.get()
            sender = senders.setdefault((address, timeout), Sender(address, timeout))
            try:
                sender.send(message)
            except (OSError, ValueError) as exc:
                log.warning("syslog forwarding to %s failed: %s", address, exc)
            finally:
                self.queue.task_done()


FORWARDER = Forwarder()


def forward(event) -> None:
    """Queue the event for the SIEM once its transaction commits, when `[audit] syslog` is set."""
    config = settings.CONFIG.audit
    if not config.syslog:
        return
    try:
        message = format_event(event)
    except Exception:  # never let forwarding break the action being recorded
        log.exception("audit event %s could not be formatted for syslog", event.pk)
        return
    transaction.on_commit(lambda: FORWARDER.submit(config.syslog, config.syslog_timeout, message))
