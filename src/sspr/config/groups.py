"""Settings that differ per group: a section's base rules, with the overrides of the first group
listed under its `groups` table that the person belongs to. Students and staff differ in every
district; the order of the table decides for someone in both."""

from collections.abc import Collection, Mapping
from typing import Protocol, TypeVar

from pydantic import BaseModel

Rules = TypeVar("Rules", bound=BaseModel)


class GroupedSection(Protocol):
    """A section with base rules as its fields and a `groups` table of overrides."""

    @property
    def groups(self) -> Mapping[str, BaseModel]: ...


def rules_for_groups(section: GroupedSection, rules_model: type[Rules], groups: Collection[str]) -> Rules:
    merged = {name: getattr(section, name) for name in rules_model.model_fields}
    for group, override in section.groups.items():
        if group in groups:
            merged.update(override.model_dump(exclude_none=True))
            break
    return rules_model(**merged)
