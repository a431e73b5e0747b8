"""API keys on the console: an admin makes one (shown once) and revokes it; nobody else can."""

import re

from sspr.accounts.models import ApiKey
from sspr.audit.models import AuditEvent

from .conftest import console_sign_in


def test_an_admin_makes_a_key_shown_once_that_the_api_accepts_and_revokes_it(client, console_admin):
    console_sign_in(client, console_admin)
    page = client.post("/console/api-keys/", {"name": "ticketing", "role": "helpdesk",
                                              "scopes": ["people:read", "people:write"]}).content.decode()
    key = re.search(r'<p class="idea" data-secret>([^<]+)</p>', page).group(1).strip()
    assert ApiKey.objects.get(name="ticketing").scopes == ["people:read", "people:write"]
    assert key not in client.get("/console/api-keys/").content.decode()  # never shown again
    assert client.get("/api/v1/people?q=chris", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    client.post("/console/api-keys/ticketing/revoke/")
    assert client.get("/api/v1/people?q=chris", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401
    assert AuditEvent.objects.filter(tag="apikey:create", actor=console_admin.user_id).exists()


def test_a_key_the_role_cannot_hold_is_refused_with_the_reason(client, console_admin):
    console_sign_in(client, console_admin)
    response = client.post("/console/api-keys/", {"name": "siem", "role": "auditor", "scopes": ["people:write"]})
    assert response.status_code == 400 and "cannot hold" in response.content.decode()
    assert not ApiKey.objects.exists()


def test_a_technician_cannot_make_or_revoke_keys(client, technician):
    console_sign_in(client, technician)
    assert client.get("/console/api-keys/").status_code == 403
    response = client.post("/console/api-keys/", {"name": "mine", "role": "helpdesk", "scopes": ["people:read"]})
    assert response.status_code == 403 and not ApiKey.objects.exists()
