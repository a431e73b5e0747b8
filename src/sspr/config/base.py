"""What every settings model is built from, wherever it lives: the schema's own sections, and the
models that delivery channels and the directory keep beside their code.

Imports nothing from the rest of OpenSSPR and nothing from Django, so any settings module can use
it and the configuration still loads before Django starts.
"""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field
from pydantic.fields import FieldInfo


class Section(BaseModel):
    # strict: a port written as "8000" in TOML is a mistake worth naming, not guessing at.
    model_config = ConfigDict(extra="forbid", strict=True)


class _ReadFromFile:
    """Marks a key whose value may instead be read from the file named by `<key>_file`."""

    def __repr__(self) -> str:
        return "Secret"


_READ_FROM_FILE = _ReadFromFile()

# A password, token or key. It may be given as `<key>_file` (Docker and systemd credentials, secret
# stores that write files), and it is left out of the model's repr so it never lands in a log line.
Secret = Annotated[str, Field(repr=False), _READ_FROM_FILE]


def is_secret(field: FieldInfo) -> bool:
    return _READ_FROM_FILE in field.metadata
