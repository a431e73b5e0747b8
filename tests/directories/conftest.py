"""The OpenLDAP and Active Directory back-ends against real servers started for the session.

Every test in this folder is marked `directories` (the PostgreSQL pass of `make test` leaves
them out: they do not touch the database differently). slapd starts in a second; Samba's
provisioning takes about 25 s, so it begins in the background as soon as collection shows an
AD test will run, and the OpenLDAP tests run meanwhile. A server that cannot start fails the
tests that need it; nothing is skipped.

Each test makes its own people (unique user IDs), so tests do not depend on each other's
passwords, lockouts or order.
"""

import shutil
import tempfile
from pathlib import Path

import pytest

from sspr.directory.ldap.settings import LdapAttributes
from sspr.directory import get_directory

from .servers import SambaDC, Slapd, TestCA

HERE = Path(__file__).resolve().parent
_session = {}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.directories)


def pytest_collection_finish(session):
    if any(Path(str(item.path)).name == "test_samba_ad.py" for item in session.items):
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


def openldap_settings(slapd: Slapd, ca: TestCA, **overrides) -> dict:
    return {
        "backend": "ldap",
        "uris": [slapd.ldaps_uri],
        "bind_dn": slapd.service_dn,
        "bind_password": slapd.service_password,
        "base_dn": slapd.suffix,
        # People sign in with their email-style ID, as directory.domains expects.
        "user_filter": "(&(objectClass=inetOrgPerson)(mail={user}))",
        "user_id_attribute": "mail",
        "group_filter": "(&(objectClass=groupOfNames)(member={dn}))",
        "ca_file": str(ca.cert),
        "timeout": 2.0,
        "attributes": LdapAttributes(groups="", department="departmentNumber"),
        **overrides,
    }


def ad_settings(samba: SambaDC, ca: TestCA, **overrides) -> dict:
    return {
        "backend": "ad",
        "uris": [samba.ldaps_uri],
        "bind_dn": samba.service_user,
        "bind_password": samba.service_password,
        "base_dn": samba.base,
        "ca_file": str(ca.cert),
        "timeout": 3.0,
        "attributes": LdapAttributes(alternate_email="otherMailbox"),
        **overrides,
    }


@pytest.fixture
def openldap(db, slapd, ca, use_directory):
    return use_directory(**openldap_settings(slapd, ca))


@pytest.fixture
def active_directory(db, samba_dc, ca, use_directory):
    return use_directory(**ad_settings(samba_dc, ca))
