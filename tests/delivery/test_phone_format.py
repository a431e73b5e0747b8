"""Phone numbers as people read them: one helper (delivery.phone.international) and its template
filter (`{% load sspr_format %}{{ number|phone }}`), used wherever a whole number is shown."""

import pytest
from django.template import Context, Template

from sspr.delivery.phone import international


@pytest.mark.parametrize("stored, shown", [
    ("+14045550199", "+1 404-555-0199"),
    ("+12025550143", "+1 202-555-0143"),
    ("+34612345678", "+34 612 34 56 78"),
    ("+525512345678", "+52 55 1234 5678"),
])
def test_a_whole_number_is_shown_in_international_format(stored, shown):
    assert international(stored) == shown


@pytest.mark.parametrize("value", [
    "+X XXXXXXXX43",              # a mask stays a mask: nothing is guessed back
    "+155502000",                 # not a valid number: shown as stored, never "corrected"
    "4045550199",                 # no country: not ours to guess
    "chris@personal.example",
    "",
])
def test_anything_else_is_shown_as_it_is(value):
    assert international(value) == value


def test_the_template_filter_formats_and_escapes():
    template = Template("{% load sspr_format %}{{ a|phone }} | {{ b|phone }} | {{ c|phone }}")
    rendered = template.render(Context({"a": "+14045550199", "b": "+X XXXXXXXX99", "c": "<b>+1</b>"}))
    assert rendered == "+1 404-555-0199 | +X XXXXXXXX99 | &lt;b&gt;+1&lt;/b&gt;"
