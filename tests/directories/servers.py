"""Real directory servers for the tests, from Debian's packages: OpenLDAP's slapd and a Samba
Active Directory domain controller. Each is provisioned in a temporary directory, listens on
loopback only, uses certificates from a throwaway CA, and is stopped when the session ends.
Nothing here touches the machine's own LDAP or Samba configuration.

Traps (see also the shared test-infrastructure notes):
- Samba's LDAP ports (389, 636) are fixed, so one Samba runs per machine at a time: a lock
  file makes a second test session wait instead of failing oddly.
- Provisioning drops `old password allowed period`; without 0 an old password keeps working
  for an hour after a change.
- Samba caps the domain's minimum length at 14, so the 15-character rule is a password
  settings object (PSO) applied to the Students group, as a district would do it.
"""

import contextlib
import ctypes
import fcntl
import os
import signal
import socket
import struct
import subprocess
import time
from base64 import b64encode
from datetime import UTC, datetime
from hashlib import sha1
from itertools import count
from pathlib import Path

import ldap
from ldap.controls.simple import RelaxRulesControl

START_TIMEOUT = 60
SAMBA_LOCK = Path("/tmp/sspr-tests-samba.lock")
SAMBA_LOCK_WAIT = 900
PR_SET_PDEATHSIG = 1
_names = count(1)



def stop(process) -> None:
    """SIGSTOP, and wait until the kernel has stopped every thread: the signal is delivered
    asynchronously, so a request sent at once could otherwise still be answered."""
    process.send_signal(signal.SIGSTOP)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        with open(f"/proc/{process.pid}/stat") as stat:
            if stat.read().rpartition(")")[2].split()[0] in ("T", "t"):
                return
        time.sleep(0.01)
    raise RuntimeError(f"process {process.pid} did not stop")


class ServerFailed(RuntimeError):
    """A test server could not be provisioned or started: the tests fail, never skip."""


def run(command, **kwargs):
    done = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if done.returncode != 0:
        raise ServerFailed(f"{command[0]} failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done.stdout


def die_with_the_tests() -> None:
    """In the server's process before it starts: SIGTERM it when the test process dies, however it
    dies (a killed test run must not leave Samba holding its fixed ports)."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def unique_name() -> str:
    """A name no other person in this test session has (tests make their own people)."""
    return f"p{next(_names)}x{os.getpid()}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.2)
        return probe.connect_ex((host, port)) == 0


def wait_for_port(port: int, process: subprocess.Popen, what: str, log: Path | None = None) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if port_open(port):
            return
        if process.poll() is not None:
            break
        time.sleep(0.1)
    tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
    raise ServerFailed(f"{what} did not start listening on port {port} (exit code {process.poll()}):\n{tail}")


def stop_process(process: subprocess.Popen | None) -> None:
    """SIGTERM to the server's whole process group (Samba's LDAP server is a child process that
    keeps serving its open connections if only the parent goes), then wait until none is left."""
    if process is None:
        return
    try:
        os.killpg(process.pid, signal.SIGCONT)  # a paused server cannot act on SIGTERM
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        process.poll()
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            process.wait()
            return
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def connect(uri: str, ca_file: Path):
    conn = ldap.initialize(uri)
    conn.set_option(ldap.OPT_PROTOCOL_VERSION, 3)
    conn.set_option(ldap.OPT_REFERRALS, 0)
    conn.set_option(ldap.OPT_NETWORK_TIMEOUT, 10)
    conn.set_option(ldap.OPT_X_TLS_CACERTFILE, str(ca_file))
    conn.set_option(ldap.OPT_X_TLS_REQUIRE_CERT, ldap.OPT_X_TLS_DEMAND)
    conn.set_option(ldap.OPT_X_TLS_NEWCTX, 0)
    return conn


class TestCA:
    """A certificate authority made for one test session, and server certificates it signs."""

    __test__ = False  # not a test class, whatever pytest thinks of the name

    def __init__(self, directory: Path, name: str = "OpenSSPR Test CA"):
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self.cert, self.key = directory / "ca.pem", directory / "ca.key"
        run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", str(self.key), "-out", str(self.cert), "-days", "7", "-subj", f"/CN={name}",
             "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"])

    def issue(self, name: str, ip: str = "127.0.0.1") -> tuple[Path, Path]:
        cert, key, request = (self.directory / f"{name}.{suffix}" for suffix in ("pem", "key", "csr"))
        extensions = self.directory / f"{name}.ext"
        extensions.write_text(f"subjectAltName=IP:{ip},DNS:localhost\nextendedKeyUsage=serverAuth\n")
        run(["openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", str(key), "-out", str(request), "-subj", f"/CN={ip}"])
        run(["openssl", "x509", "-req", "-in", str(request), "-CA", str(self.cert), "-CAkey", str(self.key),
             "-CAcreateserial", "-out", str(cert), "-days", "7", "-extfile", str(extensions)])
        key.chmod(0o600)
        return cert, key


class Person:
    """A directory account made for one test."""

    def __init__(self, user_id: str, password: str, dn: str, **details):
        self.user_id, self.password, self.dn = user_id, password, dn
        self.__dict__.update(details)

    def __repr__(self):
        return f"Person({self.user_id!r})"


def ssha(password: str) -> str:
    salt = os.urandom(8)
    return "{SSHA}" + b64encode(sha1(password.encode() + salt).digest() + salt).decode()


def generalized_now() -> str:
    return datetime.now(UTC).strftime("%Y%m%d%H%M%SZ")


class Slapd:
    """OpenLDAP with the ppolicy overlay: a default policy (12 characters, history 5, lockout
    after 5 failures, passwords expire after a year), a stricter staff policy (20 characters),
    a service account that may reset and unlock people under ou=people but only read ou=admins,
    and Students and Staff groups (groupOfNames, found by group search)."""

    suffix = "dc=district,dc=example"
    admin_dn, admin_password = "cn=admin,dc=district,dc=example", "Admin-only-for-provisioning-1"
    service_dn, service_password = "cn=sspr,ou=services,dc=district,dc=example", "Service-account-secret-2026"
    default_policy = "cn=default,ou=policies,dc=district,dc=example"
    staff_policy = "cn=staff,ou=policies,dc=district,dc=example"

    def __init__(self, root: Path, ca: TestCA):
        self.root, self.ca = root, ca
        self.process = None
        self.port, self.tls_port = free_port(), free_port()
        self.ldap_uri, self.ldaps_uri = f"ldap://127.0.0.1:{self.port}", f"ldaps://127.0.0.1:{self.tls_port}"

    def provision(self) -> None:
        root, service = self.root, self.service_dn
        (root / "data").mkdir(parents=True)
        cert, key = self.ca.issue("slapd")
        people = f"ou=people,{self.suffix}"
        (root / "slapd.conf").write_text(f"""
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/nis.schema
include /etc/ldap/schema/inetorgperson.schema
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload ppolicy
pidfile {root}/slapd.pid
argsfile {root}/slapd.args
TLSCACertificateFile {self.ca.cert}
TLSCertificateFile {cert}
TLSCertificateKeyFile {key}

database mdb
maxsize 67108864
suffix "{self.suffix}"
rootdn "{self.admin_dn}"
rootpw {self.admin_password}
directory {root}/data
overlay ppolicy
ppolicy_default "{self.default_policy}"
ppolicy_use_lockout
ppolicy_hash_cleartext

access to dn.subtree="{people}" attrs=userPassword
  by self =wx
  by dn.exact="{service}" =wx
  by anonymous auth
  by * none
access to attrs=userPassword
  by self =wx
  by anonymous auth
  by * none
access to dn.subtree="{people}" attrs=pwdAccountLockedTime,pwdReset
  by dn.exact="{service}" write
  by self read
  by * none
access to *
  by dn.exact="{service}" read
  by self read
  by * none
""")
        (root / "base.ldif").write_text(f"""dn: {self.suffix}
objectClass: dcObject
objectClass: organization
dc: district
o: Test Unified School District

dn: ou=people,{self.suffix}
objectClass: organizationalUnit
ou: people

dn: ou=admins,{self.suffix}
objectClass: organizationalUnit
ou: admins

dn: ou=services,{self.suffix}
objectClass: organizationalUnit
ou: services

dn: ou=groups,{self.suffix}
objectClass: organizationalUnit
ou: groups

dn: ou=policies,{self.suffix}
objectClass: organizationalUnit
ou: policies

dn: cn=Students,ou=groups,{self.suffix}
objectClass: groupOfNames
cn: Students
member: {self.admin_dn}

dn: cn=Staff,ou=groups,{self.suffix}
objectClass: groupOfNames
cn: Staff
member: {self.admin_dn}

dn: {self.default_policy}
objectClass: organizationalRole
objectClass: pwdPolicy
cn: default
pwdAttribute: userPassword
pwdMinLength: 12
pwdCheckQuality: 1
pwdInHistory: 5
pwdLockout: TRUE
pwdMaxFailure: 5
pwdLockoutDuration: 900
pwdAllowUserChange: TRUE
pwdMustChange: TRUE
pwdMaxAge: 31536000

dn: {self.staff_policy}
objectClass: organizationalRole
objectClass: pwdPolicy
cn: staff
pwdAttribute: userPassword
pwdMinLength: 20
pwdCheckQuality: 1
pwdInHistory: 5
pwdLockout: TRUE
pwdMaxFailure: 5
pwdLockoutDuration: 900
pwdAllowUserChange: TRUE

dn: {service}
objectClass: organizationalRole
objectClass: simpleSecurityObject
cn: sspr
description: OpenSSPR's service account: reads people, resets and unlocks under ou=people
userPassword: {ssha(self.service_password)}
""")
        run(["slapadd", "-f", str(root / "slapd.conf"), "-q", "-l", str(root / "base.ldif")])

    def start(self) -> None:
        log = self.root / "slapd.log"
        with log.open("ab") as output:
            self.process = subprocess.Popen(
                ["slapd", "-d", "0", "-f", str(self.root / "slapd.conf"), "-h", f"{self.ldap_uri}/ {self.ldaps_uri}/"],
                stdout=output, stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=die_with_the_tests)
        wait_for_port(self.tls_port, self.process, "slapd", log)
        wait_for_port(self.port, self.process, "slapd", log)

    def stop(self) -> None:
        stop_process(self.process)

    def pause(self) -> None:
        """Freeze the server: connections are accepted by the kernel, and nothing ever answers."""
        stop(self.process)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def admin(self):
        conn = connect(self.ldaps_uri, self.ca.cert)
        conn.simple_bind_s(self.admin_dn, self.admin_password)
        return conn

    def add_person(self, *, ou: str = "people", group: str = "Students", domain: str = "student.district.example",
                   password: str = "Brave pianos dance on Fridays!", staff_policy: bool = False,
                   changed: str | None = None, must_change: bool = False, disabled: bool = False,
                   name: str = "Chris Smith", department: str = "Lincoln High School", email: str = "",
                   tag: str = "") -> Person:
        """A person under ou; their user ID (mail, as the tests configure it) is email when given."""
        uid = tag + unique_name()
        dn = f"uid={uid},ou={ou},{self.suffix}"
        user_id = email or f"{uid}@{domain}"
        words = name.split()
        given, surname = words[0], words[-1]
        attributes = [
            ("objectClass", [b"inetOrgPerson"]), ("uid", [uid.encode()]), ("cn", [name.encode()]),
            ("givenName", [given.encode()]), ("sn", [surname.encode()]), ("displayName", [name.encode()]),
            ("mail", [user_id.encode()]), ("mobile", [b"+15550200"]), ("departmentNumber", [department.encode()]),
            ("userPassword", [ssha(password).encode()]),
            ("pwdChangedTime", [(changed or generalized_now()).encode()]),
        ]
        if staff_policy:
            attributes.append(("pwdPolicySubentry", [self.staff_policy.encode()]))
        if must_change:
            attributes.append(("pwdReset", [b"TRUE"]))
        if disabled:  # ppolicy's administrator lock
            attributes.append(("pwdAccountLockedTime", [b"000001010000Z"]))
        conn = self.admin()
        try:
            # Relax Rules: pwdChangedTime and pwdReset are the server's own, set here to stage a history.
            conn.add_ext_s(dn, attributes, serverctrls=[RelaxRulesControl()])
            if group:
                conn.modify_s(f"cn={group},ou=groups,{self.suffix}", [(ldap.MOD_ADD, "member", [dn.encode()])])
        finally:
            conn.unbind_s()
        return Person(user_id, password, dn, uid=uid, display_name=name, group=group)

    def entry(self, dn: str, *attributes: str) -> dict:
        conn = self.admin()
        try:
            return conn.search_s(dn, ldap.SCOPE_BASE, attrlist=list(attributes) or ["*", "+"])[0][1]
        finally:
            conn.unbind_s()


def sid_string(raw: bytes) -> str:
    revision, count_, authority = raw[0], raw[1], int.from_bytes(raw[2:8], "big")
    parts = struct.unpack(f"<{count_}I", raw[8:8 + 4 * count_])
    return f"S-{revision}-{authority}-" + "-".join(map(str, parts))


def unicode_pwd(password: str) -> bytes:
    return f'"{password}"'.encode("utf-16-le")


# Rights GUIDs from the AD schema: the user class, the Reset Password extended right, and the
# lockoutTime and pwdLastSet attributes.
USER_CLASS = "bf967aba-0de6-11d0-a285-00aa003049e2"
RESET_PASSWORD = "00299570-246d-11d0-a768-00aa006e0529"
LOCKOUT_TIME = "28630ebf-41d5-11d1-a9c1-0000f80367c1"
PWD_LAST_SET = "bf967a0a-0de6-11d0-a285-00aa003049e2"


class SambaDC:
    """A Samba AD domain (TEST.EXAMPLE) with Students and Staff OUs. A PSO for the Students group
    requires 15 characters, remembers 5 passwords and locks out after 5 failures. The service
    account (in OU=Services) is delegated Reset Password and writing lockoutTime and pwdLastSet
    on the Students OU only, and may read password settings objects."""

    realm, domain, base = "TEST.EXAMPLE", "TEST", "DC=test,DC=example"
    admin_user, admin_password = "Administrator@test.example", "Admin-only-for-provisioning-1"
    service_user, service_password = "svc-sspr@test.example", "Service-account-secret-2026"

    def __init__(self, root: Path, ca: TestCA):
        self.root, self.ca = root, ca
        self.target = root / "dc"
        self.process = self.provisioning = self._lock = None
        self.ldaps_uri, self.ldap_uri = "ldaps://127.0.0.1:636", "ldap://127.0.0.1:389"
        self.service_dn = f"CN=svc-sspr,OU=Services,{self.base}"

    def begin_provisioning(self) -> None:
        """Start `samba-tool domain provision` (about 25 s on two cores) in the background."""
        self.root.mkdir(parents=True, exist_ok=True)
        self.cert, self.key = self.ca.issue("samba")
        empty = self.root / "empty.conf"
        empty.write_text("")
        target = self.target
        options = {
            "interfaces": "127.0.0.1", "bind interfaces only": "yes", "server services": "ldap",
            "pid directory": f"{target}/run", "ncalrpc dir": f"{target}/run/ncalrpc",
            "winbindd socket directory": f"{target}/run/winbindd",
            "ntp signd socket directory": f"{target}/run/ntp_signd", "log file": f"{target}/log.%m",
            "tls enabled": "yes", "tls certfile": str(self.cert), "tls keyfile": str(self.key),
            "tls cafile": str(self.ca.cert),
        }
        command = ["samba-tool", "domain", "provision", "-s", str(empty), f"--targetdir={target}",
                   f"--realm={self.realm}", f"--domain={self.domain}", "--server-role=dc", "--dns-backend=NONE",
                   "--use-rfc2307", f"--adminpass={self.admin_password}"]
        command += [f"--option={name}={value}" for name, value in options.items()]
        self.provision_log = self.root / "provision.log"
        with self.provision_log.open("wb") as output:
            self.provisioning = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT,
                                                 start_new_session=True, preexec_fn=die_with_the_tests)

    def finish_provisioning(self) -> None:
        if self.provisioning is None:
            self.begin_provisioning()
        if self.provisioning.wait(timeout=300) != 0:
            raise ServerFailed("samba-tool domain provision failed:\n"
                               + self.provision_log.read_text(errors="replace")[-3000:])
        conf = self.target / "etc" / "smb.conf"
        conf.write_text(conf.read_text().replace("[global]\n", "[global]\n\told password allowed period = 0\n", 1))
        self.conf = conf

    def start(self) -> None:
        self._take_ports()
        log = self.root / "samba.log"
        with log.open("ab") as output:
            self.process = subprocess.Popen(["samba", "-F", "--debug-stdout", "-s", str(self.conf)],
                                            stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
                                            preexec_fn=die_with_the_tests)
        wait_for_port(636, self.process, "samba", log)

    def _take_ports(self) -> None:
        if self._lock is not None:
            return
        self._lock = SAMBA_LOCK.open("w")
        deadline = time.monotonic() + SAMBA_LOCK_WAIT
        while True:
            try:
                fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise ServerFailed(f"another test session has held {SAMBA_LOCK} (Samba's fixed ports) for "
                                       f"{SAMBA_LOCK_WAIT} s") from None
                time.sleep(1)
        for port in (389, 636):
            if port_open(port):
                raise ServerFailed(f"port {port} is already in use on 127.0.0.1; Samba AD needs it for the tests")

    def stop(self) -> None:
        stop_process(self.process)

    def release(self) -> None:
        self.stop()
        stop_process(self.provisioning)
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def pause(self) -> None:
        stop(self.process)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def admin(self):
        conn = connect(self.ldaps_uri, self.ca.cert)
        conn.simple_bind_s(self.admin_user, self.admin_password)
        return conn

    def configure(self) -> None:
        """OUs, groups, the PSO, the service account and its delegation (the server is running)."""
        base = self.base
        conn = self.admin()
        try:
            for ou in ("Students", "Staff", "Services"):
                conn.add_s(f"OU={ou},{base}", [("objectClass", [b"organizationalUnit"])])
            for group in ("Students", "Staff"):
                conn.add_s(f"CN={group},OU={group},{base}", [("objectClass", [b"group"]),
                                                               ("sAMAccountName", [group.encode()])])
            self._add_user(conn, self.service_dn, "svc-sspr", self.service_user, self.service_password)
            # The domain: no minimum age (a change right after creation would be "too young"), lockout after 5.
            conn.modify_s(base, [(ldap.MOD_REPLACE, "minPwdAge", [b"0"]),
                                 (ldap.MOD_REPLACE, "lockoutThreshold", [b"5"]),
                                 (ldap.MOD_REPLACE, "pwdProperties", [b"0"])])
            thirty_minutes = str(-30 * 60 * 10_000_000).encode()
            conn.add_s(f"CN=Students PSO,CN=Password Settings Container,CN=System,{base}", [
                ("objectClass", [b"msDS-PasswordSettings"]), ("msDS-PasswordSettingsPrecedence", [b"10"]),
                ("msDS-PasswordReversibleEncryptionEnabled", [b"FALSE"]), ("msDS-PasswordHistoryLength", [b"5"]),
                ("msDS-PasswordComplexityEnabled", [b"FALSE"]), ("msDS-MinimumPasswordLength", [b"15"]),
                ("msDS-MinimumPasswordAge", [b"0"]), ("msDS-MaximumPasswordAge", [b"-311040000000000"]),
                ("msDS-LockoutThreshold", [b"5"]), ("msDS-LockoutObservationWindow", [thirty_minutes]),
                ("msDS-LockoutDuration", [thirty_minutes]),
                ("msDS-PSOAppliesTo", [f"CN=Students,OU=Students,{base}".encode()])])
            sid = sid_string(conn.search_s(self.service_dn, ldap.SCOPE_BASE, attrlist=["objectSid"])[0][1]
                             ["objectSid"][0])
        finally:
            conn.unbind_s()
        self.dsacl(f"OU=Students,{base}",
                   f"(OA;CIIO;CR;{RESET_PASSWORD};{USER_CLASS};{sid})"
                   f"(OA;CIIO;WP;{LOCKOUT_TIME};{USER_CLASS};{sid})"
                   f"(OA;CIIO;WP;{PWD_LAST_SET};{USER_CLASS};{sid})")
        self.dsacl(f"CN=Password Settings Container,CN=System,{base}", f"(A;CI;RPLCLORC;;;{sid})")

    def dsacl(self, dn: str, sddl: str) -> None:
        run(["samba-tool", "dsacl", "set", "-H", str(self.target / "private" / "sam.ldb"), "-s", str(self.conf),
             f"--objectdn={dn}", f"--sddl={sddl}"])

    @staticmethod
    def _add_user(conn, dn, sam, upn, password, **attributes):
        values = [("objectClass", [b"user"]), ("sAMAccountName", [sam.encode()]),
                  ("userPrincipalName", [upn.encode()]), ("unicodePwd", [unicode_pwd(password)]),
                  ("userAccountControl", [b"512"])]
        values += [(name, [value.encode()]) for name, value in attributes.items() if value]
        conn.add_s(dn, values)

    def add_person(self, *, ou: str = "Students", domain: str = "student.district.example",
                   password: str = "Brave pianos dance on Fridays!", must_change: bool = False,
                   disabled: bool = False, name: str = "Chris Smith", department: str = "Lincoln High School",
                   email: str = "", tag: str = "") -> Person:
        sam = (tag + unique_name())[:20]
        dn = f"CN={sam},OU={ou},{self.base}"
        user_id = f"{sam}@{domain}"
        words = name.split()
        given, surname = words[0], words[-1]
        conn = self.admin()
        try:
            self._add_user(conn, dn, sam, user_id, password, displayName=name, givenName=given, sn=surname,
                           mail=email or user_id, mobile="+15550200", department=department,
                           otherMailbox=f"{sam}@home.example")
            conn.modify_s(f"CN={ou},OU={ou},{self.base}", [(ldap.MOD_ADD, "member", [dn.encode()])])
            if must_change:
                conn.modify_s(dn, [(ldap.MOD_REPLACE, "pwdLastSet", [b"0"])])
            if disabled:
                conn.modify_s(dn, [(ldap.MOD_REPLACE, "userAccountControl", [b"514"])])
        finally:
            conn.unbind_s()
        return Person(user_id, password, dn, sam=sam, display_name=name, group=ou)

    def add_computer(self, name: str) -> str:
        """A computer account (objectClass computer, which derives from user) called name, in
        CN=Computers; its DN."""
        dn = f"CN={name},CN=Computers,{self.base}"
        conn = self.admin()
        try:
            conn.add_s(dn, [("objectClass", [b"computer"]), ("sAMAccountName", [f"{name}$".encode()]),
                            ("displayName", [name.encode()]), ("department", [b"Lincoln High School"]),
                            ("userAccountControl", [b"4096"])])
        finally:
            conn.unbind_s()
        return dn

    def entry(self, dn: str, *attributes: str) -> dict:
        conn = self.admin()
        try:
            return conn.search_s(dn, ldap.SCOPE_BASE, attrlist=list(attributes) or ["*"])[0][1]
        finally:
            conn.unbind_s()
