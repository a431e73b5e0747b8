"""The API's interactive page (Swagger UI) works in a real browser under the site's strict
Content-Security-Policy: it draws the operations from the description, with no violation."""

import pytest

pytestmark = pytest.mark.browser


def test_the_api_page_draws_the_operations_without_a_policy_violation(page, live_server):
    violations, errors = [], []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/api/v1/docs")
    page.get_by_text("/api/v1/people/{user_id}/reset", exact=True).wait_for(timeout=15000)
    assert page.locator(".opblock").count() >= 14
    assert violations == [] and errors == []
