"""Browser harness: Playwright's sync API drives Debian's Chromium (never a downloaded one) against
Django's live_server, which serves the app under the test settings (tests/sspr-test.toml).

Every test in this folder is marked `browser` (pytest_collection_modifyitems below), so
`pytest -m "not browser"` skips them all. One Chromium is launched for the whole session; each
test gets fresh browser contexts (cookies, language, viewport).

Cookies: the test configuration's base_url is https://sspr.test, so the session, CSRF and
language cookies are Secure and named __Host-...; live_server serves plain http://localhost.
Chromium counts http://localhost as a secure context and accepts Secure (hence __Host-) cookies
from it, so signing in works here with every cookie setting exactly as in production.
"""

from pathlib import Path

import pytest
from playwright.sync_api import Page

from .helpers import LOCALES

CHROMIUM = "/usr/bin/chromium"
HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"],
    }


@pytest.fixture
def context(new_context):
    # pytest-playwright's `page` lives in this context: English, as Accept-Language follows
    # the context's locale. Other languages and viewports: page_in() below.
    return new_context(locale=LOCALES["en"])


@pytest.fixture
def site(live_server) -> str:
    """The live server's root URL, without a trailing slash."""
    return live_server.url.rstrip("/")


@pytest.fixture
def page_in(new_context):
    """page_in("es") opens a page in a fresh context whose browser asks for Spanish
    (Accept-Language: es-ES); keyword arguments go to the context (e.g. **PHONE)."""
    def open_page(language: str = "en", **context_args) -> Page:
        return new_context(locale=LOCALES[language], **context_args).new_page()
    return open_page


@pytest.fixture(params=sorted(LOCALES))
def language(request) -> str:
    """Parametrises a test over English and Spanish."""
    return request.param


@pytest.fixture
def lang_page(page_in, language) -> Page:
    return page_in(language)
