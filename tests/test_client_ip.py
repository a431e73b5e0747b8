"""The client address recorded in the audit trail (and used for limits) cannot be forged."""

import pytest
from django.test import Client

from sspr.audit.models import AuditEvent


def signin_attempt_ip(**meta):
    Client(**meta).post("/signin/", {"user_id": "who@district.example", "password": "not this one"})
    return AuditEvent.objects.latest("id").client_ip


@pytest.mark.django_db
def test_an_untrusted_peer_cannot_claim_another_address():
    assert signin_attempt_ip(REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="198.51.100.1") == "203.0.113.7"


@pytest.mark.django_db
def test_a_trusted_proxy_names_the_client():
    assert signin_attempt_ip(REMOTE_ADDR="10.9.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1") == "198.51.100.1"


@pytest.mark.django_db
def test_a_client_cannot_prepend_a_fake_hop_in_front_of_the_proxy():
    # The client sent "X-Forwarded-For: 1.2.3.4"; our proxy appended the real address.
    ip = signin_attempt_ip(REMOTE_ADDR="10.9.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.1")
    assert ip == "198.51.100.1"


@pytest.mark.django_db
def test_chained_trusted_proxies_are_skipped():
    ip = signin_attempt_ip(REMOTE_ADDR="10.9.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1, 10.9.0.2")
    assert ip == "198.51.100.1"


@pytest.mark.django_db
def test_a_malformed_hop_falls_back_to_the_peer():
    assert signin_attempt_ip(REMOTE_ADDR="10.9.0.1", HTTP_X_FORWARDED_FOR="not-an-ip") == "10.9.0.1"


@pytest.mark.django_db
def test_an_untrusted_peer_cannot_claim_https():
    response = Client(REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_PROTO="https").get("/signin/")
    assert "Strict-Transport-Security" not in response  # the request is not treated as secure
