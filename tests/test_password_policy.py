"""Each rule of the policy pipeline broken alone, by a password that passes every other rule."""

import hashlib

import pytest

from sspr.passwords import policy
from sspr.passwords.breached import BreachedFilter

STUDENT = policy.Person("csmith1234@student.district.example", "Chris Smith", ("Students",))
STAFF = policy.Person("ana.torres@district.example", "Ana Torres", ("Staff",))
GOOD = "Purple lanterns drift over quiet harbors!"


def verdicts(password, person=STUDENT):
    return {result.rule: result.passed for result in policy.check(password, person)}


def failing(password, person=STUDENT):
    return [rule for rule, passed in verdicts(password, person).items() if not passed]


@pytest.fixture(autouse=True)
def fresh_sources():
    policy.breached_sources.cache_clear()
    yield
    policy.breached_sources.cache_clear()


def with_policy(settings, **changes):
    settings.CONFIG = settings.CONFIG.model_copy(update={
        "password_policy": settings.CONFIG.password_policy.model_copy(update=changes),
    })


def test_a_good_passphrase_passes_every_rule():
    assert failing(GOOD) == []


def test_a_lowercase_sentence_is_fine_without_composition_rules():
    assert failing("purple lanterns drift over quiet harbors") == []


def test_too_short_alone(settings):
    with_policy(settings, min_strength=0)
    assert failing("Zebra quilt fg!") == []  # 15 characters is enough
    assert failing("Zebra quilt f!") == ["length"]


def test_too_long_is_refused_not_truncated(settings):
    with_policy(settings, max_length=128)
    long_phrase = ("Purple lanterns drift over quiet harbors while seven curious otters juggle melons beside "
                   "an old lighthouse every rainy Tuesday evening!")
    assert len(long_phrase) > 128
    assert failing(long_phrase) == ["length"]
    assert failing(long_phrase[:128]) == []


def test_unicode_is_accepted_and_normalised():
    composed, decomposed = "Mañana comeré piñas con canela!", "Man\u0303ana comere\u0301 pin\u0303as con canela!"
    assert failing(composed) == []
    assert policy.normalise(composed) == policy.normalise(decomposed)


def test_common_password_alone(settings):
    with_policy(settings, min_length=8, min_strength=0)
    assert failing("iloveyou1") == ["common"]


def test_common_passwords_are_compared_without_accents():
    assert failing("corazón12345678") == ["common"]  # "corazon" is on the list
    assert failing("CORAZÓN12345678") == ["common"]


def test_the_example_passphrase_alone_in_every_language_and_however_typed():
    for phrase in ["What a wonderful day!", "what a wonderful day", "WHAT A WONDERFUL DAY!!! 2024",
                   "Wh@t a w0nderful d4y!", "What a wonderful day for purple harbors!",
                   "¡Qué día tan maravilloso!", "que dia tan maravilloso"]:
        assert failing(phrase) == ["published"], phrase


def test_configured_example_passphrases(settings):
    assert failing("I love blue skies in spring!") == []
    with_policy(settings, example_passphrases=["I love blue skies in spring!", "Go!"])
    assert failing("I love blue skies in spring!") == ["published"]
    assert failing("i LOVE blue skies in spring, said Kim") == ["published"]
    assert failing("Go purple lanterns, go harbors!") == []  # fewer than 4 letters: not an example


def test_text_the_pages_show_is_refused_as_the_whole_password():
    for text in ["Change password", "Change password 2024!", "Cambiar contraseña",
                 "Hard to guess (for example, a short sentence)", "Call the help desk."]:
        assert failing(text) == ["published"], text
    assert failing("I had to change password rules for the harbor!") == []  # inside a sentence: fine


def test_the_published_rule_is_on_the_checklist():
    assert "Not an example or other text from this site" in [r.message for r in policy.requirements(STUDENT)]


def test_context_word_alone_through_substitutions():
    for phrase in ["Chris likes purple lanterns!", "Purple lanterns near Sm1th house!",
                   "csmith1234 drifts over harbors!", "Purple lanterns at D1STR1CT days!"]:
        assert failing(phrase) == ["context"], phrase


def test_configured_context_words_and_the_organisation_name(settings):
    with_policy(settings, context_words=["Lincoln", "Tigers"])
    assert failing("Go L1nc0ln purple harbors!") == ["context"]
    assert failing("Purple harbors for the t1g3rs!") == ["context"]
    assert failing("Test Unified School District rocks!") == ["context"]


def test_the_distinctive_words_of_a_name():
    assert policy.distinctive_words("Lincoln High School") == ["lincoln"]
    assert policy.distinctive_words("Test Unified School District") == ["test"]
    assert policy.distinctive_words("Escuela Secundaria Peñalosa") == ["penalosa"]
    assert policy.distinctive_words("St. Mary's Academy") == ["mary"]
    assert policy.distinctive_words("High School") == ["highschool"]  # nothing distinctive: the whole name


def test_the_department_is_a_context_word():
    person = policy.Person("jdoe@district.example", "Jo Doe", ("Students",), department="Lincoln High School")
    assert failing("Lincoln High School rocks!!", person) == ["context"]
    assert failing("Lincoln High School rocks!!", STUDENT) == []  # STUDENT has no department
    assert failing("My high school days were long and happy!", person) == []


def test_names_are_compared_without_accents():
    person = policy.Person("jnunez@district.example", "José Núñez", ("Staff",), department="Escuela Peñalosa")
    assert failing("Nunez paints purple harbors!", person) == ["context"]
    assert failing("Go PENALOSA, purple harbors!", person) == ["context"]
    assert failing("Mañana comeré piñas con canela!", person) == []


def test_the_context_message_names_the_word_as_written():
    [result] = [r for r in policy.check("Chris likes purple lanterns!", STUDENT) if r.rule == "context"]
    assert "“Chris”" in result.message


def test_the_context_message_names_a_name_with_its_accents_not_its_folded_form():
    person = policy.Person("mgarcia2201@student.district.example", "María García", ("Students",))
    [result] = [r for r in policy.check("Maria sings with purple otters!", person) if r.rule == "context"]
    assert "“María”" in result.message
    [result] = [r for r in policy.check("Mgarcia2201 sings with purple otters!", person) if r.rule == "context"]
    assert "“mgarcia2201”" in result.message


def test_breached_alone(settings, tmp_path):
    breached = "Correct horse battery staple, yes!"
    lines = sorted(f"{hashlib.sha1(p.encode()).hexdigest().upper()}:42\n" for p in [breached, "another one"])
    BreachedFilter.build(lines, tmp_path / "breached.filter", expected_entries=len(lines))
    with_policy(settings, breached_filter=str(tmp_path / "breached.filter"))
    assert failing(breached) == ["breached"]
    assert failing(GOOD) == []


def test_the_breach_rule_is_listed_only_with_a_source(settings, tmp_path):
    assert "breached" not in verdicts(GOOD)
    assert "breached" not in [r.rule for r in policy.requirements(STUDENT)]
    with_policy(settings, breached_online_url="https://breach-check.invalid/range/")
    assert "breached" in [r.rule for r in policy.requirements(STUDENT)]


def test_strength_alone(settings):
    assert failing("aaaaaaaaaaaaaaaaaaaa") == ["strength"]


def test_composition_rules_per_group(settings):
    from sspr.config.schema import PolicyOverride

    with_policy(settings, groups={"Staff": PolicyOverride(required_classes=["uppercase", "digit", "symbol"],
                                                           min_length=16)})
    phrase = "purple lanterns drift over harbors"
    assert failing(phrase, STUDENT) == []
    assert failing(phrase, STAFF) == ["class_uppercase", "class_digit", "class_symbol"]
    assert failing("Purple lanterns drift over 2 harbors!", STAFF) == []
    assert policy.requirements(STAFF)[0].message == "At least 16 characters"


@pytest.mark.django_db
def test_the_current_and_recent_passwords_cannot_be_reused(student, settings):
    from sspr.directory import get_directory

    person = policy.Person(student.user_id, "Chris Smith", ("Students",))
    assert policy.validate(student.password, person, current_password=student.password) == [
        "Your new password must be different from your current password."]
    assert policy.validate(student.password, person) == [
        "You used this password recently; choose one that is not among your last 5 passwords."]
    get_directory().reset_password(student.user_id, GOOD)
    assert policy.validate(student.password, person)  # one back: still refused
    for number in range(5):
        get_directory().reset_password(student.user_id, f"{GOOD} number {number}")
    assert policy.validate(student.password, person) == []  # six back: allowed again


def test_the_rules_speak_spanish():
    from django.utils import translation

    with translation.override("es"):
        messages = [result.message for result in policy.requirements(STUDENT)]
    assert messages[0] == "Al menos 15 caracteres"
