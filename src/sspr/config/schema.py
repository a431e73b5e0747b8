"""The typed configuration schema: every key an operator may set, with its default.

Field names are a public interface (operators automate against them): rename nothing.
docs/configuration.md lists the same keys; tests/test_config.py checks the two agree.
"""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

PLACEHOLDER_SECRET = "change-me"


class Section(BaseModel):
    # strict: a port written as "8000" in TOML is a mistake worth naming, not guessing at.
    model_config = ConfigDict(extra="forbid", strict=True)


class Server(Section):
    base_url: str = "http://127.0.0.1:8000"
    secret_key: str = ""
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    workers: int = Field(2, ge=1, le=64)
    trusted_proxies: list[str] = []
    debug: bool = False
    demo: bool = False
    time_zone: str = "UTC"
    language: Literal["en", "es"] = "en"


class Database(Section):
    url: str = "sqlite:///var/sspr.sqlite3"


class Directory(Section):
    backend: Literal["embedded", "ldap", "ad"] = "embedded"
    # User-ID domains, e.g. ["district.example", "student.district.example"]. A bare name
    # gets the only domain appended, or is refused with the list when there are several.
    domains: list[str] = []
    # The embedded directory's own lockout (LDAP and AD enforce theirs).
    lockout_threshold: int = Field(10, ge=1)
    lockout_minutes: int = Field(30, ge=0)


class Passwords(Section):
    # argon2id for the embedded directory; never below OWASP's minimum (19 MiB, t=2, p=1).
    argon2_memory_kib: int = Field(19456, ge=19456)
    argon2_time_cost: int = Field(2, ge=2)
    argon2_parallelism: int = Field(1, ge=1)


class Branding(Section):
    org_name: str = "OpenSSPR"
    helpdesk_text: str = "Contact your help desk."
    helpdesk_phone: str = ""
    helpdesk_url: str = ""
    logo_url: str = ""
    primary_color: str = Field("#1b4f8a", pattern=r"^#[0-9a-fA-F]{6}$")


class Limits(Section):
    # A whole school often shares one public address: keep per-IP limits generous and let the
    # per-account lockout (directory.lockout_threshold) stop guessing at one account.
    signin_failures_per_ip: int = Field(100, ge=1)
    signin_window_minutes: int = Field(15, ge=1)


class Logging(Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"


class Config(Section):
    server: Server = Server()
    database: Database = Database()
    directory: Directory = Directory()
    passwords: Passwords = Passwords()
    branding: Branding = Branding()
    limits: Limits = Limits()
    logging: Logging = Logging()


# Keys that may also be given as <key>_file (a path whose contents are the value).
SECRET_KEYS = {("server", "secret_key"), ("database", "url")}
