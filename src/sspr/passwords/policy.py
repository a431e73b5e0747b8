"""The one password policy pipeline. Every path that sets a password (change, reset, help desk)
asks this module, so the rules, their wording and their order are the same everywhere.

check() gives one result per rule: the live checklist shown while typing, and the reasons a
password is refused. validate() adds the checks too slow to run at every keystroke.

A password is compared with lists, names and phrases after folding, so that typing it a little
differently does not get round a rule: case and accents for the common passwords ("Contraseña12345"
is "contrasena12345"); spacing, punctuation and look-alike substitutions as well for context words
and published phrases ("L1nc0ln" is "lincoln").
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext, override, trans_real

from sspr.config.groups import rules_for_groups
from sspr.config.schema import PolicyRules
from sspr.directory import get_directory
from sspr.sync import configured_targets

from .breached import BreachCheckUnavailable, BreachedFilter, RangeCheck
from .wordlists import fold, is_common

# zxcvbn refuses longer input; a passphrase this long is strong on length alone.
STRENGTH_ESTIMATE_MAX = 72
CONTEXT_WORD_MIN = 4  # shorter fragments ("ana", "kim") match inside too many ordinary words
SUBSTITUTIONS = str.maketrans({"0": "o", "3": "e", "4": "a", "@": "a", "$": "s", "5": "s", "7": "t", "+": "t"})
# "1", "!" and "|" stand for either i or l: both readings are tried.
AMBIGUOUS = [str.maketrans({"1": "i", "!": "i", "|": "i"}), str.maketrans({"1": "l", "!": "l", "|": "l"})]
# The example passphrase the change and reset pages print (their templates translate this same
# msgid) and the district's guide repeats: the first thing anyone would try, in every language.
EXAMPLE_PASSPHRASES = (gettext_noop("What a wonderful day!"),)
# Words too common in the names of schools and organisations to give anyone away on their own:
# of "Lincoln High School", only "lincoln" says who you are. Folded, as compared.
GENERIC_NAME_WORDS = frozenset({
    "school", "schools", "high", "middle", "elementary", "primary", "secondary", "junior", "senior",
    "academy", "college", "university", "institute", "district", "unified", "independent", "public",
    "county", "city", "community", "charter", "center", "centre", "campus", "department", "office",
    "services", "education", "early", "learning", "magnet", "preparatory", "escuela", "escuelas", "colegio",
    "instituto", "distrito", "escolar", "unificado", "publica", "secundaria", "primaria", "preparatoria",
    "academia", "centro", "educacion", "departamento", "universidad", "ciudad", "condado", "comunidad",
})
NAME_SEPARATORS = re.compile(r"[\s\-\u2013\u2014/.,;:&()'\u2019\"]+")
# What a translated string holds besides its words: placeholders and HTML tags.
NOT_WORDS = re.compile(r"%\([^)]*\)[sdif]|\{[^{}]*\}|<[^>]*>")


@dataclass(frozen=True)
class Person:
    """What the policy knows about whoever is choosing the password."""

    user_id: str
    display_name: str = ""
    groups: tuple[str, ...] = ()
    department: str = ""  # in a school district, usually the person's school


@dataclass(frozen=True)
class Result:
    rule: str
    passed: bool | None  # None: not evaluated yet
    message: str  # in the user's language: what the rule asks, or why the password fails it


def normalise(password: str) -> str:
    """Unicode accepted as typed, compared in one form: the same passphrase typed on a phone and
    on a laptop can arrive as different code points."""
    return unicodedata.normalize("NFKC", password)


def rules_for(person: Person) -> PolicyRules:
    return rules_for_groups(settings.CONFIG.password_policy, PolicyRules, person.groups)


class Rule:
    """label() says what the rule asks for; problem() says why a password fails it, or None."""

    name = ""

    def applies(self, rules: PolicyRules) -> bool:
        return True

    def label(self, rules: PolicyRules) -> str:
        raise NotImplementedError

    def problem(self, password: str, person: Person, rules: PolicyRules) -> str | None:
        raise NotImplementedError


class Length(Rule):
    name = "length"

    def label(self, rules):
        return ngettext("At least %(min)d character", "At least %(min)d characters",
                        rules.min_length) % {"min": rules.min_length}

    def problem(self, password, person, rules):
        if len(password) > rules.max_length:
            return ngettext("At most %(max)d character", "At most %(max)d characters",
                            rules.max_length) % {"max": rules.max_length}
        return None if len(password) >= rules.min_length else self.label(rules)


class CharacterClass(Rule):
    TESTS = {
        "lowercase": (str.islower, lambda: _("A lowercase letter")),
        "uppercase": (str.isupper, lambda: _("An uppercase letter")),
        "digit": (str.isdigit, lambda: _("A number")),
        "symbol": (lambda ch: not ch.isalnum() and not ch.isspace(), lambda: _("A symbol such as ! or ?")),
    }

    def __init__(self, kind):
        self.kind, self.name = kind, f"class_{kind}"

    def applies(self, rules):
        return self.kind in rules.required_classes

    def label(self, rules):
        return self.TESTS[self.kind][1]()

    def problem(self, password, person, rules):
        return None if any(self.TESTS[self.kind][0](ch) for ch in password) else self.label(rules)


class NotCommon(Rule):
    name = "common"

    def label(self, rules):
        return _("Not a commonly used password")

    def problem(self, password, person, rules):
        return self.label(rules) if is_common(password) else None


class NotPublished(Rule):
    """Not a phrase we publish. An example passphrase (ours, in every language the portal speaks,
    and the operator's own from password_policy.example_passphrases) is refused anywhere in the
    password; any other text the pages show (every string of the translation catalogs, the
    checklist's lines with their numbers, the help desk text) is refused as the whole password.
    The ideas /password/idea/ offers are not published: each is drawn at random for one browser
    and kept nowhere (docs/architecture.md)."""

    name = "published"

    def label(self, rules):
        return _("Not an example or other text from this site")

    def problem(self, password, person, rules):
        forms = phrase_forms(password)
        if any(example in form for example in example_passphrases() for form in forms):
            return _("Must not be or contain an example passphrase: everyone has seen the examples")
        if forms & shown_phrases() or forms & checklist_phrases(rules):
            return _("Must not be text shown on this site: make up a sentence of your own")
        return None


class NoContextWords(Rule):
    name = "context"

    def label(self, rules):
        return _("No names, user ID or school names")

    def problem(self, password, person, rules):
        readings = comparable_readings(password)
        shown = context_forms(person, rules)
        for word in longest_first(shown):
            if any(word in reading for reading in readings):
                return _("Must not contain “%(word)s”: it is easy to guess for someone who knows you or "
                         "the organisation") % {"word": shown[word]}
        return None


class NotBreached(Rule):
    name = "breached"

    def applies(self, rules):
        """Only with a breach source configured: without one nothing is checked, and a ticked
        "not found in known data breaches" would promise what nobody looked up."""
        policy = settings.CONFIG.password_policy
        return bool(policy.breached_filter or policy.breached_online_url)

    def label(self, rules):
        return _("Not found in known data breaches")

    def problem(self, password, person, rules):
        for source in breached_sources():
            try:
                if source.is_breached(password):
                    return _("Found in a data breach: attackers try these first")
            except BreachCheckUnavailable:
                if settings.CONFIG.password_policy.breached_online_failure == "closed":
                    return _("The breach check is not answering; please try again later")
        return None


class HardToGuess(Rule):
    name = "strength"

    def applies(self, rules):
        return rules.min_strength > 0

    def label(self, rules):
        return _("Hard to guess (for example, a short sentence)")

    def problem(self, password, person, rules):
        score = estimate_strength(password[:STRENGTH_ESTIMATE_MAX], tuple(context_words(person, rules)))
        return None if score >= rules.min_strength else self.label(rules)


class TargetLimit(Rule):
    """A limit a sync target puts on passwords (Google takes printable ASCII only): known here, so
    a password the target would refuse is refused before the directory or any target is written."""

    def __init__(self, constraint):
        self.constraint, self.name = constraint, f"target_{constraint.name}"

    def label(self, rules):
        return self.constraint.label()

    def problem(self, password, person, rules):
        return self.constraint.problem(password)


RULES = [Length(), *(CharacterClass(kind) for kind in CharacterClass.TESTS), NotCommon(), NotPublished(),
         NoContextWords(), NotBreached(), HardToGuess()]


_rules_of: list = [None, []]  # [the [sync] section the rules were made for, the rules]


def all_rules() -> list[Rule]:
    """RULES, then each sync target's limits ([sync] targets), a limit two targets share once.
    Made once per configuration: the live checklist asks on every keystroke."""
    sync = settings.CONFIG.sync
    if _rules_of[0] is not sync:
        rules: list[Rule] = list(RULES)
        seen = set()
        for target in configured_targets():
            for constraint in target.constraints():
                if constraint.name not in seen:
                    seen.add(constraint.name)
                    rules.append(TargetLimit(constraint))
        _rules_of[:] = [sync, rules]
    return _rules_of[1]


def requirements(person: Person) -> list[Result]:
    """The checklist before anything is typed."""
    rules = rules_for(person)
    return [Result(rule.name, None, rule.label(rules)) for rule in all_rules() if rule.applies(rules)]


def check(password: str, person: Person) -> list[Result]:
    """Every rule's verdict on the password, in checklist order."""
    password, rules = normalise(password), rules_for(person)
    results = []
    for rule in all_rules():
        if rule.applies(rules):
            problem = rule.problem(password, person, rules)
            results.append(Result(rule.name, problem is None, problem or rule.label(rules)))
    return results


def validate(password: str, person: Person, *, current_password: str | None = None,
             proved_current: bool = False) -> list[str]:
    """Everything wrong with a password about to be set (empty when it may be set), including
    the checks too slow for the live checklist: the current or a recent password again. With
    proved_current (current_password was checked against the directory), a password that differs
    from it is known not to be the current one: its hash is not checked again."""
    problems = [result.message for result in check(password, person) if not result.passed]
    depth = rules_for(person).history
    if current_password is not None and normalise(current_password) == normalise(password):
        problems.append(_("Your new password must be different from your current password."))
    elif get_directory().recently_used(person.user_id, normalise(password), depth,
                                       not_current=proved_current and current_password is not None):
        problems.append(ngettext(
            "You used this password recently; choose one that is not your current password.",
            "You used this password recently; choose one that is not among your last %(n)d passwords.",
            depth) % {"n": depth})
    return problems


def comparable(text: str, reading=AMBIGUOUS[0]) -> str:
    """Lowercase letters only, accents removed and look-alike substitutions undone, so that
    "L1nc0ln-2024" and "lincoln" compare equal."""
    return re.sub(r"[^a-z]", "", fold(text).translate(SUBSTITUTIONS).translate(reading))


def comparable_readings(text: str) -> set[str]:
    return {comparable(text, reading) for reading in AMBIGUOUS}


def letters(text: str) -> str:
    """The letters alone, case and accents folded: "¡Qué día!" is "quedia"."""
    return re.sub(r"[^a-z]", "", fold(text))


def phrase(text: str) -> str:
    """A published phrase as it is compared: without placeholders and tags, letters alone."""
    return letters(NOT_WORDS.sub(" ", text))


def phrase_forms(password: str) -> set[str]:
    """The password as it is compared with published phrases: its letters alone (case, accents,
    spacing, punctuation and digits do not count), and its readings with look-alikes undone,
    whole and without the digits and symbols around it ("Wh@t a w0nderful day 2024!")."""
    trimmed = re.sub(r"^[\W\d_]+|[\W\d_]+$", "", password)
    forms = {letters(password), *comparable_readings(password), *comparable_readings(trimmed)}
    forms.discard("")
    return forms


def example_passphrases() -> list[str]:
    """The example passphrases, as compared: ours in every language, and the configured ones."""
    configured = (phrase(example) for example in settings.CONFIG.password_policy.example_passphrases)
    ours = _translated_examples(tuple(code for code, _name in settings.LANGUAGES))
    return [example for example in (*ours, *configured) if len(example) >= CONTEXT_WORD_MIN]


@cache
def _translated_examples(languages: tuple[str, ...]) -> frozenset[str]:
    found: set[str] = set()
    for language in languages:
        with override(language):
            found.update(phrase(_(example)) for example in EXAMPLE_PASSPHRASES)
    return frozenset(found)


def shown_phrases() -> frozenset[str]:
    """Every text the pages can show, as compared: each message of the translation catalogs
    (ours and Django's) and its translation, in every language the portal speaks."""
    return _catalog_phrases(tuple(code for code, _name in settings.LANGUAGES))


def checklist_phrases(rules: PolicyRules) -> set[str]:
    """The checklist's lines as the page shows them to this person, numbers filled in ("At least 15
    characters"), in every language, and the help desk text the pages show."""
    found = {phrase(text) for text in settings.CONFIG.branding.helpdesk_texts()}
    for code, _name in settings.LANGUAGES:
        with override(code):
            found.update(phrase(rule.label(rules)) for rule in all_rules() if rule.applies(rules))
    found.discard("")
    return found


@cache
def _catalog_phrases(languages: tuple[str, ...]) -> frozenset[str]:
    found: set[str] = set()
    for language in languages:
        # The catalog as Django's own JavaScriptCatalog view reads it.
        catalog = trans_real.translation(language)._catalog  # type: ignore[attr-defined]  # no public API
        for key, translated in catalog.items():
            message = (key[0] if isinstance(key, tuple) else key).rpartition("\x04")[2]  # without its context
            if message:  # "" is the catalog's header
                found.update({phrase(message), phrase(translated)})
    found.discard("")
    return frozenset(found)


def context_words(person: Person, rules: PolicyRules) -> list[str]:
    """The user ID and its parts and the person's names; the distinctive words of their
    department, of the organisation's name and of the configured words. Longest first (so the
    message names the most telling match)."""
    return longest_first(context_forms(person, rules))


def longest_first(words) -> list[str]:
    return sorted(words, key=lambda w: (-len(w), w))


def context_forms(person: Person, rules: PolicyRules) -> dict[str, str]:
    """Each context word as compared (folded, look-alikes undone) -> as it was written ("María",
    "mgarcia2201", "Lincoln"), which is what a refusal names: the person recognises their own name,
    not its folded form."""
    local, _at, domain = person.user_id.lower().partition("@")
    written = [local, *re.split(r"[._\-+\d]+", local), *person.display_name.split(), *domain.split(".")[:-1]]
    forms: dict[str, str] = {}
    for word in written:
        forms.setdefault(comparable(word), word)
    for name in [person.department, settings.CONFIG.branding.org_name, *rules.context_words]:
        words = {comparable(word): word for word in NAME_SEPARATORS.split(name)}
        for form in distinctive_words(name):
            forms.setdefault(form, words.get(form, name))
    return {form: shown for form, shown in forms.items() if len(form) >= CONTEXT_WORD_MIN}


def distinctive_words(name: str) -> list[str]:
    """What gives a name away: its words of CONTEXT_WORD_MIN letters or more that are not
    generic ("lincoln" of "Lincoln High School"); when every word is generic, the whole name
    ("highschool" of "High School")."""
    words = [comparable(word) for word in NAME_SEPARATORS.split(name)]
    distinctive = [word for word in words if len(word) >= CONTEXT_WORD_MIN and word not in GENERIC_NAME_WORDS]
    return distinctive or [comparable(name)]


@cache
def breached_sources() -> list[BreachedFilter | RangeCheck]:
    """The configured breach checks: the offline filter first (no network), then the online API."""
    policy = settings.CONFIG.password_policy
    sources: list[BreachedFilter | RangeCheck] = []
    if policy.breached_filter:
        sources.append(BreachedFilter.open(policy.breached_filter))
    if policy.breached_online_url:
        sources.append(RangeCheck(policy.breached_online_url, policy.breached_online_timeout))
    return sources


@cache
def _zxcvbn():
    from zxcvbn import zxcvbn  # imported on first use: it loads large frequency lists

    return zxcvbn


def estimate_strength(password: str, user_inputs: tuple[str, ...]) -> int:
    return _zxcvbn()(password, user_inputs=list(user_inputs))["score"]
