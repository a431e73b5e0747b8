"""The one password policy pipeline. Every path that sets a password (change, reset, help desk)
asks this module, so the rules, their wording and their order are the same everywhere.

check() gives one result per rule: the live checklist shown while typing, and the reasons a
password is refused. validate() adds the checks too slow to run at every keystroke.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sspr.config.groups import rules_for_groups
from sspr.config.schema import PolicyRules
from sspr.directory import get_directory

from .breached import BreachCheckUnavailable, BreachedFilter, RangeCheck
from .wordlists import is_common

# zxcvbn refuses longer input; a passphrase this long is strong on length alone.
STRENGTH_ESTIMATE_MAX = 72
CONTEXT_WORD_MIN = 4  # shorter fragments ("ana", "kim") match inside too many ordinary words
SUBSTITUTIONS = str.maketrans({"0": "o", "3": "e", "4": "a", "@": "a", "$": "s", "5": "s", "7": "t", "+": "t"})
# "1", "!" and "|" stand for either i or l: both readings are tried.
AMBIGUOUS = [str.maketrans({"1": "i", "!": "i", "|": "i"}), str.maketrans({"1": "l", "!": "l", "|": "l"})]


@dataclass(frozen=True)
class Person:
    """What the policy knows about whoever is choosing the password."""

    user_id: str
    display_name: str = ""
    groups: tuple[str, ...] = ()


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


class NoContextWords(Rule):
    name = "context"

    def label(self, rules):
        return _("No names, user ID or school names")

    def problem(self, password, person, rules):
        readings = comparable_readings(password)
        for word in context_words(person, rules):
            if any(word in reading for reading in readings):
                return _("Must not contain “%(word)s”: it is easy to guess for someone who knows you or "
                         "the organisation") % {"word": word}
        return None


class NotBreached(Rule):
    name = "breached"

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


RULES = [Length(), *(CharacterClass(kind) for kind in CharacterClass.TESTS), NotCommon(), NoContextWords(),
         NotBreached(), HardToGuess()]


def requirements(person: Person) -> list[Result]:
    """The checklist before anything is typed."""
    rules = rules_for(person)
    return [Result(rule.name, None, rule.label(rules)) for rule in RULES if rule.applies(rules)]


def check(password: str, person: Person) -> list[Result]:
    """Every rule's verdict on the password, in checklist order."""
    password, rules = normalise(password), rules_for(person)
    results = []
    for rule in RULES:
        if rule.applies(rules):
            problem = rule.problem(password, person, rules)
            results.append(Result(rule.name, problem is None, problem or rule.label(rules)))
    return results


def validate(password: str, person: Person, *, current_password: str | None = None) -> list[str]:
    """Everything wrong with a password about to be set (empty when it may be set), including
    the checks too slow for the live checklist: the current or a recent password again."""
    problems = [result.message for result in check(password, person) if not result.passed]
    depth = rules_for(person).history
    if current_password is not None and normalise(current_password) == normalise(password):
        problems.append(_("Your new password must be different from your current password."))
    elif get_directory().recently_used(person.user_id, normalise(password), depth):
        problems.append(ngettext(
            "You used this password recently; choose one that is not your current password.",
            "You used this password recently; choose one that is not among your last %(n)d passwords.",
            depth) % {"n": depth})
    return problems


def comparable(text: str, reading=AMBIGUOUS[0]) -> str:
    """Lowercase letters only, accents removed and look-alike substitutions undone, so that
    "L1nc0ln-2024" and "lincoln" compare equal."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).translate(SUBSTITUTIONS).translate(reading)
    return re.sub(r"[^a-z]", "", text)


def comparable_readings(text: str) -> set[str]:
    return {comparable(text, reading) for reading in AMBIGUOUS}


def context_words(person: Person, rules: PolicyRules) -> list[str]:
    """The user ID and its parts, the person's names, the organisation's name and the
    configured words, longest first (so the message names the most telling match)."""
    local, _at, domain = person.user_id.lower().partition("@")
    candidates = [local, *re.split(r"[._\-+\d]+", local), *person.display_name.split(),
                  *domain.split(".")[:-1], settings.CONFIG.branding.org_name, *rules.context_words]
    words = {comparable(candidate) for candidate in candidates}
    return sorted((word for word in words if len(word) >= CONTEXT_WORD_MIN), key=lambda w: (-len(w), w))


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
