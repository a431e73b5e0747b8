"""Connections to the directory servers: TLS with certificate checks, failover across
directory.uris, pooling and timeouts, and running an operation as the service account or as a
person.

python-ldap is imported here, and this package only when directory.backend is "ldap" or "ad",
so a deployment on the embedded directory never needs it: it is the optional extra
`opensspr[ldap]` (it compiles against the OpenLDAP and SASL headers). Without it the back-ends
still load, every operation raises DirectoryUnavailable, and check() says how to install it.
The other modules of this package take `ldap` from here, so there is one answer to "is it there".
"""

import contextlib
import logging
import os
import socket
import ssl
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from urllib.parse import urlsplit

from ..base import DirectoryUnavailable
from .settings import LdapSettings

try:
    import ldap
    import ldap.dn
    import ldap.filter
    from ldap.controls import DecodeControlTuples
except ImportError:  # see the module docstring
    ldap = None

log = logging.getLogger("sspr.directory")

INSTALL_HINT = (
    'directory.backend = "{backend}" needs the python-ldap package, which is not installed: run '
    "pip install 'opensspr[ldap]' (it compiles, so first install the OpenLDAP and SASL headers: "
    "apt-get install libldap2-dev libsasl2-dev on Debian and Ubuntu)"
)
# Idle connections kept per pool; more are opened under load and closed when given back.
POOL_SIZE = 4
# A server that failed is tried after the others for this long (it is still tried when all fail).
DOWN_SECONDS = 30
# RFC 4511 ExtendedRequest for StartTLS (RFC 4513), message ID 1: used by the TLS diagnosis only.
START_TLS_REQUEST = bytes.fromhex("301d02010177188016") + b"1.3.6.1.4.1.1466.20037"

Result = TypeVar("Result")


class ServiceAccountRefused(DirectoryUnavailable):
    """The server refused the service account something it needs (bind, a right on an entry):
    a configuration problem that `sspr check` names. People are asked to try again later."""


def missing_library(backend: str) -> str | None:
    """What to install, when python-ldap is not there; None when it is."""
    return INSTALL_HINT.format(backend=backend) if ldap is None else None


def unreachable_errors() -> tuple[type[Exception], ...]:
    """python-ldap's errors meaning that no answer came: the server is down, unreachable or hung."""
    return (ldap.SERVER_DOWN, ldap.CONNECT_ERROR, ldap.TIMEOUT)


def describe(exc: Exception) -> str:
    """One line for an LDAP error, for logs and check messages (never shown to end users)."""
    if ldap is not None and isinstance(exc, ldap.LDAPError) and exc.args and isinstance(exc.args[0], dict):
        details = exc.args[0]
        text = details.get("desc", type(exc).__name__)
        info = details.get("info")
        if info:
            text += f": {info}" if isinstance(info, str) else f": {info!r}"
        return text.strip()
    return f"{type(exc).__name__}: {exc}"


def diagnostic(exc: Exception) -> str:
    """The server's diagnostic message of an LDAP error ("" when it sent none)."""
    details = exc.args[0] if exc.args and isinstance(exc.args[0], dict) else {}
    info = details.get("info", "")
    return info.decode("utf-8", "replace") if isinstance(info, bytes) else str(info)


def response_controls(exc: Exception) -> list:
    """The decoded response controls carried by an LDAP error (ppolicy answers arrive this way)."""
    details = exc.args[0] if exc.args and isinstance(exc.args[0], dict) else {}
    try:
        return DecodeControlTuples(details.get("ctrls") or [])
    except Exception:  # an undecodable control is the server's problem; the result code still counts
        log.warning("undecodable response control in %s", describe(exc))
        return []


class Link:
    """One connection to one server. `answered` says whether the server has answered anything
    since it was taken from the pool, which tells a stale pooled connection (safe to retry on a
    new one) from one that failed in the middle of an operation (not safe to repeat)."""

    def __init__(self, conn, uri: str):
        self.conn, self.uri, self.answered, self.pid = conn, uri, False, os.getpid()
        # The first bind's outcome on a new user connection: (response controls, error or None).
        self.bind_result: tuple[list, Exception | None] = ([], None)

    def call(self, method: str, *args, **kwargs):
        try:
            result = getattr(self.conn, method)(*args, **kwargs)
        except unreachable_errors():
            raise
        except ldap.LDAPError:
            self.answered = True
            raise
        # Sending a request (simple_bind, search_ext) succeeds on a connection the server has
        # closed; only a result read back proves it answered.
        if method.endswith("_s") or method.startswith("result"):
            self.answered = True
        return result

    def close(self) -> None:
        with contextlib.suppress(Exception):  # closing a dead connection can only fail; nothing is lost
            self.conn.unbind_ext_s()


def bind(link: Link, dn: str, password: str, controls: Sequence = ()) -> tuple[list, Exception | None]:
    """Simple bind; (response controls, None) or (controls sent with the error, the error)."""
    try:
        msgid = link.call("simple_bind", dn, password, serverctrls=list(controls) or None)
        _, _, _, controls_back = link.call("result3", msgid, all=1, timeout=link.conn.timeout)
        return controls_back, None
    except unreachable_errors():
        raise
    except ldap.LDAPError as exc:
        return response_controls(exc), exc


class Pool:
    """Idle connections for reuse. Never shared across a fork: gunicorn workers each open their own."""

    def __init__(self, size: int = POOL_SIZE):
        self.size, self._lock, self._pid = size, threading.Lock(), os.getpid()
        self._idle: list[Link] = []

    def take(self) -> Link | None:
        with self._lock:
            if self._pid != os.getpid():  # inherited from the parent process: not ours to use
                self._idle, self._pid = [], os.getpid()
            return self._idle.pop() if self._idle else None

    def give(self, link: Link) -> None:
        with self._lock:
            if link.pid == os.getpid() and self._pid == link.pid and len(self._idle) < self.size:
                self._idle.append(link)
                return
        link.close()

    def clear(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for link in idle:
            link.close()

    def __len__(self) -> int:
        return len(self._idle)


class Servers:
    """directory.uris, tried in order, with a server that just failed moved to the end for a while."""

    def __init__(self, settings: LdapSettings):
        self.settings = settings
        self._down: dict[str, float] = {}

    def order(self) -> list[str]:
        now = time.monotonic()
        uris = list(self.settings.uris)
        return sorted(uris, key=lambda uri: self._down.get(uri, 0) > now - DOWN_SECONDS)

    def initialize(self, uri: str):
        """A connection object for uri with our TLS and timeout settings (StartTLS done)."""
        settings = self.settings
        if uri.lower().startswith("ldaps://"):
            self.tls_answers(uri)
        conn = ldap.initialize(uri)
        conn.set_option(ldap.OPT_PROTOCOL_VERSION, 3)
        # AD answers searches from the domain root with referrals; never follow them with our credentials.
        conn.set_option(ldap.OPT_REFERRALS, 0)
        conn.set_option(ldap.OPT_NETWORK_TIMEOUT, settings.timeout)
        conn.set_option(ldap.OPT_TIMEOUT, settings.timeout)
        conn.set_option(ldap.OPT_X_TLS_REQUIRE_CERT, ldap.OPT_X_TLS_DEMAND)
        if settings.ca_file:
            conn.set_option(ldap.OPT_X_TLS_CACERTFILE, settings.ca_file)
        conn.set_option(ldap.OPT_X_TLS_NEWCTX, 0)  # last: makes the TLS options above take effect
        conn.timeout = settings.timeout  # python-ldap's own wait for each synchronous result
        if settings.start_tls and uri.lower().startswith("ldap://"):
            conn.start_tls_s()
        return conn

    def tls_answers(self, uri: str) -> None:
        """Raise SERVER_DOWN unless the server completes a TLS handshake within the timeout.

        libldap (2.5, GnuTLS) ignores its timeouts during the TLS handshake of an ldaps://
        connection: a server that accepts TCP and then never answers -- frozen, overloaded,
        half-dead -- holds the request forever, spinning a CPU. So each new ldaps connection
        first shakes hands here, where the timeout holds. Trust is not judged here: libldap
        verifies the certificate on the real connection that follows."""
        address = urlsplit(uri)
        probe = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        probe.check_hostname, probe.verify_mode = False, ssl.CERT_NONE
        try:
            with (socket.create_connection((address.hostname, address.port or 636), self.settings.timeout) as raw,
                  probe.wrap_socket(raw, server_hostname=address.hostname)):
                pass
        except (OSError, ValueError) as exc:
            raise ldap.SERVER_DOWN({"desc": "Can't contact LDAP server", "info": f"TLS handshake: {exc}"}) from None

    def tls_verdict(self, uri: str) -> str | None:
        """Why the server's certificate is not trusted under our settings, or None when it is.
        For `sspr check`: libldap reports a refused certificate only as "Can't contact LDAP
        server", so the handshake is repeated here, verifying as libldap does (directory.ca_file
        or the system's CAs; the name in the address must be in the certificate). Raises OSError
        when the server cannot be reached at all."""
        address = urlsplit(uri)
        scheme = address.scheme.lower()
        if scheme not in ("ldaps", "ldap") or (scheme == "ldap" and not self.settings.start_tls):
            return None
        context = ssl.create_default_context(cafile=self.settings.ca_file or None)
        port = address.port or (636 if scheme == "ldaps" else 389)
        with socket.create_connection((address.hostname, port), self.settings.timeout) as raw:
            if scheme == "ldap":
                raw.sendall(START_TLS_REQUEST)
                raw.recv(4096)  # the server's answer; a refusal shows up as a failed handshake below
            try:
                with context.wrap_socket(raw, server_hostname=address.hostname):
                    return None
            except ssl.SSLCertVerificationError as exc:
                return exc.verify_message or str(exc)
            except ssl.SSLError as exc:
                return f"TLS handshake failed: {exc}"

    def connect(self, dn: str, password: str, controls: Sequence = ()) -> tuple[Link, list, Exception | None]:
        """(link, bind controls, bind error): a new connection to the first server that answers,
        after a simple bind as dn. A refused bind is returned, not raised, so the caller decides
        what it means; only "no server answered" raises."""
        failures = []
        for uri in self.order():
            conn = None
            try:
                conn = self.initialize(uri)
                link = Link(conn, uri)
                controls_back, error = bind(link, dn, password, controls)
            except unreachable_errors() as exc:
                if conn is not None:
                    Link(conn, uri).close()
                self._down[uri] = time.monotonic()
                failures.append(f"{uri}: {describe(exc)}")
                log.warning("directory server %s did not answer: %s", uri, describe(exc))
                continue
            except ldap.LDAPError as exc:  # StartTLS refused, and the like: this server is not usable
                Link(conn, uri).close()
                self._down[uri] = time.monotonic()
                failures.append(f"{uri}: {describe(exc)}")
                log.warning("directory server %s refused the connection: %s", uri, describe(exc))
                continue
            self._down.pop(uri, None)
            return link, controls_back, error
        failures = failures or ["directory.uris is empty"]
        raise DirectoryUnavailable("no directory server answered: " + "; ".join(failures))


class Connections:
    """One back-end's way to the servers: new connections from Servers, idle ones in two pools,
    one bound as the service account and one for people's own binds."""

    def __init__(self, settings: LdapSettings, backend: str):
        self.settings, self.backend = settings, backend
        self.servers = Servers(settings)
        self.service_pool, self.user_pool = Pool(), Pool()

    def as_service(self, operation: Callable[[Link], Result]) -> Result:
        """operation(link) on a connection bound as the service account."""
        return self._run(self.service_pool, self._open_service, lambda link, reused: operation(link), service=True)

    def _open_service(self) -> Link:
        link, _, error = self.servers.connect(self.settings.bind_dn, self.settings.bind_password)
        if error is not None:
            link.close()
            log.error("the directory refused the service account %r: %s", self.settings.bind_dn, describe(error))
            raise ServiceAccountRefused(f"service account bind refused: {describe(error)}")
        return link

    def as_user(self, dn: str, password: str, operation: Callable[[Link, list, Exception | None], Result],
                controls: Sequence = ()) -> Result:
        """operation(link, bind controls, bind error) right after a simple bind as dn, on a pooled
        connection (each use binds again, so no identity carries over from one use to the next)."""

        def fresh() -> Link:
            link, controls_back, error = self.servers.connect(dn, password, controls)
            link.bind_result = (controls_back, error)
            return link

        def use(link: Link, reused: bool) -> Result:
            controls_back, error = bind(link, dn, password, controls) if reused else link.bind_result
            return operation(link, controls_back, error)

        return self._run(self.user_pool, fresh, use, service=False)

    def _run(self, pool: Pool, fresh: Callable[[], Link], use: Callable[[Link, bool], Any], *, service: bool):
        """use(link, reused) on a pooled connection, or on a new one from fresh(). A pooled
        connection that the server closed while idle (a restart, an idle timeout) fails before
        the server answers anything on it: the idle ones go too (they are as stale) and use runs
        once more on a new connection. Every operation begins with a read or a bind, so a write
        is never sent twice."""
        problem = missing_library(self.backend)
        if problem:
            raise DirectoryUnavailable(problem)
        link = pool.take()
        reused = link is not None
        if link is None:
            link = fresh()
        while True:
            link.answered = False
            try:
                result = use(link, reused)
            except unreachable_errors() as exc:
                link.close()
                if reused and not link.answered:
                    pool.clear()
                    link, reused = fresh(), False
                    continue
                log.warning("directory server %s stopped answering: %s", link.uri, describe(exc))
                raise DirectoryUnavailable(f"{link.uri}: {describe(exc)}") from exc
            except ldap.INSUFFICIENT_ACCESS as exc:
                pool.give(link)
                if not service:
                    raise DirectoryUnavailable(describe(exc)) from exc
                log.error("the directory refused the service account: %s", describe(exc))
                raise ServiceAccountRefused(f"service account refused: {describe(exc)}") from exc
            except ldap.LDAPError as exc:
                pool.give(link)
                log.error("unexpected directory answer: %s", describe(exc))
                raise DirectoryUnavailable(describe(exc)) from exc
            except BaseException:
                pool.give(link)
                raise
            pool.give(link)
            return result

    def close(self) -> None:
        self.service_pool.clear()
        self.user_pool.clear()
