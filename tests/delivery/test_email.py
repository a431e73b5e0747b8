"""Email over SMTP, against a real SMTP server (aiosmtpd) that requires STARTTLS and sign-in."""

import re

import pytest

from sspr.audit.models import AuditEvent
from sspr.delivery import DeliveryFailed, Message, send, send_code
from sspr.delivery.models import Delivery

from .servers import MailServer


def parts(received):
    message = received.message
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    return message, text, html


def test_it_emails_a_code_over_starttls_with_text_and_html(with_email, mail_server, student):
    delivery = send_code("email", student.account.email, "482913", account=student.user_id, client_ip="10.1.2.3")
    assert delivery.sent
    [received] = mail_server.received
    assert received.tls and received.login == "portal@district.example"
    assert received.sender == "no-reply@district.example"
    assert received.recipients == ["csmith1234@student.district.example"]
    message, text, html = parts(received)
    assert message["From"] == "Test Unified School District <no-reply@district.example>"
    assert message["To"] == "csmith1234@student.district.example"
    assert message["Reply-To"] == "helpdesk@district.example"
    assert message["Subject"] == "Your Test Unified School District verification code"
    assert message["Content-Language"] == "en"
    assert message["Auto-Submitted"] == "auto-generated"
    assert re.fullmatch(r"<.+@district\.example>", message["Message-ID"])
    assert "Your verification code is 482913" in text and "Call the help desk. +1 555 0100" in text
    assert '<html lang="en">' in html and "482913" in html and "#1b4f8a" in html
    assert "Test Unified School District" in html


def test_the_code_is_the_only_secret_in_the_email(with_email, mail_server, student):
    send_code("email", student.account.email, "482913", account=student.user_id)
    raw = mail_server.received[0].raw.decode()
    assert student.password not in raw
    assert "smtp-pass" not in raw and "test-only-secret-key" not in raw
    _, text, html = parts(mail_server.received[0])
    # No link that could carry a token: the code is typed, not clicked.
    assert "http" not in text
    assert set(re.findall(r"(?<![#\d])\d{6}(?!\d)", text + html)) == {"482913"}


def test_it_writes_in_the_recipients_language(with_email, mail_server, student):
    send_code("email", student.account.email, "482913", language="es")
    message, text, html = parts(mail_server.received[0])
    assert message["Content-Language"] == "es"
    assert '<html lang="es">' in html
    assert "Su código de verificación es 482913" in text
    assert message["Subject"] == "Su código de verificación de Test Unified School District"


def test_the_delivery_is_recorded_and_its_text_erased(with_email, mail_server, student):
    delivery = send_code("email", student.account.email, "482913", account=student.user_id)
    stored = Delivery.objects.get(pk=delivery.pk)
    assert stored.status == "sent" and stored.body == "" and stored.html == ""
    assert stored.provider_id == mail_server.received[0].message["Message-ID"]
    tags = list(AuditEvent.objects.filter(subject=student.user_id).values_list("tag", flat=True))
    assert tags == ["delivery:sent", "delivery:queued"]
    assert "482913" not in str(list(AuditEvent.objects.values_list("detail", flat=True)))


def test_a_refused_recipient_is_a_permanent_failure_in_plain_words(with_email, mail_server):
    mail_server.handler.refuse["gone@district.example"] = "550 5.1.1 User unknown"
    with pytest.raises(DeliveryFailed) as failed:
        send(Message("email", "gone@district.example", "hello", "hi"))
    assert str(failed.value.user_message) == "We could not send email to this address; try another method."
    assert "550" in failed.value.reason
    event = AuditEvent.objects.get(tag="delivery:failed")
    assert "User unknown" in event.detail["error"] and event.detail["to"] == "g•••@district.example"


def test_a_wrong_password_fails_at_once_and_tells_the_admins(configure, smtp_settings, mail_server):
    configure(email={**smtp_settings, "password": "wrong"}, delivery={"admin_emails": ["it@district.example"]})
    with pytest.raises(DeliveryFailed) as failed:
        send(Message("email", "ana@district.example", "hello", "hi"))
    assert str(failed.value.user_message) == "We cannot send email at the moment; try another method."
    assert "user name or password" in failed.value.reason
    assert mail_server.received == []  # the alert cannot go out through the same broken server either
    assert Delivery.objects.get(to="ana@district.example").attempts == 1


def test_an_untrusted_certificate_is_refused_without_falling_back(configure, smtp_settings, certs):
    rogue = MailServer(certs, rogue=True)
    try:
        configure(email={**smtp_settings, "port": rogue.port})
        with pytest.raises(DeliveryFailed) as failed:
            send(Message("email", "ana@district.example", "hello", "hi"))
        assert "certificate" in failed.value.reason
        assert rogue.received == []
    finally:
        rogue.stop()


# aiosmtpd warns of AUTH without STARTTLS; with implicit TLS the whole connection is encrypted.
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
def test_implicit_tls(configure, smtp_settings, certs):
    server = MailServer(certs, implicit_tls=True)
    try:
        configure(email={**smtp_settings, "port": server.port, "security": "tls"})
        assert send(Message("email", "ana@district.example", "hello", "hi")).sent
        assert server.received[0].tls
    finally:
        server.stop()


def test_a_server_that_is_down_leaves_the_message_queued(configure, smtp_settings):
    from .servers import free_port

    configure(email={**smtp_settings, "port": free_port()})
    delivery = send(Message("email", "ana@district.example", "hello", "hi"))
    assert delivery.status == "queued" and not delivery.sent
    assert "cannot reach" in delivery.reason
    assert AuditEvent.objects.filter(tag="delivery:deferred").count() == 1


def test_a_subject_cannot_add_headers(with_email, mail_server):
    send(Message("email", "Ana@District.example", "hello", "Hi\r\nBcc: attacker@evil.example"))
    [received] = mail_server.received
    assert received.recipients == ["Ana@District.example"]
    assert received.message["Subject"] == "Hi Bcc: attacker@evil.example" and received.message["Bcc"] is None


def test_an_address_is_limited_whatever_its_case(configure, smtp_settings, mail_server):
    from sspr.delivery import DeliveryRefused

    configure(email={**smtp_settings, "limit_per_destination": 2})
    send(Message("email", "ana@district.example", "1", "1"))
    send(Message("email", "ANA@district.example", "2", "2"))
    with pytest.raises(DeliveryRefused):
        send(Message("email", "Ana@District.Example", "3", "3"))
    assert len(mail_server.received) == 2
