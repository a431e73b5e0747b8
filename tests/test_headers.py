"""Security headers and cookies on every kind of response, error pages included."""

import pytest
from django.test import Client

from .conftest import sign_in

TRUSTED_PROXY = "10.9.0.1"  # inside server.trusted_proxies in tests/sspr-test.toml


def https_client(**kwargs):
    # As the reverse proxy delivers requests: TLS ended at the proxy, which says so.
    return Client(REMOTE_ADDR=TRUSTED_PROXY, HTTP_X_FORWARDED_PROTO="https", **kwargs)


def assert_security_headers(response):
    csp = response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "default-src 'self'" in csp and "object-src 'none'" in csp
    assert "unsafe-inline" not in csp
    assert "'nonce-" in csp
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["X-Frame-Options"] == "DENY"
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_the_sign_in_page_sends_every_header():
    assert_security_headers(https_client().get("/signin/"))


@pytest.mark.django_db
def test_the_account_page_sends_every_header_and_no_store(student):
    client = https_client()
    sign_in(client, student)
    response = client.get("/account/")
    assert response.status_code == 200
    assert_security_headers(response)


@pytest.mark.django_db
def test_a_missing_page_sends_every_header():
    response = https_client().get("/no/such/page/")
    assert response.status_code == 404
    assert "We cannot find that page" in response.content.decode()
    assert_security_headers(response)


@pytest.mark.django_db
def test_a_post_without_csrf_token_is_refused_with_every_header():
    client = https_client(enforce_csrf_checks=True)
    response = client.post("/signin/", {"user_id": "a@district.example", "password": "x"})
    assert response.status_code == 403
    assert "This page has expired" in response.content.decode()
    assert_security_headers(response)


@pytest.mark.django_db
def test_a_server_error_sends_every_header(monkeypatch, django_user_model):
    from sspr.services import people

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(people, "profile", broken)
    client = https_client(raise_request_exception=False)
    client.force_login(django_user_model.objects.create_user("x@district.example"),
                       backend="sspr.accounts.auth.DirectoryBackend")
    response = client.get("/account/")
    assert response.status_code == 500
    assert "boom" not in response.content.decode()
    assert_security_headers(response)


@pytest.mark.django_db
def test_cookies_are_host_prefixed_secure_httponly_and_samesite(student):
    client = https_client()
    client.get("/signin/")
    sign_in(client, student)
    names = set(client.cookies.keys())
    assert names == {"__Host-sspr_session", "__Host-sspr_csrf", "__Host-sspr_familiar"}
    for morsel in client.cookies.values():
        assert morsel["secure"] and morsel["httponly"] and morsel["samesite"] == "Lax"
        assert morsel["path"] == "/" and not morsel["domain"]


@pytest.mark.django_db
def test_the_language_cookie_is_host_prefixed_too():
    client = https_client()
    client.post("/language/", {"language": "es", "next": "/signin/"})
    morsel = client.cookies["__Host-sspr_language"]
    assert morsel["secure"] and morsel["httponly"]
    assert client.get("/signin/")["Content-Language"] == "es"


@pytest.mark.django_db
@pytest.mark.parametrize("fetch_site", [{"HTTP_SEC_FETCH_SITE": "same-origin"}, {}])
def test_our_own_form_posts_pass_csrf_under_no_referrer(student, fetch_site):
    # What a browser sends for our sign-in form under Referrer-Policy: no-referrer (an older
    # browser, or any browser on a plain-http address, sends no Sec-Fetch-Site).
    client = https_client(enforce_csrf_checks=True)
    token = client.get("/signin/").cookies["__Host-sspr_csrf"].value
    response = client.post("/signin/", {"user_id": student.user_id, "password": student.password,
                                        "csrfmiddlewaretoken": token}, HTTP_ORIGIN="null", **fetch_site)
    assert response.status_code == 302


@pytest.mark.django_db
def test_origin_null_without_the_token_is_refused(student):
    client = https_client(enforce_csrf_checks=True)
    client.get("/signin/")
    response = client.post("/signin/", {"user_id": student.user_id, "password": student.password},
                           HTTP_ORIGIN="null")
    assert response.status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("origin, site", [("null", "cross-site"), ("null", "same-site"), ("null", "none"),
                                          ("https://evil.example", "cross-site"), ("https://evil.example", None)])
def test_a_cross_site_post_is_refused_even_with_a_token(student, origin, site):
    client = https_client(enforce_csrf_checks=True)
    token = client.get("/signin/").cookies["__Host-sspr_csrf"].value
    headers = {"HTTP_ORIGIN": origin} | ({"HTTP_SEC_FETCH_SITE": site} if site else {})
    response = client.post("/signin/", {"user_id": student.user_id, "password": student.password,
                                        "csrfmiddlewaretoken": token}, **headers)
    assert response.status_code == 403


@pytest.mark.django_db
def test_a_logo_on_the_districts_website_is_the_one_outside_image_allowed():
    import importlib
    import os

    from sspr import settings as sspr_settings

    os.environ["SSPR_BRANDING__LOGO_URL"] = "https://www.district.example/logo.png"
    try:
        reloaded = importlib.reload(sspr_settings)
        img_src = reloaded.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"]
    finally:
        del os.environ["SSPR_BRANDING__LOGO_URL"]
        importlib.reload(sspr_settings)
    assert img_src[-1] == "https://www.district.example"
    assert "*" not in img_src and "https:" not in img_src
