"""Word lists shipped with the package (sources and licences: data/README.md).

- Common passwords: the 100,000 most common passwords of a 10-million-password corpus
  (distinct once lower-cased), plus Django's own list of 20,000; 104,840 in all.
- The EFF long word list (7,776 words) for suggested passphrases, less the words listed in
  data/unfit-for-school.txt.

Both load on first use and stay in memory (a few MB per process).
"""

import gzip
import secrets
import unicodedata
from functools import cache
from importlib import resources

DATA = resources.files(__package__) / "data"
SENTENCE_ENDS = ".!?"
MIN_PASSPHRASE_LENGTH = 15


def fold(text: str) -> str:
    """Case and accents folded away, so that "Contraseña" and "CONTRASENA" compare equal:
    casefold, decompose (NFKD) and drop the combining marks."""
    text = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in text if not unicodedata.combining(ch))


@cache
def common_passwords() -> frozenset[str]:
    """The common passwords, folded (lower-cased, accents removed)."""
    with (DATA / "common-passwords.txt.gz").open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as lines:
        words = (line.rstrip("\n") for line in lines)
        # ASCII folds to its lower case; the shortcut keeps loading as fast as without folding.
        return frozenset(word.lower() if word.isascii() else fold(word) for word in words)


@cache
def passphrase_words() -> tuple[str, ...]:
    """The EFF long word list less the words unfit for a school: about 7,720 distinct words, so
    each word adds log2(7720) ≈ 12.9 bits."""
    text = (DATA / "eff-large-wordlist.txt").read_text(encoding="utf-8")
    unfit = {line.strip() for line in (DATA / "unfit-for-school.txt").read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")}
    return tuple(word for word in text.split() if word and word not in unfit)


def _strip_trailing(text: str) -> str:
    """Without trailing digits, punctuation, symbols and spaces ("Summer2024!" -> "summer")."""
    end = len(text)
    while end and unicodedata.category(text[end - 1])[0] in "NPSZ":
        end -= 1
    return text[:end]


def is_common(password: str) -> bool:
    """Whether the password is a common one, ignoring case, accents, surrounding spaces and
    anything tacked on at the end: "Password", "password1", "PASSWORD2024!" and "contraseña12345"
    ("contrasena" is on the list) all are."""
    candidate = fold(password.strip())
    words = common_passwords()
    if candidate in words:
        return True
    base = _strip_trailing(candidate)
    return bool(base) and base in words


def suggest_passphrase(words: int = 4) -> str:
    """A random passphrase that reads as a sentence, e.g. "Gravy unwind tractor abacus!":
    `words` words from the EFF long list chosen with `secrets`, the first capitalised, and a
    full stop, exclamation or question mark at the end. Four words carry about 53 bits of
    entropy; the result is always at least 15 characters long."""
    if words < 3:
        raise ValueError("a passphrase needs at least 3 words")
    vocabulary = passphrase_words()
    while True:
        sentence = " ".join(secrets.choice(vocabulary) for _ in range(words))
        sentence = sentence[0].upper() + sentence[1:] + secrets.choice(SENTENCE_ENDS)
        if len(sentence) >= MIN_PASSPHRASE_LENGTH:  # only 3 short words can fall below
            return sentence
