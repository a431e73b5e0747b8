"""Security questions: the weakest method, so only ever one of two steps of a reset, never a
sign-in second step, and never shown to administrators (stored only as slow hashes)."""

import random
import re
import unicodedata

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..base import Challenge, MethodKind, VerificationFailed
from ..models import Method

POOL = {
    "first_school": gettext_lazy("What was the name of your first school?"),
    "childhood_friend": gettext_lazy("What is the first name of your best friend in childhood?"),
    "first_pet": gettext_lazy("What was the name of your first pet?"),
    "birth_city": gettext_lazy("In what city were you born?"),
    "favourite_teacher": gettext_lazy("What is the last name of your favourite teacher?"),
    "favourite_food": gettext_lazy("What was your favourite food as a child?"),
    "first_street": gettext_lazy("On what street did you live when you were ten?"),
    "parents_met": gettext_lazy("In what city did your parents meet?"),
    "first_concert": gettext_lazy("What was the first concert you went to?"),
    "dream_job": gettext_lazy("What did you want to be when you grew up?"),
}


def normalise_answer(answer: str) -> str:
    """Case, spacing and accents do not matter: "São  Paulo" and "sao paulo" are the same answer."""
    text = unicodedata.normalize("NFKD", answer.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]", "", text)).strip()


class SecurityQuestions(MethodKind):
    kind = "questions"
    label = gettext_lazy("Security questions")
    strength = 1
    assurance = 0
    wrong_answer = gettext_lazy("One or more answers didn't match. Check them and try again.")
    usable_for_signin = False

    stand_in_share = 1 / 3

    def describe(self, method):
        return _("Answer my security questions")

    def stand_in_method(self, seed):
        keys = list(POOL)
        chosen = [keys[byte % len(keys)] for byte in seed[1:]]
        count = settings.CONFIG.methods.questions_to_register
        return Method(kind=self.kind, data={"answers": [{"question": key} for key in dict.fromkeys(chosen)][:count]})

    def stand_in(self, method, choice=""):
        return self.ask(method)

    @staticmethod
    def stored_answers(pairs) -> dict:
        """The method's data for (question, answer) pairs: answers only as slow hashes."""
        return {"answers": [{"question": question, "hash": make_password(normalise_answer(answer))}
                            for question, answer in pairs]}

    def start(self, context, method, choice=""):
        return self.ask(method)

    @staticmethod
    def ask(method) -> Challenge:
        """Some of the method's questions, drawn at random each time."""
        keys = [answer["question"] for answer in method.data["answers"]]
        count = min(settings.CONFIG.methods.questions_at_reset, len(keys))
        asked = random.SystemRandom().sample(keys, count)
        return Challenge(state={"asked": asked}, display={"questions": asked})

    def retry(self, context, method, state):
        return Challenge(state=state, display={"questions": state.get("asked", [])})

    def check(self, context, method, state, answer):
        asked = state.get("asked") or []
        stored = {entry["question"]: entry["hash"] for entry in method.data["answers"]}
        given = [str(answer.get(key, ""))[:200] for key in asked]
        # Every answer is checked (a list, not all() over a generator: no early exit), so timing
        # does not say which one was wrong.
        checked = [bool(text.strip()) and check_password(normalise_answer(text), stored[key])
                   for key, text in zip(asked, given, strict=True)]
        right = bool(asked) and all(checked)
        if not right:
            raise VerificationFailed(str(self.wrong_answer))
