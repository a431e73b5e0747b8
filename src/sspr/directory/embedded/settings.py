"""The [directory] keys the embedded directory reads (see sspr.directory.settings)."""

from typing import ClassVar

from pydantic import Field

from ..settings import BackendSettings


class EmbeddedSettings(BackendSettings):
    read_by: ClassVar[tuple[str, ...]] = ("embedded",)

    # The embedded directory's own lockout (LDAP and AD enforce theirs).
    lockout_threshold: int = Field(10, ge=1)
    lockout_minutes: int = Field(30, ge=0)
