"""The [email] keys of the SMTP back-end (smtp.py). Email-to-SMS sends through the same server.

Settings only: the configuration schema reads this before Django starts (see __init__.py).
"""

from typing import Literal

from pydantic import Field

from sspr.config.base import Secret, Section


class SmtpSettings(Section):
    host: str = ""
    # 0: the usual port for the security chosen (587 starttls, 465 tls, 25 none).
    port: int = Field(0, ge=0, le=65535)
    security: Literal["starttls", "tls", "none"] = "starttls"
    username: str = ""
    password: Secret = ""
    from_address: str = ""
    reply_to: str = ""
    # Seconds for each network step; a slow server never holds a request longer.
    timeout: float = Field(10.0, gt=0, le=60)
    # CA certificates (PEM) that sign the server's certificate; empty: the system's.
    ca_file: str = ""
