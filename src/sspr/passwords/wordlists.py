"""Word lists shipped with the package (sources and licences: data/README.md).

- Common passwords: the 100,000 most common passwords of a 10-million-password corpus
  (distinct once lower-cased), plus Django's own list of 20,000; 104,840 in all.
- Word lists for suggested passphrases, less the words unfit for a school: the EFF long list
  (7,776 words) in English, the BIP-39 Spanish list (2,048 words) in Spanish.

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


# Per language: the word list, the words of it unfit for a school, and how many words make an idea
# of about 53 bits (EFF: log2(7,776) ≈ 12.9 bits a word; BIP-39: log2(2,048) = 11).
PASSPHRASE_LISTS = {
    "en": ("eff-large-wordlist.txt", "unfit-for-school.txt", 4),
    "es": ("bip39-spanish.txt", "unfit-for-school-es.txt", 5),
}


def _listed(name: str) -> list[str]:
    """A data file's words, one a line or several a line, less # comments, accents folded away."""
    text = (DATA / name).read_text(encoding="utf-8")
    return [fold(word) for line in text.splitlines() if not line.startswith("#") for word in line.split()]


@cache
def passphrase_words(language: str = "en") -> tuple[str, ...]:
    """The language's word list less the words unfit for a school (English: the EFF long list, about
    7,720 words; Spanish: the BIP-39 list, about 1,990), accents folded away so that an idea can be
    typed on any keyboard and taken by systems that accept only ASCII (Google)."""
    words, unfit, _count = PASSPHRASE_LISTS.get(language, PASSPHRASE_LISTS["en"])
    unwanted = set(_listed(unfit))
    return tuple(dict.fromkeys(word for word in _listed(words) if word not in unwanted))


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


def suggest_passphrase(words: int | None = None, *, language: str = "en") -> str:
    """A random passphrase in the language that reads as a sentence, e.g. "Gravy unwind tractor
    abacus!" or "Abeja tomate nube lunes cable.": words chosen with `secrets`, the first
    capitalised, and a full stop, exclamation or question mark at the end; about 53 bits of
    entropy by default, and always at least 15 characters long."""
    language = language.split("-")[0] if language.split("-")[0] in PASSPHRASE_LISTS else "en"
    words = words or PASSPHRASE_LISTS[language][2]
    if words < 3:
        raise ValueError("a passphrase needs at least 3 words")
    vocabulary = passphrase_words(language)
    while True:
        sentence = " ".join(secrets.choice(vocabulary) for _ in range(words))
        sentence = sentence[0].upper() + sentence[1:] + secrets.choice(SENTENCE_ENDS)
        if len(sentence) >= MIN_PASSPHRASE_LENGTH:  # only 3 short words can fall below
            return sentence
