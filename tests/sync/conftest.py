import pytest

from .servers import GoogleServer, GraphServer, ServiceAccount

ADMIN = "sspr-admin@student.district.example"


@pytest.fixture(autouse=True)
def _database(db):
    """Every sync is a database row first."""


@pytest.fixture(scope="session")
def service_account():
    return ServiceAccount()


@pytest.fixture
def google(certs, service_account):
    server = GoogleServer(certs, service_account, ADMIN)
    yield server
    server.stop()


@pytest.fixture
def graph(certs):
    server = GraphServer(certs)
    yield server
    server.stop()


def google_settings(server, certs, account: ServiceAccount, **changes) -> dict:
    return {"key": account.key_file(), "subject": ADMIN, "token_uri": server.url + "/token", "api_url": server.url,
            "ca_file": str(certs["ca.pem"]), "timeout": 5.0, **changes}


def graph_settings(server, certs, **changes) -> dict:
    return {"tenant": GraphServer.TENANT, "client_id": GraphServer.CLIENT_ID,
            "client_secret": GraphServer.CLIENT_SECRET, "authority_url": server.url, "graph_url": server.url,
            "ca_file": str(certs["ca.pem"]), "timeout": 5.0, "user_key": "{local}@district.example", **changes}


@pytest.fixture
def syncing(configure, google, graph, certs, service_account, smtp_settings):
    """Google then Microsoft 365 as targets, the admins' address on a real SMTP server."""
    def apply(targets=("google", "microsoft"), google_changes=None, graph_changes=None):
        return configure(
            sync={"targets": list(targets),
                  "google": google_settings(google, certs, service_account, **(google_changes or {})),
                  "microsoft": graph_settings(graph, certs, **(graph_changes or {}))},
            email=smtp_settings, delivery={"admin_emails": ["it-alerts@district.example"]})
    return apply
