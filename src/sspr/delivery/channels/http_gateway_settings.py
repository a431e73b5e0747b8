"""The keys of the generic HTTP gateway (http_gateway.py), the same in [sms] and [voice].

Settings only: the configuration schema reads this before Django starts (see __init__.py).
"""

from typing import Literal

from sspr.config.base import Secret, Section


class HttpGatewaySettings(Section):
    # {to}, {message}, {language} and {token} in url, headers and body are replaced, each escaped
    # for where it stands (URL, JSON, form, XML).
    url: str = ""
    method: Literal["POST", "GET", "PUT"] = "POST"
    headers: dict[str, str] = {}
    body: str = '{"to": "{to}", "message": "{message}"}'
    # A secret for the gateway, e.g. headers = {Authorization = "Bearer {token}"}.
    token: Secret = ""
