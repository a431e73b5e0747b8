"""Real servers the delivery tests talk to over loopback: an SMTP server (aiosmtpd, STARTTLS,
sign-in) and HTTP servers speaking Twilio's REST API and a generic gateway's. They are fakes only
in that nothing leaves the machine: our code reaches them over real sockets, exactly as it would
reach the providers."""

import base64
import json
import secrets
import socket
import ssl
import subprocess
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

SMTP_USER, SMTP_PASSWORD = "portal@district.example", "smtp-pass-5bd3c1"
TWILIO_SID = "AC" + "0123456789abcdef" * 2
TWILIO_TOKEN = "twilio-token-9f8e7d6c5b4a"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- certificates ---------------------------------------------------------------------------


def make_certificates(folder: Path) -> dict[str, Path]:
    """A throwaway CA and a server certificate for 127.0.0.1/localhost that it signs, plus a
    second self-signed one that nobody trusts."""
    def openssl(*args):
        subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)

    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
    openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=Test District CA",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    openssl("req", *ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost")
    (folder / "server.ext").write_text(
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n"
        "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n"
        "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid,issuer\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "server.pem", "-days", "2", "-extfile", "server.ext")
    openssl("req", "-x509", *ec, "-keyout", "rogue.key", "-out", "rogue.pem", "-days", "2", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost")
    return {name: folder / name for name in ("ca.pem", "server.pem", "server.key", "rogue.pem", "rogue.key")}


def server_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


# -- SMTP -----------------------------------------------------------------------------------


@dataclass
class Received:
    sender: str
    recipients: list[str]
    raw: bytes
    tls: bool
    login: str | None

    @property
    def message(self):
        return message_from_bytes(self.raw, policy=policy.default)


class MailHandler:
    def __init__(self):
        self.received: list[Received] = []
        self.refuse = {}  # recipient -> SMTP reply

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        login = session.auth_data.login.decode() if session.authenticated and session.auth_data else None
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content,
                                      server.transport.get_extra_info("ssl_object") is not None, login))
        return "250 Message accepted"


def _authenticator(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == SMTP_USER.encode() and auth_data.password == SMTP_PASSWORD.encode()
    return AuthResult(success=ok, handled=False, auth_data=auth_data)


class MailServer:
    def __init__(self, certs, *, implicit_tls=False, rogue=False):
        cert, key = (certs["rogue.pem"], certs["rogue.key"]) if rogue else (certs["server.pem"], certs["server.key"])
        context = server_context(cert, key)
        self.handler = MailHandler()
        self.port = free_port()
        options = {"authenticator": _authenticator, "auth_required": True, "auth_require_tls": True}
        if implicit_tls:
            # aiosmtpd counts only STARTTLS as TLS when offering AUTH; this connection is TLS throughout.
            options["auth_require_tls"] = False
            self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, ssl_context=context,
                                         server_hostname="localhost", **options)
        else:
            self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, tls_context=context,
                                         require_starttls=True, **options)
        self.controller.start()

    @property
    def received(self):
        return self.handler.received

    def stop(self):
        self.controller.stop()


# -- HTTP -----------------------------------------------------------------------------------


@dataclass
class Request:
    method: str
    path: str
    query: dict
    headers: dict
    body: bytes

    @property
    def form(self) -> dict:
        return {key: values[0] for key, values in parse_qs(self.body.decode(), keep_blank_values=True).items()}

    @property
    def json(self):
        return json.loads(self.body)

    @property
    def basic_auth(self) -> tuple[str, str] | None:
        value = self.headers.get("authorization", "")
        if not value.startswith("Basic "):
            return None
        user, _, password = base64.b64decode(value[6:]).decode().partition(":")
        return user, password


@dataclass
class Reply:
    status: int = 200
    body: dict | str = field(default_factory=dict)
    delay: float = 0
    headers: dict = field(default_factory=dict)


class HttpServer:
    """Records every request; answers from a script of replies, then with answer(). With an
    ssl.SSLContext, it speaks HTTPS (the providers' real APIs are only reached over TLS)."""

    def __init__(self, context: ssl.SSLContext | None = None):
        self.requests: list[Request] = []
        self.script: list[Reply] = []
        self.arrived = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _handle(self):
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                request = Request(self.command, parts.path, parse_qs(parts.query),
                                  {k.lower(): v for k, v in self.headers.items()}, self.rfile.read(length))
                outer.requests.append(request)
                outer.arrived.set()
                reply = outer.script.pop(0) if outer.script else outer.answer(request)
                if reply.delay:
                    time.sleep(reply.delay)
                body = reply.body if isinstance(reply.body, str) else json.dumps(reply.body)
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body.encode())))
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(body.encode())
                except OSError:
                    pass  # the client gave up waiting

            do_GET = do_POST = do_PUT = do_PATCH = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        if context is not None:
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        scheme = "https" if context is not None else "http"
        self.url = f"{scheme}://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True).start()

    def answer(self, request: Request) -> Reply:
        return Reply(200, {"id": "gw-" + secrets.token_hex(4)})

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def twilio_error(status: int, code: int, message: str) -> Reply:
    """Twilio's documented error body."""
    return Reply(status, {"code": code, "message": message,
                          "more_info": f"https://www.twilio.com/docs/errors/{code}", "status": status})


class TwilioServer(HttpServer):
    """Twilio's REST API 2010-04-01 as documented: basic auth with the account SID and token,
    form-encoded POSTs to Messages.json and Calls.json, JSON answers and error bodies."""

    # Numbers that Twilio refuses, with its documented codes.
    refused = {
        "+12025550111": (400, 21610, "Attempt to send to unsubscribed recipient"),
        "+12025550112": (400, 21211, "The 'To' number +12025550112 is not a valid phone number."),
        "+12025550113": (400, 21408, "Permission to send an SMS has not been enabled for the region indicated by "
                                     "the 'To' number: +12025550113."),
    }

    def answer(self, request: Request) -> Reply:
        if request.basic_auth != (TWILIO_SID, TWILIO_TOKEN):
            return twilio_error(401, 20003, "Authenticate")
        base = f"/2010-04-01/Accounts/{TWILIO_SID}"
        if request.method == "GET" and request.path == base + ".json":
            return Reply(200, {"sid": TWILIO_SID, "status": "active"})
        resource = {base + "/Messages.json": "SM", base + "/Calls.json": "CA"}.get(request.path)
        if request.method != "POST" or resource is None:
            return twilio_error(404, 20404, "The requested resource was not found")
        form = request.form
        if form.get("To") in self.refused:
            return twilio_error(*self.refused[form["To"]])
        sid = resource + secrets.token_hex(16)
        return Reply(201, {"sid": sid, "account_sid": TWILIO_SID, "to": form.get("To"), "from": form.get("From"),
                           "status": "queued"})
