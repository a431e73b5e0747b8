"""What a text message looks like on the phone: one GSM-7 segment where possible."""

import pytest

from sspr.delivery import Message, send, send_code
from sspr.delivery.gsm import fit, is_gsm7, segments

from .servers import SMTP_USER


@pytest.fixture
def texts(configure, gateway):
    return configure(sms={"backend": "http", "url": gateway.url + "/sms"})


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_code_text_is_one_gsm7_segment_in_every_language(texts, gateway, language):
    send_code("sms", "+12025550123", "482913", language=language)
    text = gateway.requests[0].json["message"]
    assert is_gsm7(text) and segments(text) == 1
    assert text.startswith("482913 ") and text.endswith("\n\n@sspr.test #482913")


def test_spanish_accents_outside_gsm7_are_replaced_not_sent_as_ucs2(texts, gateway):
    send_code("sms", "+12025550123", "482913", language="es")
    text = gateway.requests[0].json["message"]
    assert "482913 es su codigo de Test Unified School District." in text  # "código": ó is not GSM-7


def test_typographic_characters_become_plain_ones():
    assert fit("It’s “here” – now…\u00a0ok") == 'It\'s "here" - now... ok'
    assert fit("Año, café, ÜBER") == "Año, café, ÜBER"  # already GSM-7: unchanged


def test_a_text_in_another_script_is_sent_as_written(texts, gateway):
    send(Message("sms", "+12025550123", "您的验证码是 482913"))
    assert gateway.requests[0].json["message"] == "您的验证码是 482913"


def test_segments_are_counted_as_phones_count_them():
    assert segments("a" * 160) == 1 and segments("a" * 161) == 2
    assert segments("€" * 80) == 1 and segments("€" * 81) == 2  # extension characters take two
    assert segments("ó" * 70) == 1 and segments("ó" * 71) == 2  # UCS-2


def test_texts_through_an_email_gateway(configure, smtp_settings, mail_server):
    configure(email=smtp_settings, sms={"backend": "email", "gateway_address": "{digits}@sms.example.net"})
    send_code("sms", "+12025550123", "482913")
    [received] = mail_server.received
    assert received.recipients == ["12025550123@sms.example.net"] and received.login == SMTP_USER
    message = received.message
    assert message["Subject"] == "" and message.get_content().startswith("482913 is your")
