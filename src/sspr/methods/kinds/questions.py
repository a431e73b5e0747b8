"""Security questions: the weakest method, so only ever one of two steps of a reset, never a
sign-in second step, and never shown to administrators (stored only as slow hashes)."""

import random
import re
import unicodedata

from django import forms
from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import ngettext

from .. import codes, events
from ..base import MethodKind, VerificationFailed
from ..models import Method
from ..rules import failures_per_account

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


class QuestionsForm(forms.Form):
    def __init__(self, user_id: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user_id = user_id
        config = settings.CONFIG.methods
        choices = [("", _("Choose a question"))] + [(key, text) for key, text in POOL.items()]
        for number in range(1, config.questions_to_register + 1):
            self.fields[f"question_{number}"] = forms.ChoiceField(
                label=_("Security question %(n)d") % {"n": number}, choices=choices)
            self.fields[f"answer_{number}"] = forms.CharField(
                label=_("Answer %(n)d") % {"n": number}, max_length=200,
                widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))

    def pairs(self):
        count = settings.CONFIG.methods.questions_to_register
        return [(self.cleaned_data.get(f"question_{n}"), self.cleaned_data.get(f"answer_{n}"), n)
                for n in range(1, count + 1)]

    def clean(self):
        cleaned = super().clean()
        minimum = settings.CONFIG.methods.answer_min_length
        questions, answers = set(), set()
        local_part = self.user_id.partition("@")[0].lower()
        for question, answer, n in self.pairs():
            if question is None or answer is None:
                continue
            normal = normalise_answer(answer)
            if question in questions:
                self.add_error(f"question_{n}", _("Choose a different question for each answer."))
            if len(normal) < minimum:
                self.add_error(f"answer_{n}", ngettext("Answers need at least %(n)d letter or number.",
                                                       "Answers need at least %(n)d letters or numbers.",
                                                       minimum) % {"n": minimum})
            elif normal in answers:
                self.add_error(f"answer_{n}", _("Give a different answer to each question."))
            elif local_part and local_part in normal.replace(" ", ""):
                self.add_error(f"answer_{n}", _("An answer may not contain your user ID."))
            questions.add(question)
            answers.add(normal)
        return cleaned


class AnswerForm(forms.Form):
    def __init__(self, questions, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key in questions:
            self.fields[key] = forms.CharField(label=POOL.get(key, key), max_length=200,
                                               widget=forms.TextInput(attrs={"autocomplete": "off"}))


class SecurityQuestions(MethodKind):
    kind = "questions"
    label = gettext_lazy("Security questions")
    strength = 1
    usable_for_signin = False
    verify_template = "methods/questions_verify.html"

    def describe(self, method):
        return _("Answer my security questions")

    def enrol(self, request):
        form = QuestionsForm(request.user.user_id, request.POST or None)
        if request.method == "POST" and form.is_valid():
            answers = [{"question": question, "hash": make_password(normalise_answer(answer))}
                       for question, answer, _n in form.pairs()]
            Method.objects.filter(user=request.user, kind="questions").delete()
            method = Method.objects.create(user=request.user, kind="questions", data={"answers": answers})
            events.method_added(request, method)
            return redirect("security_info")
        return render(request, "methods/questions_enrol.html", {"form": form},
                      status=400 if form.errors else 200)

    def challenge(self, request, method, purpose, choice=""):
        keys = [answer["question"] for answer in method.data["answers"]]
        count = min(settings.CONFIG.methods.questions_at_reset, len(keys))
        asked = random.SystemRandom().sample(keys, count)
        request.session[f"questions:{purpose}"] = asked
        return {"form": AnswerForm(asked)}

    def retry_context(self, request, method, purpose):
        return {"form": AnswerForm(request.session.get(f"questions:{purpose}") or [])}

    def verify(self, request, method, purpose):
        codes.refuse_if_cooling_down(method.user)
        asked = request.session.get(f"questions:{purpose}") or []
        stored = {answer["question"]: answer["hash"] for answer in method.data["answers"]}
        form = AnswerForm(asked, request.POST)
        # Every answer is checked (no early exit), so timing does not say which one was wrong.
        right = form.is_valid() and bool(asked) and all(
            [check_password(normalise_answer(form.cleaned_data[key]), stored[key]) for key in asked])
        if not right:
            failures_per_account().hit(str(method.user.pk))
            raise VerificationFailed(_("One or more answers didn't match. Check them and try again."))
        request.session.pop(f"questions:{purpose}", None)
