"""The shipped word lists: common passwords and suggested passphrases."""

import math

import pytest

from sspr.passwords.wordlists import common_passwords, is_common, passphrase_words, suggest_passphrase


def test_it_ships_at_least_the_100000_most_common_passwords():
    assert len(common_passwords()) >= 100_000
    assert len(passphrase_words()) == len(set(passphrase_words())) > 7700


@pytest.mark.parametrize("word", ["morphine", "hangover", "casket", "buckshot", "prison", "poison"])
def test_passphrase_ideas_never_use_a_word_unfit_for_a_school(word):
    assert word not in passphrase_words()
    assert "abacus" in passphrase_words()  # the rest of the list is still there


@pytest.mark.parametrize("password", ["password1", "iloveyou", "Password1", "ILOVEYOU", "  qwerty  ",
                                      "Password2024!", "letmein!!", "dragon#1", "football?"])
def test_it_knows_common_passwords_whatever_their_case_and_tail(password):
    assert is_common(password)


@pytest.mark.parametrize("password", ["What a wonderful day!", "Brave pianos dance on Fridays!",
                                      "Lucky rivers drift at noon!"])
def test_it_lets_uncommon_passwords_through(password):
    assert not is_common(password)


def test_it_suggests_a_different_sentence_of_15_or_more_characters_each_time():
    suggestions = {suggest_passphrase() for _ in range(50)}
    assert len(suggestions) == 50
    vocabulary = set(passphrase_words())
    for suggestion in suggestions:
        assert len(suggestion) >= 15
        assert suggestion[0].isupper() and suggestion[-1] in ".!?"
        words = suggestion[:-1].split(" ")
        assert len(words) == 4 and {words[0].lower(), *words[1:]} <= vocabulary
        assert not is_common(suggestion)


def test_it_suggests_longer_or_shorter_passphrases_on_request():
    assert all(len(suggest_passphrase(3)) >= 15 for _ in range(200))
    assert len(suggest_passphrase(6)[:-1].split(" ")) == 6
    with pytest.raises(ValueError):
        suggest_passphrase(2)


def test_spanish_ideas_are_spanish_words_of_about_the_same_strength():
    vocabulary = set(passphrase_words("es"))
    assert len(vocabulary) > 1900 and "abeja" in vocabulary and "abaco" in vocabulary  # ábaco, accent folded
    for _ in range(50):
        idea = suggest_passphrase(language="es")
        words = idea[:-1].split(" ")
        assert len(words) == 5 and {words[0].lower(), *words[1:]} <= vocabulary
        assert idea.isascii() and len(idea) >= 15  # any keyboard, and systems that take only ASCII
    assert 5 * math.log2(len(vocabulary)) > 4 * math.log2(len(passphrase_words())) - 0.5


@pytest.mark.parametrize("word", ["droga", "muerte", "vino", "cigarro", "matar", "sexo", "ladron", "tonto"])
def test_spanish_ideas_never_use_a_word_unfit_for_a_school(word):
    assert word not in passphrase_words("es")


def test_the_idea_page_speaks_the_pages_language(client):
    spanish = client.get("/password/idea/?format=json", HTTP_ACCEPT_LANGUAGE="es").json()["idea"]
    english = client.get("/password/idea/?format=json", HTTP_ACCEPT_LANGUAGE="en").json()["idea"]
    assert set(spanish.lower()[:-1].split()) <= set(passphrase_words("es"))
    assert set(english.lower()[:-1].split()) <= set(passphrase_words("en"))
