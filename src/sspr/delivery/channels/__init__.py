"""One module per delivery back-end, named here by dotted path per channel; sspr.delivery.registry
imports the configured one on first use, and the configuration schema takes the names it allows
for [email], [sms] and [voice] `backend` from this table. So nothing here imports Django.

A back-end's settings that are its alone live in a `<module>_settings.py` beside it, which imports
only pydantic and sspr.config.base for the same reason (see docs/adding-a-delivery-channel.md).
"""

BACKENDS: dict[str, dict[str, str]] = {
    "email": {
        "smtp": "sspr.delivery.channels.smtp.SmtpEmail",
        "console": "sspr.delivery.channels.console.Console",
        "demo": "sspr.delivery.channels.demo.Demo",
    },
    "sms": {
        "twilio": "sspr.delivery.channels.twilio.TwilioSms",
        "http": "sspr.delivery.channels.http_gateway.HttpGateway",
        "email": "sspr.delivery.channels.email_to_sms.EmailToSms",
        "console": "sspr.delivery.channels.console.Console",
        "demo": "sspr.delivery.channels.demo.Demo",
    },
    "voice": {
        "twilio": "sspr.delivery.channels.twilio.TwilioVoice",
        "http": "sspr.delivery.channels.http_gateway.HttpGateway",
        "console": "sspr.delivery.channels.console.Console",
        "demo": "sspr.delivery.channels.demo.Demo",
    },
}
