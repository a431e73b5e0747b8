"""The Spanish catalog is complete, free of fuzzy entries, keeps every placeholder and tag, and
the committed django.mo is compiled from the committed django.po (`make messages` rebuilds both).

The .po parser below is deliberately small (no polib); the .mo is read with the standard
library's gettext."""

import ast
import gettext
import re
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parent.parent / "src" / "sspr" / "locale"
PO = LOCALE / "es" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")

PLACEHOLDER = re.compile(r"%\([^)]+\)[sdif]|\{[a-z_]+\}")
TAG = re.compile(r"</?[a-z][^>]*>")


def read_po(path: Path) -> list[dict]:
    """Entries as {"flags", "msgid", "msgid_plural", "msgstr": {index: text}}; the header first."""
    entries, entry, field = [], None, None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            entry = field = None
            continue
        if entry is None:
            entry = {"flags": set(), "msgid": None, "msgid_plural": None, "msgstr": {}, "obsolete": False}
            entries.append(entry)
        if line.startswith("#~"):
            entry["obsolete"] = True
        elif line.startswith("#,"):
            entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif match := re.match(r'^(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(".*")$', line):
            keyword, index, text = match[1], match[2], ast.literal_eval(match[3])
            field = (keyword, int(index or 0))
            if keyword == "msgstr":
                entry["msgstr"][field[1]] = text
            else:
                entry[keyword] = text
        elif line.startswith('"') and field:
            text = ast.literal_eval(line)
            if field[0] == "msgstr":
                entry["msgstr"][field[1]] += text
            else:
                entry[field[0]] += text
        else:
            raise AssertionError(f"{path}:{number}: cannot read {line!r}")
    return entries


@pytest.fixture(scope="module")
def catalog():
    entries = read_po(PO)
    assert entries and entries[0]["msgid"] == "", "the header must come first"
    return entries


def messages(catalog):
    return [entry for entry in catalog[1:] if not entry["obsolete"]]


def test_it_declares_spanish_with_three_plural_forms(catalog):
    header = catalog[0]["msgstr"][0]
    assert "Language: es\n" in header
    assert "charset=UTF-8" in header
    assert re.search(r"Plural-Forms: nplurals=3;", header)


def test_it_has_no_fuzzy_entries(catalog):
    fuzzy = [entry["msgid"] for entry in catalog if "fuzzy" in entry["flags"]]
    assert fuzzy == []


def test_it_has_no_obsolete_entries(catalog):
    assert [entry["msgid"] for entry in catalog if entry["obsolete"]] == []


def test_it_translates_every_message_and_every_plural_form(catalog):
    assert len(messages(catalog)) >= 50
    untranslated = []
    for entry in messages(catalog):
        forms = [0, 1, 2] if entry["msgid_plural"] is not None else [0]
        if sorted(entry["msgstr"]) != forms or not all(entry["msgstr"][i].strip() for i in forms):
            untranslated.append(entry["msgid"])
    assert untranslated == []


def test_it_keeps_every_placeholder_and_tag(catalog):
    problems = []
    for entry in messages(catalog):
        for pattern in (PLACEHOLDER, TAG):
            # Plural forms may drop the number ("un minuto") but never add or rename one.
            wanted = set(pattern.findall(entry["msgid"])) | set(pattern.findall(entry["msgid_plural"] or ""))
            for text in entry["msgstr"].values():
                found = set(pattern.findall(text))
                if not found <= wanted or (entry["msgid_plural"] is None and found != wanted):
                    problems.append((entry["msgid"], text))
    assert problems == []


def test_it_uses_the_words_people_know_from_microsoft(catalog):
    translated = {entry["msgid"]: entry["msgstr"][0] for entry in messages(catalog)}
    assert translated["Sign in"] == "Iniciar sesión"
    assert translated["My account"] == "Mi cuenta"
    assert translated["User ID"] == "Id. de usuario"
    assert translated["Password"] == "Contraseña"


def test_its_compiled_catalog_matches_the_po_file(catalog):
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in messages(catalog):
        if entry["msgid_plural"] is None:
            if compiled.gettext(entry["msgid"]) != entry["msgstr"][0]:
                stale.append(entry["msgid"])
        elif compiled.ngettext(entry["msgid"], entry["msgid_plural"], 5) != entry["msgstr"][2]:
            stale.append(entry["msgid"])
    assert stale == [], "django.mo is out of date: run `make messages`"
