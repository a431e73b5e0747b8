"""The settings of each sync target ([sync.google], [sync.microsoft]; [sync.directory] is a
[directory] section of its own and lives in the schema beside it).

Settings only: the configuration schema reads this before Django starts (see __init__.py).
"""

import string
from typing import Annotated

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from sspr.config.base import Secret, Section

# What a user_key template may name: the portal's user ID, its two halves, the directory's mail.
USER_KEY_FIELDS = ("user", "local", "domain", "email")


def _user_key(template: str) -> str:
    try:
        names = {name for _text, name, _spec, _conv in string.Formatter().parse(template) if name is not None}
    except ValueError:
        names = {""}
    unknown = sorted(names - set(USER_KEY_FIELDS))
    if not names or unknown:
        raise PydanticCustomError(
            "user_key", "'{template}' must name at least one of {valid} in braces, and nothing else",
            {"template": template, "valid": ", ".join("{" + name + "}" for name in USER_KEY_FIELDS)})
    return template


UserKey = Annotated[str, AfterValidator(_user_key)]


class TargetSettings(Section):
    # How a portal user ID becomes the person's name there: "{user}" (the same), a template such
    # as "{local}@students.district.example", or "{email}" (the directory's mail attribute).
    user_key: UserKey = "{user}"
    # Seconds to wait for each network step (the token, the password write).
    timeout: float = Field(10.0, gt=0, le=60)
    # A CA bundle for the provider's TLS certificate ("" trusts the system's CAs): private
    # endpoints and tests.
    ca_file: str = ""


class GoogleSettings(TargetSettings):
    """[sync.google]: Google Workspace, through a service account with domain-wide delegation."""

    # The service account's JSON key, as Google's console downloads it (use key_file).
    key: Secret = ""
    # The administrator the service account acts as (domain-wide delegation needs one).
    subject: str = ""
    # Where the signed JWT is exchanged for a token, and the Admin SDK's address.
    token_uri: str = "https://oauth2.googleapis.com/token"
    api_url: str = "https://admin.googleapis.com"


class MicrosoftSettings(TargetSettings):
    """[sync.microsoft]: Microsoft 365 / Entra ID, through an app registration (client credentials)."""

    # The directory (tenant) ID or a verified domain, and the app registration's client ID.
    tenant: str = ""
    client_id: str = ""
    # A client secret, or a certificate: its PEM private key and the certificate's SHA-1 thumbprint.
    client_secret: Secret = ""
    certificate_key: Secret = ""
    certificate_thumbprint: str = ""
    authority_url: str = "https://login.microsoftonline.com"
    graph_url: str = "https://graph.microsoft.com"
