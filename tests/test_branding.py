"""The organisation's own words, logo and time zone, as a person sees them."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sspr.config import load
from sspr.config.schema import Config
from sspr.demo.models import OutboxMessage

from .conftest import sign_in
from .test_change_password import change

SPANISH = "¿Necesita ayuda? Llame a la mesa de ayuda del distrito."
ENGLISH = "Need help? Call the district help desk."


def page(client, language, path="/signin/"):
    return client.get(path, HTTP_ACCEPT_LANGUAGE=language).content.decode()


@pytest.fixture
def per_language(configure):
    configure(branding={"helpdesk_text": {"en": ENGLISH, "es": SPANISH}})


def test_each_language_reads_its_own_help_desk_sentence_once(client, db, per_language):
    english, spanish = page(client, "en"), page(client, "es")
    assert english.count(ENGLISH) == 1 and SPANISH not in english
    assert spanish.count(SPANISH) == 1 and ENGLISH not in spanish
    for text in (english, spanish):  # the number is one tap away on a phone
        assert 'href="tel:+15550100"' in text


def test_without_a_sentence_of_the_operators_the_page_says_ours_in_its_language(client, db, configure):
    configure(branding={"helpdesk_text": {"en": ENGLISH}})
    assert ENGLISH in page(client, "en")
    spanish = page(client, "es")
    assert ENGLISH not in spanish and "Comuníquese con la mesa de ayuda." in spanish


def test_a_notice_carries_the_sentence_of_the_persons_language(client, staff, per_language, settings):
    settings.DEMO = True
    sign_in(client, staff)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    change(client, staff)
    mails = list(OutboxMessage.objects.filter(channel="email"))
    assert mails and all(SPANISH in mail.body and ENGLISH not in mail.body for mail in mails)


def test_notices_tell_the_time_in_the_organisations_zone(client, staff, settings):
    settings.DEMO = True
    settings.TIME_ZONE = Config.model_validate({"branding": {"time_zone": "America/Chicago"}}).time_zone
    sign_in(client, staff)
    change(client, staff)
    body = OutboxMessage.objects.filter(channel="email").first().body
    assert "(CST)" in body or "(CDT)" in body


def test_the_time_zone_is_the_brandings_and_the_older_server_key_still_works():
    assert load(None, {"SSPR_BRANDING__TIME_ZONE": "America/Chicago"}).time_zone == "America/Chicago"
    assert load(None, {"SSPR_SERVER__TIME_ZONE": "Europe/Madrid"}).time_zone == "Europe/Madrid"
    both = {"SSPR_SERVER__TIME_ZONE": "Europe/Madrid", "SSPR_BRANDING__TIME_ZONE": "America/Chicago"}
    assert load(None, both).time_zone == "America/Chicago"


def test_django_reads_the_organisations_time_zone():
    source = str(Path(__file__).parents[1] / "src")
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": source, "SSPR_BRANDING__TIME_ZONE": "America/Chicago",
           "SSPR_CONFIG": str(Path(__file__).parent / "sspr-test.toml"), "SSPR_DATABASE__URL": "sqlite:///:memory:"}
    result = subprocess.run([sys.executable, "-c", "import sspr.settings as s; print(s.TIME_ZONE)"],
                            capture_output=True, text=True, env=env, check=True)
    assert result.stdout.strip() == "America/Chicago"


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "../../etc/passwd", "not a zone"])
def test_a_wrong_time_zone_is_named(zone):
    with pytest.raises(Exception, match=r"branding\.time_zone"):
        load(None, {"SSPR_BRANDING__TIME_ZONE": zone})


PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360f8cfc0000003010100c9fe92ef0000000049454e44ae426082")


def test_a_logo_file_is_served_by_the_portal_and_shown_in_the_header(client, db, configure, tmp_path):
    logo = tmp_path / "district.png"
    logo.write_bytes(PNG)
    configure(branding={"logo": str(logo)})
    text = page(client, "en")
    assert '<img class="logo" src="/branding/logo.png"' in text
    assert '<link rel="icon" href="/branding/logo.png">' in text
    served = client.get("/branding/logo.png")
    assert served.status_code == 200 and served["Content-Type"] == "image/png" and served.content == PNG
    assert client.get("/branding/logo.svg").status_code == 404  # only the configured file, by its own type


def test_an_svg_logo_may_run_nothing(client, db, configure, tmp_path):
    logo = tmp_path / "logo.svg"
    logo.write_text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    configure(branding={"logo": str(logo)})
    served = client.get("/branding/logo.svg")
    assert served["Content-Type"] == "image/svg+xml"
    assert "sandbox" in served["Content-Security-Policy"] and "script-src" not in served["Content-Security-Policy"]


def test_without_a_logo_the_portal_serves_nothing_and_shows_its_own_icon(client, db):
    assert client.get("/branding/logo.png").status_code == 404
    assert 'rel="icon" href="/static/sspr/favicon' in page(client, "en")


@pytest.mark.parametrize(("name", "content", "problem"), [
    ("logo.exe", b"MZ", "must end in one of"),
    ("missing.png", None, "cannot read"),
    ("huge.png", b"0" * (600 * 1024), "larger than 512 KB"),
])
def test_a_logo_file_that_cannot_serve_is_named_at_start(tmp_path, name, content, problem):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(Exception, match=problem):
        load(None, {"SSPR_BRANDING__LOGO": str(path)})


def test_an_https_logo_is_pointed_at_and_the_older_key_still_works(client, db, configure):
    configure(branding={"logo_url": "/static/sspr/favicon.svg"})
    assert '<img class="logo" src="/static/sspr/favicon.svg"' in page(client, "en")
    configure(branding={"logo": "https://www.district.example/logo.svg", "logo_url": "/old.svg"})
    assert '<img class="logo" src="https://www.district.example/logo.svg"' in page(client, "en")
