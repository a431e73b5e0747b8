"""[twilio]: the account that both Twilio back-ends (twilio.py), texts and calls, use.

Settings only: the configuration schema reads this before Django starts (see __init__.py).
"""

from sspr.config.base import Secret, Section


class TwilioSettings(Section):
    account_sid: str = ""
    auth_token: Secret = ""
    # A number of the account (+E.164), or a Messaging Service SID (MG...) for texts.
    from_number: str = ""
    base_url: str = "https://api.twilio.com"
