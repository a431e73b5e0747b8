"""The operators' admin can be reached only from admin.allowed_networks: from anywhere else every
/admin/ address is "not found", like any address that does not exist, while the portal stays
everyone's and the operator still signs in from inside."""

import re

import pytest
from django.test import Client

from sspr.audit.models import AuditEvent

from .conftest import admin_sign_in

pytestmark = pytest.mark.django_db

OUTSIDE = {"REMOTE_ADDR": "203.0.113.5"}
OWNER = {"REMOTE_ADDR": "10.0.0.5"}


def owner_signs_in(operator, client=None) -> bool:
    client = client or Client(**OWNER)
    return admin_sign_in(client, operator).status_code == 302 and client.get("/admin/").status_code == 200


ADMIN_ADDRESSES = ["/admin/", "/admin", "/admin/login/", "/admin/login/code/", "/admin/audit/auditevent/",
                   "/admin/logout/", "/admin/no/such/page/"]


def not_found_page(response, url) -> str:
    """The page without what differs on every request (nonce, CSRF token) or names the address
    (the language form comes back to it)."""
    body = response.content.decode().replace(f'value="{url}"', 'value="URL"')
    return re.sub(r'nonce="[^"]+"|value="[A-Za-z0-9]{64}"', "", body)


@pytest.mark.parametrize("url", ADMIN_ADDRESSES)
def test_outside_the_admin_networks_every_admin_address_is_not_found(operator, url, password_checks):
    outsider = Client(**OUTSIDE)
    unknown = outsider.get("/no-such-page/")
    for response in (outsider.get(url), outsider.post(url, {"username": operator.user_id,
                                                            "password": operator.password})):
        assert response.status_code == 404
        assert not_found_page(response, url) == not_found_page(unknown, "/no-such-page/")
    assert not password_checks and not AuditEvent.objects.filter(tag__startswith="signin").exists()
    assert outsider.get("/signin/").status_code == 200  # the portal itself is everyone's
    assert owner_signs_in(operator)


def test_the_address_is_the_one_a_trusted_proxy_names_and_no_one_else(operator):
    # tests/sspr-test.toml trusts the proxies in 10.9.0.0/16.
    via_proxy = Client(REMOTE_ADDR="10.9.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert via_proxy.get("/admin/login/").status_code == 404
    forged = Client(REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="127.0.0.1")
    assert forged.get("/admin/login/").status_code == 404
    inside = Client(REMOTE_ADDR="10.9.0.1", HTTP_X_FORWARDED_FOR="192.168.4.20")
    assert inside.get("/admin/login/").status_code == 200
    assert Client(REMOTE_ADDR="::ffff:10.1.2.3").get("/admin/login/").status_code == 200  # dual-stack listener
    # A proxy on this machine but missing from server.trusted_proxies: its loopback address says
    # nothing about the client it forwards for.
    untrusted_proxy = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert untrusted_proxy.get("/admin/login/").status_code == 404
    assert owner_signs_in(operator, inside)


def test_the_networks_are_configurable_and_an_empty_list_closes_the_admin(operator, configure):
    configure(admin={"allowed_networks": []})
    assert Client(REMOTE_ADDR="127.0.0.1").get("/admin/login/").status_code == 404
    configure(admin={"allowed_networks": ["203.0.113.0/24"]})
    assert Client(**OUTSIDE).get("/admin/login/").status_code == 200
    assert Client(**OWNER).get("/admin/login/").status_code == 404
    assert owner_signs_in(operator, Client(**OUTSIDE))
