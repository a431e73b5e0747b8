"""Finding and reading the files of a OneRoster CSV bundle: a folder, or a zip archive.

The four files the import needs (and manifest.csv, when there is one) are looked for together:
at the top, or all in one folder (at any depth in a zip; in a folder's own subfolders for a
directory). Nothing is ever extracted to disk, yet a zip entry with an absolute path or a `..`
refuses the whole archive, and no more than MAX_BUNDLE_BYTES are read, whatever the archive says
its entries hold.
"""

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TypeVar

REQUIRED_FILES = ("orgs.csv", "users.csv", "classes.csv", "enrollments.csv")
OPTIONAL_FILES = ("manifest.csv",)
MAX_BUNDLE_BYTES = 200_000_000
IGNORED_FOLDERS = ("__MACOSX",)  # what macOS's archiver adds beside the real files
Entry = TypeVar("Entry")


class BundleRejected(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Bundle:
    files: dict[str, bytes]  # "users.csv" -> its bytes; the four required, and manifest.csv if present


def _unsafe(name: str) -> bool:
    parts = PurePosixPath(name.replace("\\", "/")).parts
    return name.startswith(("/", "\\")) or bool(re.match(r"^[A-Za-z]:", name)) or ".." in parts


def _choose_folder(folders: dict[str, dict[str, Entry]]) -> dict[str, Entry]:
    """The files wanted from the one folder holding every required file (lowercased name -> entry)."""
    complete = sorted(folder for folder, files in folders.items() if all(name in files for name in REQUIRED_FILES))
    if len(complete) > 1:
        shown = ", ".join(f"{folder or '.'}/" for folder in complete)
        raise BundleRejected([f"more than one roster in the bundle ({shown}); give one at a time"])
    if not complete:
        # Name what is missing from the folder that came closest (the top, when none has any).
        best = max(sorted(folders), key=lambda folder: sum(name in folders[folder] for name in REQUIRED_FILES),
                   default="")
        present = folders.get(best, {})
        raise BundleRejected([f"{name}: missing from the bundle (it needs {', '.join(REQUIRED_FILES)})"
                              for name in REQUIRED_FILES if name not in present])
    files = folders[complete[0]]
    return {name: files[name] for name in REQUIRED_FILES + OPTIONAL_FILES if name in files}


def _too_large() -> BundleRejected:
    return BundleRejected([f"the roster files hold more than {MAX_BUNDLE_BYTES / 1_000_000:g} MB; nothing was read"])


def read_zip(path: Path) -> Bundle:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise BundleRejected([f"{path.name}: not a zip archive ({exc})"]) from None
    with archive:
        entries = archive.infolist()
        unsafe = [f"{path.name}: refusing the entry {entry.filename!r} (an absolute path or '..')"
                  for entry in entries if _unsafe(entry.filename)]
        if unsafe:
            raise BundleRejected(unsafe)
        folders: dict[str, dict[str, zipfile.ZipInfo]] = {}
        for entry in entries:
            name = PurePosixPath(entry.filename.replace("\\", "/"))
            if entry.is_dir() or any(part in IGNORED_FOLDERS for part in name.parts):
                continue
            folders.setdefault(str(name.parent) if str(name.parent) != "." else "", {})[name.name.lower()] = entry
        chosen = _choose_folder(folders)
        if any(entry.flag_bits & 0x1 for entry in chosen.values()):
            raise BundleRejected([f"{path.name}: the archive is encrypted; give it without a password"])
        if sum(entry.file_size for entry in chosen.values()) > MAX_BUNDLE_BYTES:
            raise _too_large()
        budget, contents = MAX_BUNDLE_BYTES, dict[str, bytes]()
        try:
            for file_name, entry in chosen.items():
                with archive.open(entry) as member:
                    data = member.read(budget + 1)  # never more than the budget, whatever the sizes say
                if len(data) > budget:
                    raise _too_large()
                budget -= len(data)
                contents[file_name] = data
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            raise BundleRejected([f"{path.name}: a damaged zip archive ({exc})"]) from None
    return Bundle(contents)


def read_folder(path: Path) -> Bundle:
    folders: dict[str, dict[str, Path]] = {}
    for folder in [path, *sorted(child for child in path.iterdir() if child.is_dir())]:
        if folder.name in IGNORED_FOLDERS:
            continue
        relative = "" if folder == path else folder.name
        folders[relative] = {child.name.lower(): child for child in folder.iterdir() if child.is_file()}
    chosen = _choose_folder(folders)
    if sum(file.stat().st_size for file in chosen.values()) > MAX_BUNDLE_BYTES:
        raise _too_large()
    return Bundle({name: file.read_bytes() for name, file in chosen.items()})


def read_bundle(path: Path | str) -> Bundle:
    """The bundle's files, or BundleRejected saying why not."""
    path = Path(path)
    try:
        if path.is_dir():
            return read_folder(path)
        if path.is_file():
            return read_zip(path)
    except PermissionError as exc:
        raise BundleRejected([f"{exc.filename or path}: permission denied"]) from None
    raise BundleRejected([f"{path}: no such folder or zip archive"])
