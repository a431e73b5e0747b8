"""The checks behind `sspr check` and /readyz for the LDAP back-ends, in plain words, one line
per problem, each starting with the key to fix: the settings, each server (reachable, trusted
certificate, the service account's bind), base_dn, the user filter, and the rights the service
account was delegated (the back-end's rights_problems)."""

import contextlib
import logging
import os
import time
from typing import NamedTuple, Protocol

from .connection import Connections, Link, bind, describe, ldap, missing_library, unreachable_errors
from .entries import Entry
from .settings import LdapSettings

log = logging.getLogger("sspr.directory")

# /readyz asks check() often; the rights tests (which the server may log) run at most this often.
RIGHTS_CHECK_SECONDS = 600
# People the user filter finds that the rights are tested on.
SAMPLE_SIZE = 5


class CheckedDirectory(Protocol):
    """What the checks need of an LDAP back-end (sspr.directory.ldap.backend.LdapDirectory)."""

    backend: str
    connections: Connections
    user_filter: str

    @property
    def settings(self) -> LdapSettings: ...

    @property
    def anyone_filter(self) -> str: ...

    def profile_attributes(self) -> list[str]: ...

    def rights_problems(self, link: Link, samples: list[Entry]) -> list[str]: ...


class Trouble(NamedTuple):
    """Why a server cannot be used: kind is "unreachable", "tls", "refused" or "bind"."""

    kind: str
    text: str


class SetupCheck:
    def __init__(self, directory: CheckedDirectory):
        self.directory = directory
        self.settings = directory.settings
        self._rights_checked: tuple[float, list[str]] | None = None

    def problems(self) -> list[str]:
        try:
            return self._problems()
        except Exception as exc:  # a check must report, never crash the page or command asking
            log.exception("directory check failed")
            return [f"directory: the check itself failed ({type(exc).__name__}: {exc})"]

    def _problems(self) -> list[str]:
        missing = missing_library(self.directory.backend)
        if missing:
            return [missing]
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
            answer = self._server(uri)
            if isinstance(answer, Trouble) and answer.kind == "unreachable":
                unreachable.append(answer.text)
            elif isinstance(answer, Trouble):
                problems.append(answer.text)
            elif working is None:
                working = answer
            else:
                answer.close()
        if working is None:
            if unreachable:
                problems.append("directory.uris: no server answered: " + "; ".join(unreachable))
            return problems
        try:
            problems += self._contents(working)
        finally:
            working.close()
        return problems

    def _server(self, uri: str) -> Link | Trouble:
        """A bound link, or the plain-language problem."""
        settings, conn = self.settings, None
        try:
            conn = self.directory.connections.servers.initialize(uri)
            link = Link(conn, uri)
            _, error = bind(link, settings.bind_dn, settings.bind_password)
        except unreachable_errors() as exc:
            if conn is not None:
                Link(conn, uri).close()
            try:
                verdict = self.directory.connections.servers.tls_verdict(uri)
            except OSError:
                verdict = None
            if verdict:
                return Trouble("tls", f"directory.ca_file: {uri}: the server's TLS certificate is not trusted "
                                      f"({verdict}); set directory.ca_file to the CA certificate that signed it, and "
                                      "make sure the address is a name or IP address in the certificate")
            return Trouble("unreachable", f"{uri} ({describe(exc)})")
        except ldap.LDAPError as exc:
            Link(conn, uri).close()
            return Trouble("refused", f"directory.uris: {uri}: the server refused the connection ({describe(exc)}); "
                                      "does it offer StartTLS?")
        if error is not None:
            link.close()
            if isinstance(error, ldap.INVALID_CREDENTIALS):
                return Trouble("bind", f"directory.bind_password: {uri} refused the service account "
                                       f"{settings.bind_dn!r}: wrong password, or no such account "
                                       f"(check directory.bind_dn and directory.bind_password; {describe(error)})")
            return Trouble("bind", f"directory.bind_dn: {uri} refused the service account's sign-in "
                                   f"({describe(error)})")
        return link

    def _contents(self, link: Link) -> list[str]:
        settings = self.settings
        try:
            link.call("search_ext_s", settings.base_dn, ldap.SCOPE_BASE, "(objectClass=*)", ["1.1"])
        except (ldap.NO_SUCH_OBJECT, ldap.INSUFFICIENT_ACCESS) as exc:
            return [f"directory.base_dn: {settings.base_dn!r} cannot be read by the service account: it does not "
                    f"exist, or the account may not read it ({describe(exc)})"]
        samples = self._sample_users(link)
        if not samples:
            return [f"directory.user_filter: {self.directory.user_filter!r} finds nobody under {settings.base_dn!r}; "
                    "check the filter, and that the service account may read people's entries"]
        now = time.monotonic()
        if self._rights_checked is None or now - self._rights_checked[0] > RIGHTS_CHECK_SECONDS:
            self._rights_checked = (now, self.directory.rights_problems(link, samples))
        return self._rights_checked[1]

    def _sample_users(self, link: Link) -> list[Entry]:
        """A few entries the user filter matches (any user ID), to test the service account's rights on."""
        msgid = link.call("search_ext", self.settings.base_dn, ldap.SCOPE_SUBTREE, self.directory.anyone_filter,
                          self.directory.profile_attributes())
        entries: list[Entry] = []
        try:
            while len(entries) < SAMPLE_SIZE:
                kind, found, _, _ = link.call("result3", msgid, all=0, timeout=self.settings.timeout)
                entries += [Entry(dn, attrs) for dn, attrs in found or [] if dn]
                if kind == ldap.RES_SEARCH_RESULT:
                    break
        except ldap.SIZELIMIT_EXCEEDED:
            pass
        finally:
            with contextlib.suppress(ldap.LDAPError):
                link.conn.abandon(msgid)
        return entries[:SAMPLE_SIZE]
