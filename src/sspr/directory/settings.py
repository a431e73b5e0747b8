"""What each back-end's settings model shares.

A back-end declares the `[directory]` keys it reads in a model of its own (EmbeddedSettings,
LdapSettings), and the configuration schema composes the `[directory]` section from the keys
every back-end shares plus each back-end's model (sspr.config.schema.Directory). The section
stays one flat table, so every key keeps its name, environment override and `_file` form.

Only pydantic is imported here and in the back-ends' settings modules: the configuration is
loaded before Django, and without python-ldap.
"""

from typing import ClassVar, Self

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError


class BackendSettings(BaseModel):
    """Keys that only some back-ends read. Set to anything but its default while
    directory.backend names another back-end, such a key would be silently ignored (an LDAP
    lockout_threshold that locks nobody out), so the configuration is refused, naming the key.
    A key written with its default value changes nothing and is accepted: `sspr init`'s starter
    file writes the embedded lockout keys, and switching backend must not trip over them."""

    # The same rules as every section of the schema (sspr.config.schema.Section), which cannot
    # be imported here: the schema imports this module.
    model_config = ConfigDict(extra="forbid", strict=True)
    # The directory.backend values that read the keys a model declares (set by each back-end's model).
    read_by: ClassVar[tuple[str, ...]] = ()

    @model_validator(mode="after")
    def _keys_of_other_backends_left_at_their_defaults(self) -> Self:
        backend = getattr(self, "backend", None)
        if backend is None:  # a model on its own, not composed into [directory]
            return self
        ignored = []
        for model in type(self).__mro__:
            # Each back-end's model names its readers itself; the composed section inherits read_by.
            if not issubclass(model, BackendSettings) or "read_by" not in vars(model) or backend in model.read_by:
                continue
            for name, field in model.model_fields.items():
                value = getattr(self, name)
                if value != field.get_default(call_default_factory=True):
                    ignored.append(InitErrorDetails(
                        type=PydanticCustomError(
                            "key_of_another_backend",
                            "only read when directory.backend is {readers}, and it is \"{backend}\": remove the "
                            "key, or set directory.backend",
                            {"readers": " or ".join(f'"{reader}"' for reader in model.read_by), "backend": backend}),
                        loc=(name,), input=value))
        if ignored:
            raise ValidationError.from_exception_data(type(self).__name__, ignored)
        return self
