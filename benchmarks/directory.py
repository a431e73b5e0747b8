"""Benchmark: sign-in and password-change flows on OpenLDAP with {ARGON2} hashes, against a bare
python-ldap flow on the same slapd in the same run.

slapd is the tests' own (tests/directories/servers.py: Debian's package, ppolicy with history 5
and lockout, LDAPS with a throwaway CA), with slapd's argon2 module and `password-hash {ARGON2}`,
equality indexes on objectClass, mail, uid and member,
and its people stored with an argon2id hash at the portal's default parameters (m=19 MiB, t=2,
p=1), so each bind costs slapd one argon2 check. The portal: `sspr serve` (one sync gunicorn
worker per core) with `directory.backend = "ldap"` on that slapd. On the same 2 cores:

- sign-in: the portal's flow (GET the sign-in page, POST the password, load My account) against
  the bare flow a program needs at least: search the person with the service account, bind as
  them (each of 8 client threads keeps one connection of each kind open, as the portal pools them);
- change: sign in, then change the password (the portal: the sign-in flow, then GET and POST
  /account/password/ with the old and the new one), against the bare flow: search and bind as
  above (the sign-in), then, as a second visit does, search and bind again and the person's own
  change as LDAP's Password Modify extended operation with the old password on that connection.
  So the bare change costs slapd two binds and one new hash. Each change flow uses an account of
  its own (ppolicy keeps a history).

Alternating rounds, as in signin.py. The target (issue 15): each portal flow at least 0.8 of the
bare flow's rate. The exit status is non-zero when a target is missed.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time
from itertools import count
from pathlib import Path

from .common import free_port, in_threads, portal_config, portal_env, serve, stop
from .signin import Client, process_cpu_seconds, server_pids

TARGET = 0.8
CONCURRENCY = 8
ROUNDS = 3
PEOPLE = 3000
PASSWORD = "Brave pianos dance on Fridays!"
NEW = "Purple lanterns drift over quiet harbors!"
DOMAIN = "student.district.example"

DIRECTORY = """\
backend = "ldap"
domains = ["{domain}"]
uris = ["{uri}"]
bind_dn = "{service_dn}"
bind_password = "{service_password}"
base_dn = "{base_dn}"
user_filter = "(&(objectClass=inetOrgPerson)(mail={{user}}))"
user_id_attribute = "mail"
group_filter = "(&(objectClass=groupOfNames)(member={{dn}}))"
ca_file = "{ca_file}"
timeout = 10.0

[directory.attributes]
groups = ""
department = "departmentNumber"
"""


def provision(root: Path):
    """The tests' slapd, with {ARGON2} hashes, and PEOPLE people who share one argon2id hash."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from argon2 import PasswordHasher, Type

    from tests.directories.servers import Slapd, TestCA, generalized_now, run

    ca = TestCA(root / "ca")
    slapd = Slapd(root / "slapd", ca)
    slapd.provision()
    conf = slapd.root / "slapd.conf"
    text = conf.read_text().replace("moduleload ppolicy\n", "moduleload ppolicy\nmoduleload argon2\n")
    text = text.replace("\ndatabase mdb\n", "\npassword-hash {ARGON2}\n\ndatabase mdb\n", 1)
    # Indexes on what people are found by, as any directory of thousands has them (the tests'
    # slapd holds a handful of entries and needs none).
    conf.write_text(text.replace("\noverlay ppolicy\n", "\nindex objectClass,mail,uid,member eq\noverlay ppolicy\n", 1))
    encoded = "{ARGON2}" + PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1, type=Type.ID).hash(PASSWORD)
    changed = generalized_now()
    entries = []
    for n in range(PEOPLE):
        uid = f"student{n}"
        entries.append(f"dn: uid={uid},ou=people,{slapd.suffix}\nobjectClass: inetOrgPerson\nuid: {uid}\n"
                       f"cn: Student {n}\nsn: {n}\ndisplayName: Student {n}\nmail: {uid}@{DOMAIN}\n"
                       f"departmentNumber: Lincoln High School\nuserPassword: {encoded}\n"
                       f"pwdChangedTime: {changed}\n")
    (slapd.root / "people.ldif").write_text("\n".join(entries))
    run(["slapadd", "-f", str(conf), "-q", "-l", str(slapd.root / "people.ldif")])
    run(["slapindex", "-f", str(conf), "-q"])  # the entries added before the indexes were configured
    slapd.start()
    return slapd, ca


def bare_flows(slapd, ca, accounts, seconds: float, change: bool) -> int:
    """Bare python-ldap flows completed by CONCURRENCY threads within seconds."""
    import ldap
    from ldap.filter import escape_filter_chars

    from tests.directories.servers import connect

    done = [0]
    deadline = time.monotonic() + seconds

    def client() -> None:
        service, user = connect(slapd.ldaps_uri, ca.cert), connect(slapd.ldaps_uri, ca.cert)
        try:
            service.simple_bind_s(slapd.service_dn, slapd.service_password)
            while time.monotonic() < deadline:
                user_id = accounts()
                found = service.search_s(slapd.suffix, ldap.SCOPE_SUBTREE,
                                         f"(&(objectClass=inetOrgPerson)(mail={escape_filter_chars(user_id)}))",
                                         ["mail", "displayName", "departmentNumber"])
                dn = found[0][0]
                user.simple_bind_s(dn, PASSWORD)
                if change:  # a second visit: the person found and bound again, then Password Modify
                    dn = service.search_s(slapd.suffix, ldap.SCOPE_SUBTREE, f"(mail={escape_filter_chars(user_id)})",
                                          ["1.1"])[0][0]
                    user.simple_bind_s(dn, PASSWORD)
                    user.passwd_s(dn, PASSWORD, NEW)
                done[0] += 1
        finally:
            service.unbind_s()
            user.unbind_s()

    in_threads(CONCURRENCY, client)
    return done[0]


def portal_flows(port: int, accounts, seconds: float, change: bool) -> int:
    done = [0]
    deadline = time.monotonic() + seconds

    def client() -> None:
        browser = Client(port)
        while time.monotonic() < deadline:
            browser.flow(accounts())
            if change:
                browser.change(PASSWORD, NEW)
            done[0] += 1

    in_threads(CONCURRENCY, client)
    return done[0]


def run(seconds: float = 12.0) -> int:
    cores = os.cpu_count() or 1
    folder = Path(tempfile.mkdtemp(prefix="sspr-bench-directory-"))
    server = slapd = None
    try:
        slapd, ca = provision(folder)
        port = free_port()
        directory = DIRECTORY.format(domain=DOMAIN, uri=slapd.ldaps_uri, service_dn=slapd.service_dn,
                                     service_password=slapd.service_password, base_dn=slapd.suffix, ca_file=ca.cert)
        (folder / "sspr.toml").write_text(portal_config("benchmarks/directory.py", port=port, workers=cores,
                                                        database=folder / "sspr.sqlite3", directory=directory))
        env = portal_env(folder / "sspr.toml")
        subprocess.run([sys.executable, "-m", "sspr", "migrate", "--verbosity", "0"], env=env, cwd=folder,
                       check=True, capture_output=True)
        server = serve(env, folder, port)
        # Sign-ins may repeat accounts; every change takes an unused one (ppolicy keeps a history).
        # (itertools.count is safe to share between threads; a generator is not.)
        signed, changed = count(), count(500)

        def signins() -> str:
            return f"student{next(signed) % 500}@{DOMAIN}"

        def changes() -> str:
            number = next(changed)
            assert number < PEOPLE, "more change flows than accounts: raise PEOPLE"
            return f"student{number}@{DOMAIN}"

        portal_flows(port, signins, 2.0, change=False)  # warm up
        bare_flows(slapd, ca, signins, 1.0, change=False)
        load_before = os.getloadavg()
        slice_ = seconds / ROUNDS
        counts = dict.fromkeys(("bare sign-in", "portal sign-in", "bare change", "portal change"), 0)
        slapd_cpu = dict.fromkeys(counts, 0.0)
        slapd_pid = [str(slapd.process.pid)]
        pids = server_pids(server.pid)
        portal_cpu = {"portal sign-in": 0.0, "portal change": 0.0}
        for _round in range(ROUNDS):
            for key, measure in (("bare sign-in", lambda: bare_flows(slapd, ca, signins, slice_, False)),
                                 ("portal sign-in", lambda: portal_flows(port, signins, slice_, False)),
                                 ("bare change", lambda: bare_flows(slapd, ca, changes, slice_, True)),
                                 ("portal change", lambda: portal_flows(port, changes, slice_, True))):
                before, web_before = process_cpu_seconds(slapd_pid), process_cpu_seconds(pids)
                counts[key] += measure()
                slapd_cpu[key] += process_cpu_seconds(slapd_pid) - before
                if key in portal_cpu:
                    portal_cpu[key] += process_cpu_seconds(pids) - web_before
        load_after = os.getloadavg()
    finally:
        stop(server)
        if slapd is not None:
            slapd.stop()
        shutil.rmtree(folder, ignore_errors=True)

    print(f"Directory flows: OpenLDAP with {{ARGON2}} (argon2id m=19 MiB t=2 p=1), {CONCURRENCY} clients, "
          f"{seconds:g} s per flow kind ({ROUNDS} alternating rounds), {cores} cores")
    print(f"  load average before {load_before[0]:.2f}, after {load_after[0]:.2f}")
    status = 0
    for kind in ("sign-in", "change"):
        bare, portal = counts[f"bare {kind}"] / seconds, counts[f"portal {kind}"] / seconds
        ratio = portal / bare
        verdict = "PASS" if ratio >= TARGET else "FAIL"
        print(f"  {kind:<8} bare python-ldap {bare:6.1f} flows/s, portal {portal:6.1f} flows/s: "
              f"{ratio:.2f}   target >= {TARGET}: {verdict}")
        per = {key: slapd_cpu[key] / max(1, counts[key]) * 1000 for key in (f"bare {kind}", f"portal {kind}")}
        web = portal_cpu[f"portal {kind}"] / max(1, counts[f"portal {kind}"]) * 1000
        print(f"  {'':<8} slapd CPU per flow: bare {per[f'bare {kind}']:.1f} ms, portal {per[f'portal {kind}']:.1f} ms;"
              f" portal's own (gunicorn) {web:.1f} ms")
        if ratio < TARGET:
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(run(float(sys.argv[1]) if len(sys.argv) > 1 else 12.0))
