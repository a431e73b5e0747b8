"""The [sms] key of the email-to-SMS gateway (email_to_sms.py); the mail server is [email]'s.

Settings only: the configuration schema reads this before Django starts (see __init__.py).
"""

from sspr.config.base import Section


class EmailToSmsSettings(Section):
    # The gateway's address: {to} (+E.164), {digits} (no +) or {national} stands for the number.
    gateway_address: str = ""
