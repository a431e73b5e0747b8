from django import forms
from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sspr.methods.kinds import kind
from sspr.methods.kinds.questions import POOL, normalise_answer
from sspr.services import methods

from ..actors import actor_of
from . import added

verify_template = "methods/questions_verify.html"


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


def answer_form(display, data=None):
    return AnswerForm(display.get("questions", []), data)


def enrol(request):
    form = QuestionsForm(request.user.user_id, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = kind("questions").stored_answers((question, answer) for question, answer, _n in form.pairs())
        return added(request, methods.add_method(actor_of(request), request.user, "questions", data=data))
    return render(request, "methods/questions_enrol.html", {"form": form}, status=400 if form.errors else 200)
