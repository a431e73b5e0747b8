"""What the OpenLDAP and Active Directory back-ends share: connections (TLS with certificate
checks, failover across directory.uris, pooling, timeouts), finding one user safely, reading a
profile through [directory.attributes], and the checks behind `sspr check` and /readyz.

python-ldap is imported here, and this module only when directory.backend is "ldap" or "ad",
so a deployment on the embedded directory never needs it: it is the optional extra
`opensspr[ldap]` (it compiles against the OpenLDAP and SASL headers). Without it the back-ends
still load, every operation raises DirectoryUnavailable, and check() says how to install it.
"""

import logging
import os
import socket
import ssl
import threading
import time
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import urlsplit

from .base import Directory, DirectoryUnavailable, DirectoryUser, UnknownUser

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
USER_ID_MAX = 256
# Idle connections kept per pool; more are opened under load and closed when given back.
POOL_SIZE = 4
# A server that failed is tried after the others for this long (it is still tried when all fail).
DOWN_SECONDS = 30
# RFC 4511 ExtendedRequest for StartTLS (RFC 4513), message ID 1: used by the TLS diagnosis only.
START_TLS_REQUEST = bytes.fromhex("301d02010177188016") + b"1.3.6.1.4.1.1466.20037"
# /readyz asks check() often; the rights tests (which the server may log) run at most this often.
RIGHTS_CHECK_SECONDS = 600


class ServiceAccountRefused(DirectoryUnavailable):
    """The server refused the service account something it needs (bind, a right on an entry):
    a configuration problem that `sspr check` names. People are asked to try again later."""


def unreachable_errors():
    """python-ldap's errors meaning that no answer came: the server is down, unreachable or hung."""
    return (ldap.SERVER_DOWN, ldap.CONNECT_ERROR, ldap.TIMEOUT)


def describe(exc) -> str:
    """One line for an LDAP error, for logs and check messages (never shown to end users)."""
    if ldap is not None and isinstance(exc, ldap.LDAPError) and exc.args and isinstance(exc.args[0], dict):
        details = exc.args[0]
        text = details.get("desc", type(exc).__name__)
        info = details.get("info")
        if info:
            text += f": {info}" if isinstance(info, str) else f": {info!r}"
        return text.strip()
    return f"{type(exc).__name__}: {exc}"


def diagnostic(exc) -> str:
    """The server's diagnostic message of an LDAP error ("" when it sent none)."""
    details = exc.args[0] if exc.args and isinstance(exc.args[0], dict) else {}
    info = details.get("info", "")
    return info.decode("utf-8", "replace") if isinstance(info, bytes) else str(info)


def response_controls(exc) -> list:
    """The decoded response controls carried by an LDAP error (ppolicy answers arrive this way)."""
    details = exc.args[0] if exc.args and isinstance(exc.args[0], dict) else {}
    try:
        return DecodeControlTuples(details.get("ctrls") or [])
    except Exception:  # an undecodable control is the server's problem; the result code still counts
        log.warning("undecodable response control in %s", describe(exc))
        return []


def plausible_user_id(user_id) -> bool:
    """Worth asking the directory about: never empty, absurdly long, or with control characters.
    (Anything else is escaped into the filter, so it can only match itself.)"""
    return (
        isinstance(user_id, str)
        and 0 < len(user_id.strip()) <= USER_ID_MAX
        and not any(unicodedata.category(ch) == "Cc" for ch in user_id)
    )


def filter_with(template: str, **values: str) -> str:
    """template with each {name} replaced by its value escaped per RFC 4515, so `*`, `(`, `)`,
    `\\` and NUL in a user ID are matched literally instead of changing the filter."""
    for name, value in values.items():
        template = template.replace("{" + name + "}", ldap.filter.escape_filter_chars(value, escape_mode=0))
    return template


def first_rdn_value(dn: str) -> str:
    """"cn=Students,ou=groups,dc=x" -> "Students" (group names as policy configuration uses them)."""
    try:
        return ldap.dn.str2dn(dn)[0][0][1]
    except (ldap.DECODING_ERROR, IndexError):
        return dn


def generalized_time(value: str) -> datetime | None:
    """RFC 4517 GeneralizedTime as OpenLDAP writes it: 20261127092412Z or 20261127092412.123456Z."""
    text = value.rstrip("Z").split(".")[0]
    try:
        return datetime.strptime(text, "%Y%m%d%H%M%S").replace(tzinfo=timezone.utc)
    except ValueError:
        return None


class Entry:
    """A search result's attributes, by case-insensitive name, decoded as UTF-8 text."""

    def __init__(self, dn: str, attributes: dict):
        self.dn = dn
        self._values = {name.lower(): values for name, values in attributes.items()}

    def all(self, name: str) -> list[str]:
        if not name:
            return []
        return [value.decode("utf-8", "replace") for value in self._values.get(name.lower(), [])]

    def raw(self, name: str) -> list[bytes]:
        return self._values.get(name.lower(), []) if name else []

    def first(self, name: str, default: str = "") -> str:
        values = self.all(name)
        return values[0] if values else default

    def integer(self, name: str) -> int | None:
        try:
            return int(self.first(name))
        except ValueError:
            return None


@dataclass(frozen=True)
class DirectoryRules:
    """The password rules the directory itself enforces for one person, as far as the service
    account can read them (None: not known)."""

    min_length: int | None = None
    history: int | None = None
    complexity: bool | None = None
    min_age_seconds: int | None = None
    max_age_seconds: int | None = None
    lockout_threshold: int | None = None


class Link:
    """One connection to one server. `answered` says whether the server has answered anything
    since it was taken from the pool, which tells a stale pooled connection (safe to retry on a
    new one) from one that failed in the middle of an operation (not safe to repeat)."""

    def __init__(self, conn, uri: str):
        self.conn, self.uri, self.answered, self.pid = conn, uri, False, os.getpid()

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
        try:
            self.conn.unbind_ext_s()
        except Exception:  # closing a dead connection can only fail; nothing is lost
            pass


class Pool:
    """Idle connections for reuse. Never shared across a fork: gunicorn workers each open their own."""

    def __init__(self, size: int = POOL_SIZE):
        self.size, self._idle, self._lock, self._pid = size, [], threading.Lock(), os.getpid()

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

    def __len__(self):
        return len(self._idle)


class Servers:
    """directory.uris, tried in order, with a server that just failed moved to the end for a while."""

    def __init__(self, settings):
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
            with socket.create_connection((address.hostname, address.port or 636), self.settings.timeout) as raw:
                with probe.wrap_socket(raw, server_hostname=address.hostname):
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

    def connect(self, dn: str, password: str, controls=()):
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


def bind(link: Link, dn: str, password: str, controls=()):
    """Simple bind; (response controls, None) or (controls sent with the error, the error)."""
    try:
        msgid = link.call("simple_bind", dn, password, serverctrls=list(controls) or None)
        _, _, _, controls_back = link.call("result3", msgid, all=1, timeout=link.conn.timeout)
        return controls_back, None
    except unreachable_errors():
        raise
    except ldap.LDAPError as exc:
        return response_controls(exc), exc


class LdapDirectory(Directory):
    """Shared by OpenLdapDirectory and ActiveDirectory; subclasses say how passwords change."""

    backend = ""
    default_user_filter = ""
    default_user_id_attribute = ""
    # Attributes read with every profile besides [directory.attributes] (account state).
    state_attributes: tuple[str, ...] = ()

    def __init__(self, config):
        self.settings = config.directory
        self.servers = Servers(self.settings)
        self.service_pool, self.user_pool = Pool(), Pool()
        self.user_filter = self.settings.user_filter or self.default_user_filter
        self.user_id_attribute = self.settings.user_id_attribute or self.default_user_id_attribute
        self._rights_checked = None

    # --- connections ---------------------------------------------------------------------

    def require_library(self) -> None:
        if ldap is None:
            raise DirectoryUnavailable(INSTALL_HINT.format(backend=self.backend))

    def as_service(self, operation):
        """operation(link) on a connection bound as the service account."""
        return self._run(self.service_pool, self._open_service, lambda link, reused: operation(link), service=True)

    def _open_service(self) -> Link:
        link, _, error = self.servers.connect(self.settings.bind_dn, self.settings.bind_password)
        if error is not None:
            link.close()
            log.error("the directory refused the service account %r: %s", self.settings.bind_dn, describe(error))
            raise ServiceAccountRefused(f"service account bind refused: {describe(error)}")
        return link

    def as_user(self, dn: str, password: str, operation, controls=()):
        """operation(link, bind controls, bind error) right after a simple bind as dn, on a pooled
        connection (each use binds again, so no identity carries over from one use to the next)."""

        def fresh():
            link, controls_back, error = self.servers.connect(dn, password, controls)
            link.bind_result = (controls_back, error)
            return link

        def use(link, reused):
            controls_back, error = bind(link, dn, password, controls) if reused else link.bind_result
            return operation(link, controls_back, error)

        return self._run(self.user_pool, fresh, use, service=False)

    def _run(self, pool: Pool, fresh, use, *, service: bool):
        """use(link, reused) on a pooled connection, or on a new one from fresh(). A pooled
        connection that the server closed while idle (a restart, an idle timeout) fails before
        the server answers anything on it: the idle ones go too (they are as stale) and use runs
        once more on a new connection. Every operation begins with a read or a bind, so a write
        is never sent twice."""
        self.require_library()
        link = pool.take()
        reused = link is not None
        if not reused:
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

    def __del__(self):
        try:
            self.close()
        except Exception:  # interpreter shutdown: the sockets close anyway
            pass

    # --- finding people ------------------------------------------------------------------

    def profile_attributes(self) -> list[str]:
        mapped = self.settings.attributes
        names = [self.user_id_attribute, mapped.display_name, mapped.email, mapped.mobile,
                 mapped.alternate_email, mapped.groups, mapped.department, *self.state_attributes]
        return list(dict.fromkeys(name for name in names if name))

    def find(self, link: Link, user_id: str, attributes=None) -> Entry:
        """The one entry user_id names. Raises UnknownUser for nobody, and also for several
        (an ambiguous ID must never act on the wrong person)."""
        if not plausible_user_id(user_id):
            raise UnknownUser(user_id)
        query = filter_with(self.user_filter, user=user_id.strip())
        try:
            found = link.call("search_ext_s", self.settings.base_dn, ldap.SCOPE_SUBTREE, query,
                              attributes or self.profile_attributes(), sizelimit=2)
        except ldap.SIZELIMIT_EXCEEDED:
            found = [("", {}), ("", {})]
        except ldap.NO_SUCH_OBJECT as exc:
            raise ServiceAccountRefused(f"directory.base_dn cannot be read: {describe(exc)}") from exc
        entries = [Entry(dn, attrs) for dn, attrs in found if dn is not None]  # dn None: a referral
        if len(entries) > 1:
            log.warning("user ID %r matches several directory entries; refusing it", user_id)
        if len(entries) != 1:
            raise UnknownUser(user_id)
        return entries[0]

    def locate(self, user_id: str) -> tuple[Entry, DirectoryUser]:
        def read(link):
            entry = self.find(link, user_id)
            return entry, self.to_user(entry, self.groups_of(link, entry))
        return self.as_service(read)

    def lookup(self, user_id):
        return self.locate(user_id)[1]

    def groups_of(self, link: Link, entry: Entry) -> tuple[str, ...]:
        attribute = self.settings.attributes.groups
        if attribute:
            return tuple(first_rdn_value(dn) for dn in entry.all(attribute))
        if not self.settings.group_filter:
            return ()
        query = filter_with(self.settings.group_filter, dn=entry.dn, user=self.user_id_of(entry))
        found = link.call("search_ext_s", self.settings.base_dn, ldap.SCOPE_SUBTREE, query, ["cn"])
        return tuple(sorted(Entry(dn, attrs).first("cn") or first_rdn_value(dn) for dn, attrs in found if dn))

    def user_id_of(self, entry: Entry) -> str:
        return entry.first(self.user_id_attribute)

    def to_user(self, entry: Entry, groups: tuple[str, ...]) -> DirectoryUser:
        mapped = self.settings.attributes
        return DirectoryUser(
            user_id=self.user_id_of(entry),
            display_name=entry.first(mapped.display_name),
            groups=groups,
            department=entry.first(mapped.department),
            email=entry.first(mapped.email),
            mobile=entry.first(mapped.mobile),
            alternate_email=entry.first(mapped.alternate_email),
            extra={"dn": entry.dn},
            **self.account_state(entry),
        )

    def account_state(self, entry: Entry) -> dict:
        """enabled, locked, must_change_password and password_last_set from the state attributes."""
        return {}

    def spend_a_bind(self, password: str) -> None:
        """For an unknown user, a bind that fails as a wrong password does, so the time the answer
        takes does not tell unknown user IDs from known ones."""
        decoy = ",".join(part for part in ("cn=sspr-no-such-user", self.settings.base_dn) if part)
        self.as_user(decoy, password, lambda link, controls, error: None)

    # --- rules shown before typing ------------------------------------------------------------

    def password_rules(self, user_id: str) -> DirectoryRules:
        """The directory's own password rules for this person; fields it cannot read are None."""
        return DirectoryRules()

    def min_password_length(self, user_id: str) -> int | None:
        """The minimum length the directory enforces for this person, when it can be read."""
        return self.password_rules(user_id).min_length

    # --- sspr check and /readyz --------------------------------------------------------------

    def check(self):
        try:
            return self._check()
        except Exception as exc:  # a check must report, never crash the page or command asking
            log.exception("directory check failed")
            return [f"directory: the check itself failed ({type(exc).__name__}: {exc})"]

    def _check(self) -> list[str]:
        if ldap is None:
            return [INSTALL_HINT.format(backend=self.backend)]
        settings, problems = self.settings, []
        if not settings.uris:
            return ['directory.uris: no server configured, e.g. uris = ["ldaps://dc1.district.example"]']
        for uri in settings.uris:
            scheme = uri.split("://", 1)[0].lower()
            if scheme not in ("ldap", "ldaps", "ldapi"):
                problems.append(f"directory.uris: {uri}: not an ldap://, ldaps:// or ldapi:// address")
            elif scheme == "ldap" and not settings.start_tls:
                problems.append(f"directory.uris: {uri} would send passwords unencrypted; use ldaps:// or set "
                                "directory.start_tls = true")
        if settings.ca_file and not os.access(settings.ca_file, os.R_OK):
            problems.append(f"directory.ca_file: {settings.ca_file} cannot be read")
        if not settings.bind_dn or not settings.bind_password:
            problems.append("directory.bind_dn and directory.bind_password: the service account is not set; "
                            "it is needed to find people, reset passwords and unlock accounts")
        if not settings.base_dn:
            problems.append("directory.base_dn: not set; it names the subtree where people are searched")
        if problems:
            return problems
        working, unreachable = None, []
        for uri in settings.uris:
            link, trouble = self._check_server(uri)
            if link is None and trouble[0] == "unreachable":
                unreachable.append(trouble[1])
            elif link is None:
                problems.append(trouble[1])
            elif working is None:
                working = link
            else:
                link.close()
        if working is None:
            if unreachable:
                problems.append("directory.uris: no server answered: " + "; ".join(unreachable))
            return problems
        try:
            problems += self._check_contents(working)
        finally:
            working.close()
        return problems

    def _check_server(self, uri: str):
        """(bound link, None) or (None, (kind, plain-language problem))."""
        settings, conn = self.settings, None
        try:
            conn = self.servers.initialize(uri)
            link = Link(conn, uri)
            _, error = bind(link, settings.bind_dn, settings.bind_password)
        except unreachable_errors() as exc:
            if conn is not None:
                Link(conn, uri).close()
            try:
                verdict = self.servers.tls_verdict(uri)
            except OSError:
                verdict = None
            if verdict:
                return None, ("tls", f"directory.ca_file: {uri}: the server's TLS certificate is not trusted "
                                     f"({verdict}); set directory.ca_file to the CA certificate that signed it, and "
                                     "make sure the address is a name or IP address in the certificate")
            return None, ("unreachable", f"{uri} ({describe(exc)})")
        except ldap.LDAPError as exc:
            Link(conn, uri).close()
            return None, ("refused", f"directory.uris: {uri}: the server refused the connection ({describe(exc)}); "
                                     "does it offer StartTLS?")
        if error is not None:
            link.close()
            if isinstance(error, ldap.INVALID_CREDENTIALS):
                return None, ("bind", f"directory.bind_password: {uri} refused the service account "
                                      f"{settings.bind_dn!r}: wrong password, or no such account "
                                      f"(check directory.bind_dn and directory.bind_password; {describe(error)})")
            return None, ("bind", f"directory.bind_dn: {uri} refused the service account's sign-in ({describe(error)})")
        return link, None

    def _check_contents(self, link: Link) -> list[str]:
        settings = self.settings
        try:
            link.call("search_ext_s", settings.base_dn, ldap.SCOPE_BASE, "(objectClass=*)", ["1.1"])
        except (ldap.NO_SUCH_OBJECT, ldap.INSUFFICIENT_ACCESS) as exc:
            return [f"directory.base_dn: {settings.base_dn!r} cannot be read by the service account: it does not "
                    f"exist, or the account may not read it ({describe(exc)})"]
        samples = self._sample_users(link)
        if not samples:
            return [f"directory.user_filter: {self.user_filter!r} finds nobody under {settings.base_dn!r}; check the "
                    "filter, and that the service account may read people's entries"]
        now = time.monotonic()
        if self._rights_checked is None or now - self._rights_checked[0] > RIGHTS_CHECK_SECONDS:
            self._rights_checked = (now, self.rights_problems(link, samples))
        return self._rights_checked[1]

    def _sample_users(self, link: Link, count: int = 5) -> list[Entry]:
        """A few entries the user filter matches (any user ID), to test the service account's rights on."""
        query = self.user_filter.replace("{user}", "*")
        msgid = link.call("search_ext", self.settings.base_dn, ldap.SCOPE_SUBTREE, query, self.profile_attributes())
        entries = []
        try:
            while len(entries) < count:
                kind, found, _, _ = link.call("result3", msgid, all=0, timeout=self.settings.timeout)
                entries += [Entry(dn, attrs) for dn, attrs in found or [] if dn]
                if kind == ldap.RES_SEARCH_RESULT:
                    break
        except ldap.SIZELIMIT_EXCEEDED:
            pass
        finally:
            try:
                link.conn.abandon(msgid)
            except ldap.LDAPError:
                pass
        return entries[:count]

    def rights_problems(self, link: Link, samples: list[Entry]) -> list[str]:
        """Missing delegated rights: a problem only when the service account lacks a right on
        every sample (an OU left out on purpose, such as administrators, is not a problem)."""
        return []
