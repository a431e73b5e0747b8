"""Forwarding to a SIEM: every event arrives at a local receiver as RFC 5424, parsed by a real
parser (syslog-rfc5424-parser), over UDP, TCP and TLS; a receiver that is down blocks nothing and
loses nothing in our own table."""

import socket
import ssl
import threading
import time

import pytest
from syslog_rfc5424_parser import SyslogMessage

from sspr.actors import Actor
from sspr.audit import syslog
from sspr.audit.models import AuditEvent, Outcome, Reason, Tag, record


class Receiver:
    """Listens on loopback; collects each message (octet-counted frames on TCP and TLS)."""

    def __init__(self, scheme, certs=None):
        self.messages, self.scheme = [], scheme
        kind = socket.SOCK_DGRAM if scheme == "udp" else socket.SOCK_STREAM
        self.sock = socket.socket(socket.AF_INET, kind)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.context = None
        if scheme == "tls":
            self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self.context.load_cert_chain(certs["server.pem"], certs["server.key"])
        if kind == socket.SOCK_STREAM:
            self.sock.listen()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        if self.scheme == "udp":
            while True:
                self.messages.append(self.sock.recv(65535).decode())
        conn, _ = self.sock.accept()
        if self.context:
            conn = self.context.wrap_socket(conn, server_side=True)
        buffer = b""
        while chunk := conn.recv(65535):
            buffer += chunk
            while b" " in buffer:
                length, rest = buffer.split(b" ", 1)
                if len(rest) < int(length):
                    break
                self.messages.append(rest[:int(length)].decode())
                buffer = rest[int(length):]

    def wait_for(self, count, seconds=5):
        deadline = time.monotonic() + seconds
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return [SyslogMessage.parse(message).as_dict() for message in self.messages]


def wrong_code():
    record(Actor.person("eli@district.example", client_ip="192.0.2.7"), Tag.VERIFY_FAILURE,
           subject="eli@district.example", outcome=Outcome.FAILURE, reason=Reason.WRONG_ANSWER,
           detail={"kind": "phone", "purpose": "reset", "note": 'quote " and ] bracket'})


@pytest.mark.parametrize("scheme", ["udp", "tcp", "tls"])
def test_every_event_arrives_as_rfc5424(db, configure, django_capture_on_commit_callbacks, certs, monkeypatch,
                                        scheme):
    receiver = Receiver(scheme, certs)
    monkeypatch.setattr(syslog, "tls_context", lambda: ssl.create_default_context(cafile=certs["ca.pem"]))
    host = "localhost" if scheme == "tls" else "127.0.0.1"
    configure(audit={"syslog": f"{scheme}://{host}:{receiver.port}"})
    with django_capture_on_commit_callbacks(execute=True):
        wrong_code()
        record(Actor.person("eli@district.example"), Tag.SIGNIN_SUCCESS, subject="eli@district.example")
    first, second = receiver.wait_for(2)
    assert (first["facility"], first["severity"], first["appname"], first["msgid"]) == (
        "authpriv", "warning", "sspr", "verify:failure")
    assert first["sd"]["sspr@32473"] == {"tag": "verify:failure", "outcome": "failure", "reason": "wrong_answer",
                                         "actor": "eli@district.example", "role": "person",
                                         "subject": "eli@district.example", "ip": "192.0.2.7"}
    # RFC 5424 escapes " \ and ] inside a value; the parser hands values back as written.
    assert first["sd"]["detail@32473"] == {"kind": "phone", "purpose": "reset", "note": 'quote \\" and \\] bracket'}
    assert first["msg"].lstrip("\ufeff") == "Identity verification failed: eli@district.example (failure, wrong_answer)"
    assert (second["severity"], second["msgid"]) == ("notice", "signin:success")


def test_nothing_is_sent_for_a_rolled_back_event(db, configure, django_capture_on_commit_callbacks):
    receiver = Receiver("udp")
    configure(audit={"syslog": f"udp://127.0.0.1:{receiver.port}"})
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        wrong_code()
    assert len(callbacks) == 1  # waits for the commit; a rollback drops it
    assert receiver.wait_for(1, seconds=0.3) == []


def test_a_receiver_that_is_down_blocks_nothing_and_loses_nothing(db, configure, django_capture_on_commit_callbacks):
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nobody listens there
    configure(audit={"syslog": f"tcp://192.0.2.1:{port}", "syslog_timeout": 3.0})  # a black hole, too
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            wrong_code()
    assert time.monotonic() - started < 0.5
    assert AuditEvent.objects.filter(tag=Tag.VERIFY_FAILURE).count() == 5


def test_a_bad_address_is_refused_by_the_configuration(configure):
    from pydantic import ValidationError
    with pytest.raises(ValidationError, match="is not udp://host:port"):
        configure(audit={"syslog": "http://siem:514"})
