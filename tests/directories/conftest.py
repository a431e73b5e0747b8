"""The directory back-ends against real servers started for the session: the contract suite
(test_contract.py: the embedded directory, OpenLDAP and Samba AD through the `backend` fixture,
the two servers through `server`) and what each back-end alone does (test_openldap.py,
test_samba_ad.py).

Every test in this folder is marked `directories` (the PostgreSQL pass of `make test` leaves
them out: they do not touch the database differently). slapd starts in a second; Samba's
provisioning takes about 25 s, so it begins in the background as soon as collection shows an
AD test will run, and the tests on Samba run last, the others meanwhile. A server that cannot
start fails the tests that need it; nothing is skipped.

Each test makes its own people (unique user IDs), so tests do not depend on each other's
passwords, lockouts or order.
"""

import shutil
import tempfile
from pathlib import Path

import pytest

from sspr.directory import get_directory

from .backends import Backend, Embedded, OpenLdap, Samba, ServerBackend, ad_settings, openldap_settings
from .servers import SambaDC, Slapd, TestCA

HERE = Path(__file__).resolve().parent
_session = {}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.directories)
    # Tests on Samba last (a stable sort: the order is otherwise kept), so everything else runs
    # while it provisions.
    items.sort(key=needs_samba)


def needs_samba(item) -> bool:
    path = Path(str(item.path)).resolve()
    if HERE not in path.parents:
        return False
    callspec = getattr(item, "callspec", None)
    return path.name == "test_samba_ad.py" or bool(callspec and "samba" in (callspec.params.get("backend"),
                                                                              callspec.params.get("server")))


def pytest_collection_finish(session):
    if any(needs_samba(item) for item in session.items):
        samba()  # provisioning starts now, in the background


def pytest_sessionfinish(session):
    if "samba" in _session:
        _session["samba"].release()
    if "slapd" in _session:
        _session["slapd"].stop()
    if "root" in _session:
        shutil.rmtree(_session["root"], ignore_errors=True)


def root() -> Path:
    if "root" not in _session:
        _session["root"] = Path(tempfile.mkdtemp(prefix="sspr-directories-"))
    return _session["root"]


def session_ca() -> TestCA:
    if "ca" not in _session:
        _session["ca"] = TestCA(root() / "ca")
    return _session["ca"]


def samba() -> SambaDC:
    if "samba" not in _session:
        server = SambaDC(root() / "samba", session_ca())
        server.begin_provisioning()
        _session["samba"] = server
    return _session["samba"]


@pytest.fixture(scope="session")
def ca() -> TestCA:
    return session_ca()


@pytest.fixture(scope="session")
def untrusted_ca() -> TestCA:
    return TestCA(root() / "untrusted-ca", name="Somebody Else's CA")


@pytest.fixture(scope="session")
def slapd(ca) -> Slapd:
    server = Slapd(root() / "slapd", ca)
    _session["slapd"] = server
    server.provision()
    server.start()
    return server


@pytest.fixture(scope="session")
def samba_dc() -> SambaDC:
    server = samba()
    server.finish_provisioning()
    server.start()
    server.configure()
    return server


def close_directory() -> None:
    if get_directory.cache_info().currsize:
        directory = get_directory()
        if hasattr(directory, "close"):
            directory.close()
    get_directory.cache_clear()


@pytest.fixture
def use_directory(settings):
    """use_directory(**fields): this test's [directory] section; returns the new back-end."""

    def use(**fields):
        config = settings.CONFIG
        settings.CONFIG = config.model_copy(update={"directory": config.directory.model_copy(update=fields)})
        close_directory()
        return get_directory()

    yield use
    close_directory()


@pytest.fixture
def openldap(db, slapd, ca, use_directory):
    return use_directory(**openldap_settings(slapd, ca))


@pytest.fixture
def active_directory(db, samba_dc, ca, use_directory):
    return use_directory(**ad_settings(samba_dc, ca))


@pytest.fixture(params=["embedded", "openldap", "samba"])
def backend(request, db, ca, use_directory) -> Backend:
    """Each back-end in turn, for the behaviours all three share (test_contract.py)."""
    if request.param == "embedded":
        return Embedded(use_directory)
    return server_backend(request, ca, use_directory)


@pytest.fixture(params=["openldap", "samba"])
def server(request, db, ca, use_directory) -> ServerBackend:
    """Each back-end on a real server in turn, for what only the servers do (their own policy,
    TLS, failover, `sspr check`)."""
    return server_backend(request, ca, use_directory)


def server_backend(request, ca: TestCA, use_directory) -> ServerBackend:
    if request.param == "openldap":
        return OpenLdap(request.getfixturevalue("slapd"), ca, use_directory)
    return Samba(request.getfixturevalue("samba_dc"), ca, use_directory)
