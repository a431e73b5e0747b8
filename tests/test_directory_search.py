"""The embedded directory's search and missing_groups on this run's database (SQLite, and
PostgreSQL in the second pass of `make test`), and the checks search() makes for every back-end.
The behaviours every back-end shares are in tests/directories/test_contract.py."""

import pytest
from django.contrib.auth.hashers import make_password

from sspr.directory import get_directory
from sspr.directory.base import SEARCH_TEXT_MAX, SearchResult
from sspr.directory.embedded.backend import case_variants
from sspr.directory.embedded.models import Account


def account(user_id, display_name, *, department="Lincoln High School", groups=("Students",), email=""):
    return Account.objects.create(user_id=user_id, display_name=display_name, department=department,
                                  groups=list(groups), email=email or user_id, password=make_password("x" * 20))


def found(text, **options):
    return [user.user_id for user in get_directory().search(text, **options).people]


@pytest.mark.django_db
def test_letters_beyond_ascii_are_folded_on_this_database():
    account("anunez@district.example", "Álvaro Núñez", department="École Jean-Jaurès")
    account("lyudmila@district.example", "Людмила Иванова")
    for text in ["álvaro", "ÁLVARO NÚÑEZ", "núñ", "Álvaro n", "anunez@"]:
        assert found(text) == ["anunez@district.example"], text
    assert found("álvaro", department="école jean-jaurès") == ["anunez@district.example"]
    assert found("álvaro", department="ÉCOLE JEAN-JAURÈS") == ["anunez@district.example"]
    # Every letter outside ASCII: too many spellings to list, so the ways names are written.
    for text in ["людмила", "ЛЮДМИЛА ИВАНОВА", "Людмила иванова", "иванова"]:
        assert found(text) == ["lyudmila@district.example"], text


def test_case_variants_list_each_spelling_once():
    assert case_variants("smith") == ["smith"]
    assert sorted(case_variants("ál")) == ["Ál", "ál"]
    assert len(case_variants("ñúñé")) == 16 and len(set(case_variants("ñúñé"))) == 16
    assert case_variants("ßa") == ["ßa"]  # ß has no one-letter capital: asked for as typed (ASCII folds itself)
    assert case_variants("людмила") == ["людмила", "ЛЮДМИЛА", "Людмила"]


@pytest.mark.django_db
def test_any_word_of_the_display_name_is_matched_from_its_start():
    account("mjgl@district.example", "María José García López")
    for text in ["maría", "josé", "garcía", "LÓP", "José García"]:
        assert found(text) == ["mjgl@district.example"], text
    for text in ["aría", "arcía", "López García"]:
        assert found(text) == [], text


@pytest.mark.django_db
def test_search_text_is_cut_to_its_maximum_and_control_characters_find_nobody():
    long_name = "A" * SEARCH_TEXT_MAX
    account("long@district.example", long_name + "BC")
    assert found(long_name + "X") == ["long@district.example"]  # the text looked for is its first 100 characters
    assert found("\x00") == [] and found("long\x00") == [] and found("long\n@") == []
    assert found("long", department="Lincoln\x00") == []
    assert found("long") == ["long@district.example"]


@pytest.mark.django_db
@pytest.mark.parametrize("options", [{"offset": -1}, {"offset": 1001}, {"limit": 0}, {"limit": 101}])
def test_pages_outside_the_bounds_are_refused(options):
    with pytest.raises(ValueError):
        get_directory().search("chris", **options)


@pytest.mark.django_db
def test_the_last_pages_within_the_bounds_are_served():
    for number in range(3):
        account(f"chris{number}@district.example", "Chris Smith")
    assert get_directory().search("chris", offset=1000, limit=100) == SearchResult()
    result = get_directory().search("chris", offset=2, limit=100)
    assert [user.user_id for user in result.people] == ["chris2@district.example"] and not result.more


@pytest.mark.django_db
def test_missing_groups_reads_the_groups_accounts_have():
    account("a@district.example", "A", groups=["Staff", "Teachers"])
    account("b@district.example", "B", groups=["Teachers"])
    account("c@district.example", "C", groups=[])
    assert get_directory().missing_groups(["Teachers", "Staff", "Help Desk", "teachers", '"Teachers"', "Teach"]) == [
        "Help Desk", "teachers", '"Teachers"', "Teach"]
