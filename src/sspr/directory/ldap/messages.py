"""What people are told when the directory refuses a password, in plain words, whichever server
refused it: the two back-ends translate their servers' answers into these sentences, so
OpenLDAP's passwordInHistory and AD's "in history" read the same."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .entries import DirectoryRules


def too_short(minimum: int | None) -> str:
    if minimum:
        return ngettext("The directory requires at least %(count)d character.",
                        "The directory requires at least %(count)d characters.", minimum) % {"count": minimum}
    return _("The directory requires a longer password.")


def too_long() -> str:
    return _("The directory does not accept a password this long.")


def used_before() -> str:
    return _("You have used this password before. Choose one you have not used recently.")


def same_as_current() -> str:
    return _("Your new password must be different from your current password.")


def changed_too_recently() -> str:
    return _("Your password was changed too recently to change it again yet. Try again later, or contact your "
             "help desk.")


def too_easy_to_guess() -> str:
    return _("The directory finds this password too easy to guess. Choose a longer or less predictable one.")


def not_complex_enough() -> str:
    return _("The directory requires characters from three of these groups: capital letters, small letters, "
             "numbers and symbols, and no part of your name or user ID.")


def own_change_not_allowed() -> str:
    return _("The directory does not let you change your own password. Contact your help desk.")


def refused() -> str:
    return _("The directory refused this password.")


def refused_because(reason: str) -> str:
    """A server's own sentence (a password-checking module's), shown as the server wrote it."""
    return _("The directory refused this password: %(reason)s") % {"reason": reason}


def rules_that_apply(rules: DirectoryRules) -> list[str]:
    """The rules a refused password may have broken, when the server does not say which."""
    sentences = []
    if rules.min_length:
        sentences.append(ngettext("It must be at least %(count)d character long.",
                                  "It must be at least %(count)d characters long.",
                                  rules.min_length) % {"count": rules.min_length})
    if rules.history:
        sentences.append(ngettext("It must not be your previous password.",
                                  "It must not be one of your last %(count)d passwords.",
                                  rules.history) % {"count": rules.history})
    if rules.complexity:
        sentences.append(not_complex_enough())
    if rules.min_age_seconds:
        hours = max(1, rules.min_age_seconds // 3600)
        sentences.append(ngettext("A password can be changed only once in %(count)d hour.",
                                  "A password can be changed only once in %(count)d hours.",
                                  hours) % {"count": hours})
    return sentences
