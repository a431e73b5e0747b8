"""Every catalog under src/sspr (the main one in src/sspr/locale, and each app's own locale/
folder, such as delivery's) is complete, free of fuzzy and obsolete entries, keeps every
placeholder and tag, and has its committed django.mo compiled from its committed django.po
(`make messages` rebuilds them all).

The .po parser below is deliberately small (no polib); the .mo is read with the standard
library's gettext."""

import ast
import gettext
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "sspr"
MAIN = PACKAGE / "locale" / "es" / "LC_MESSAGES" / "django.po"
CATALOGS = sorted(PACKAGE.rglob("django.po"))

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


def load(path: Path) -> list[dict]:
    entries = read_po(path)
    assert entries and entries[0]["msgid"] == "", f"{path}: the header must come first"
    return entries


@pytest.fixture(scope="module", params=CATALOGS, ids=lambda path: str(path.relative_to(PACKAGE)))
def po_path(request):
    return request.param


@pytest.fixture(scope="module")
def catalog(po_path):
    return load(po_path)


def messages(catalog):
    return [entry for entry in catalog[1:] if not entry["obsolete"]]


def test_every_catalog_is_found():
    assert MAIN in CATALOGS
    assert PACKAGE / "delivery" / "locale" / "es" / "LC_MESSAGES" / "django.po" in CATALOGS


def test_it_declares_spanish_with_three_plural_forms(catalog, po_path):
    assert po_path.parent.parent.name == "es", "only Spanish is translated so far"
    header = catalog[0]["msgstr"][0]
    assert "Language: es\n" in header
    assert "charset=UTF-8" in header
    assert re.search(r"Plural-Forms: nplurals=3;", header)


def test_it_has_no_fuzzy_entries(catalog):
    fuzzy = [entry["msgid"] for entry in catalog if "fuzzy" in entry["flags"]]
    assert fuzzy == []


def test_it_has_no_obsolete_entries(catalog):
    assert [entry["msgid"] for entry in catalog if entry["obsolete"]] == []


def test_it_translates_every_message_and_every_plural_form(catalog, po_path):
    assert len(messages(catalog)) >= (50 if po_path == MAIN else 1)
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


def test_it_uses_the_words_people_know_from_microsoft():
    translated = {entry["msgid"]: entry["msgstr"][0] for entry in messages(load(MAIN))}
    assert translated["Sign in"] == "Iniciar sesión"
    assert translated["My account"] == "Mi cuenta"
    assert translated["User ID"] == "Id. de usuario"
    assert translated["Password"] == "Contraseña"
    assert translated["Verify your identity"] == "Comprobar su identidad"
    assert translated["Security info"] == "Información de seguridad"


def test_a_message_in_two_catalogs_reads_the_same_in_both():
    """The main catalog (LOCALE_PATHS) is searched before the apps' own, so a message that is in
    both shows the main catalog's translation: the app's copy must not say something else.
    (`make messages` keeps each app's strings out of the main catalog, so this is rare.)"""
    seen, differing = {}, []
    for path in CATALOGS:
        for entry in messages(load(path)):
            key = (entry["msgid"], entry["msgid_plural"])
            if key in seen and seen[key][1] != entry["msgstr"]:
                differing.append((entry["msgid"], str(seen[key][0].relative_to(PACKAGE)),
                                  str(path.relative_to(PACKAGE))))
            seen.setdefault(key, (path, entry["msgstr"]))
    assert differing == []


def test_its_compiled_catalog_matches_the_po_file(catalog, po_path):
    with po_path.with_suffix(".mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in messages(catalog):
        if entry["msgid_plural"] is None:
            if compiled.gettext(entry["msgid"]) != entry["msgstr"][0]:
                stale.append(entry["msgid"])
        elif compiled.ngettext(entry["msgid"], entry["msgid_plural"], 5) != entry["msgstr"][2]:
            stale.append(entry["msgid"])
    assert stale == [], f"{po_path.with_suffix('.mo')} is out of date: run `make messages`"
