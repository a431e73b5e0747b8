"""The documentation cannot drift from the code it describes.

docs/configuration.md has one table row per configuration key (first cell `section.key`,
third cell the default as a TOML literal). These tests walk the pydantic schema and check
that every key has its row with the right default, that no row or prose mention names a key
the schema lacks, and that docs/dependencies.md explains every pinned package.
"""

import json
import re
import typing
from pathlib import Path

import pytest
from pydantic import BaseModel, Field
from pydantic.fields import FieldInfo

from sspr.config import secret_keys
from sspr.config.schema import Config, Section

ROOT = Path(__file__).resolve().parent.parent
CONFIGURATION = ROOT / "docs" / "configuration.md"
DEPENDENCIES = ROOT / "docs" / "dependencies.md"
KEY_TABLE_HEADER = re.compile(r"^\|\s*Key\s*\|\s*Type\s*\|\s*Default\s*\|\s*Example\s*\|\s*Meaning\s*\|\s*$")
BACKTICKED = re.compile(r"`([^`]+)`")
DOTTED_NAME = re.compile(r"[a-z_][a-z0-9_]*(?:\.[a-z0-9_<>]+)+")
FENCED = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)


def _model(annotation) -> type[BaseModel] | None:
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None


def schema_keys(model: type[BaseModel] = Config, prefix: str = "") -> dict[str, FieldInfo]:
    """Every key an operator can set, as its dotted name: sections become prefixes, and a table
    of sub-sections (dict[str, Model], such as password_policy.groups) is listed once under a
    placeholder (`password_policy.groups.<group>.min_length`)."""
    keys = {}
    for name, field in model.model_fields.items():
        path = prefix + name
        if section := _model(field.annotation):
            keys.update(schema_keys(section, path + "."))
            continue
        keys[path] = field
        if typing.get_origin(field.annotation) is dict and (values := _model(typing.get_args(field.annotation)[1])):
            keys.update(schema_keys(values, f"{path}.<{name.removesuffix('s')}>."))
    return keys


def documented_rows(text: str) -> dict[str, list[str]]:
    """Key -> the cells of its row, from every table whose header is the key-table header."""
    rows, in_table = {}, False
    for line in text.splitlines():
        if KEY_TABLE_HEADER.match(line):
            in_table = True
            continue
        if not line.startswith("|"):
            in_table = False
            continue
        if not in_table or set(line) <= set("|-: "):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        key = BACKTICKED.fullmatch(cells[0])
        assert key, f"docs/configuration.md: a key-table row must start with a `section.key` cell: {line}"
        assert key[1] not in rows, f"docs/configuration.md: {key[1]} has two rows"
        assert len(cells) == 5, f"docs/configuration.md: {key[1]} needs 5 cells (a stray '|'?): {line}"
        rows[key[1]] = cells
    return rows


def toml_literal(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(toml_literal(item) for item in value) + "]"
    if isinstance(value, dict) and not value:
        return "{}"
    raise TypeError(f"no TOML rendering for {value!r}")


def problems(keys: dict[str, FieldInfo], text: str) -> list[str]:
    """Every way the text and the schema disagree; empty when they agree."""
    rows = documented_rows(text)
    found = [f"{key}: in the schema, missing from docs/configuration.md" for key in keys if key not in rows]
    found += [f"{key}: documented, but the schema has no such key" for key in rows if key not in keys]
    for key, field in keys.items():
        if key not in rows:
            continue
        default = field.get_default(call_default_factory=True)
        shown = BACKTICKED.search(rows[key][2])
        if default is None:
            if shown:
                found.append(f"{key}: the schema has no default, the docs show {shown[1]}")
        elif not shown or shown[1] != toml_literal(default):
            found.append(f"{key}: default is {toml_literal(default)}, the docs show {rows[key][2]!r}")
    sections = {key.split(".")[0] for key in keys}
    secret_files = {f"{key}_file" for key in secret_keys()}
    prose = FENCED.sub("", text)
    for mention in BACKTICKED.findall(prose):
        name = DOTTED_NAME.match(mention)
        name = name and name[0]
        if name and name.split(".")[0] in sections and name not in keys and name not in secret_files:
            found.append(f"{name}: mentioned in docs/configuration.md, but the schema has no such key")
    for section in sections:
        if not re.search(rf"^#+ .*`\[{re.escape(section)}\]`", text, re.MULTILINE):
            found.append(f"[{section}]: no heading for the section in docs/configuration.md")
    for name in sorted(secret_files):
        if f"`{name}`" not in text:
            found.append(f"{name}: a secret's file form, not explained in docs/configuration.md")
    return found


def test_the_schema_walk_sees_every_section_and_key():
    keys = schema_keys()
    assert {"server.base_url", "server.secret_key", "server.trusted_proxies", "database.url", "directory.backend",
            "branding.org_name", "branding.helpdesk_text"} <= set(keys)
    assert set(Config.model_fields) == {key.split(".")[0] for key in keys}


def test_configuration_md_documents_every_key_and_no_other():
    found = problems(schema_keys(), CONFIGURATION.read_text(encoding="utf-8"))
    assert not found, "docs/configuration.md disagrees with src/sspr/config/schema.py:\n" + "\n".join(found)


class _Archive(Section):
    keep_days: int = Field(365, ge=1)


class _ExtendedConfig(Config):
    archive: _Archive = _Archive()


class _ExtendedServer(Section):
    base_url: str = "https://elsewhere.example"


def test_the_check_notices_an_undocumented_key_a_stale_default_and_an_unknown_name():
    text = CONFIGURATION.read_text(encoding="utf-8")
    found = problems(schema_keys(_ExtendedConfig), text)
    assert "archive.keep_days: in the schema, missing from docs/configuration.md" in found
    assert "[archive]: no heading for the section in docs/configuration.md" in found
    found = problems({**schema_keys(), **schema_keys(_ExtendedServer, "server.")}, text)
    assert any(problem.startswith("server.base_url: default is") for problem in found)
    found = problems(schema_keys(), text + "\nSet `server.prot` to 80.\n")
    assert found == ["server.prot: mentioned in docs/configuration.md, but the schema has no such key"]


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name.lower())


@pytest.mark.parametrize("lock", ["requirements.lock", "requirements-test.lock"])
def test_dependencies_md_explains_every_pinned_package(lock):
    text = DEPENDENCIES.read_text(encoding="utf-8").lower()
    pinned = [line.split("==")[0].strip() for line in (ROOT / lock).read_text().splitlines()
              if "==" in line and not line.startswith("#")]
    assert pinned
    missing = [name for name in pinned if f"`{normalise(name)}`" not in normalise(text)]
    assert not missing, f"docs/dependencies.md does not explain {', '.join(missing)} (pinned in {lock})"
