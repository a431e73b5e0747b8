import io

import bcrypt
import pytest
from argon2 import PasswordHasher
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from sspr.directory import get_directory
from sspr.directory.embedded.importer import ImportRejected, import_accounts
from sspr.directory.embedded.models import Account

DOMAINS = ["district.example", "student.district.example"]
HEADER = "user_id,display_name,groups,department,email,mobile,alternate_email,password,password_hash\n"


def run(text):
    return import_accounts(io.StringIO(text), DOMAINS)


@pytest.mark.django_db
def test_a_file_with_a_bad_row_writes_nothing_and_names_every_bad_row():
    text = HEADER + (
        "ana@district.example,Ana,Staff,,,,,Sunny otters at noon!,\n"
        "bad user@district.example,Bad,Staff,,,,,,\n"
        "bo@elsewhere.example,Bo,Staff,,,,,,\n"
        "cy@district.example,Cy,Staff,,not-an-email,,,,\n"
        "ana@district.example,Ana again,Staff,,,,,,\n"
        "di@district.example,Di,Staff,,,call me,,,\n"
        "ed@district.example,Ed,Staff,,,,,pw here too,$2b$12$abcdefghijklmnopqrstuu\n"
        "fi@district.example,Fi,Staff,,,,,,md5$abc$def\n"
    )
    with pytest.raises(ImportRejected) as caught:
        run(text)
    assert caught.value.problems == [
        "line 3: user_id is missing or has spaces",
        "line 4: user_id must end in one of: @district.example, @student.district.example",
        "line 5: email is not an email address",
        "line 6: user_id repeats line 2",
        "line 7: mobile is not a phone number",
        "line 8: give password or password_hash, not both",
        "line 9: password_hash is not an argon2, bcrypt or PBKDF2 hash",
    ]
    assert not Account.objects.exists()


@pytest.mark.django_db
def test_an_unknown_column_rejects_the_file():
    with pytest.raises(ImportRejected) as caught:
        run("user_id,pasword\nana@district.example,x\n")
    assert caught.value.problems == ["line 1: the header needs user_id; unknown columns: pasword"]


@pytest.mark.django_db
def test_hashes_from_other_systems_sign_in_without_plain_text():
    phrase = "Migrated passphrase works fine!"
    hashes = {
        "argon@district.example": PasswordHasher().hash(phrase),
        "bcrypt@district.example": bcrypt.hashpw(phrase.encode(), bcrypt.gensalt(4)).decode(),
        "pbkdf2@district.example": PBKDF2PasswordHasher().encode(phrase, "somesalt", iterations=1000),
    }
    # PHC strings hold commas (m=65536,t=3,p=4): CSV quotes them, as any spreadsheet export does.
    rows = "".join(f'{user_id},{user_id},Staff,,,,,,"{value}"\n' for user_id, value in hashes.items())
    result = run(HEADER + rows)
    assert result.created == 3
    for user_id in hashes:
        assert get_directory().authenticate(user_id, phrase).user_id == user_id
        # ...and the hash is now ours, at our cost.
        assert Account.objects.get(user_id=user_id).password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


@pytest.mark.django_db
def test_re_import_updates_profiles_and_keeps_passwords_not_given():
    run(HEADER + "ana@district.example,Ana,Staff,Office,,,,Sunny otters at noon!,\n")
    result = run("user_id,display_name,department\nANA@district.example,Ana Torres,Lincoln High\n")
    assert (result.created, result.updated) == (0, 1)
    account = Account.objects.get(user_id="ana@district.example")
    assert (account.display_name, account.department, account.groups) == ("Ana Torres", "Lincoln High", ["Staff"])
    assert get_directory().authenticate("ana@district.example", "Sunny otters at noon!")


@pytest.mark.django_db
def test_groups_are_separated_by_semicolons():
    run(HEADER + "ana@district.example,Ana,Staff; Help Desk ;,,,,,,\n")
    assert Account.objects.get().groups == ["Staff", "Help Desk"]


@pytest.mark.django_db
def test_an_account_imported_without_a_password_cannot_sign_in():
    from sspr.directory.base import BadCredentials

    run(HEADER + "ana@district.example,Ana,Staff,,,,,,\n")
    with pytest.raises(BadCredentials):
        get_directory().authenticate("ana@district.example", "")


@pytest.mark.django_db
def test_a_long_password_verifies_against_an_imported_bcrypt_hash():
    # bcrypt read only 72 bytes; the system that made this hash ignored the rest.
    phrase = "A very long passphrase that goes on and on past the seventy-two byte limit of bcrypt!"
    legacy = bcrypt.hashpw(phrase.encode()[:72], bcrypt.gensalt(4)).decode()
    run(HEADER + f'long@district.example,Long,Staff,,,,,,"{legacy}"\n')
    assert get_directory().authenticate("long@district.example", phrase)
    assert Account.objects.get().password.startswith("argon2$")  # and it is ours from now on


@pytest.mark.django_db
@pytest.mark.parametrize("broken", ["$2b$04$abc", "$argon2id$v=19$m=65536", "pbkdf2_sha256$1000$salt",
                                    "bcrypt$$2b$12$" + "x" * 10, "argon2$argon2id$v=19$m=1,t=1,p=1$$"])
def test_a_truncated_hash_is_refused_at_import(broken):
    with pytest.raises(ImportRejected) as caught:
        run(HEADER + f'ana@district.example,Ana,Staff,,,,,,"{broken}"\n')
    assert caught.value.problems == ["line 2: password_hash is not an argon2, bcrypt or PBKDF2 hash"]


@pytest.mark.django_db
def test_re_import_of_many_accounts_updates_every_row():
    rows = "".join(f"user{n}@district.example,User {n},Staff,,,,,,\n" for n in range(3000))
    run(HEADER + rows)
    result = run(HEADER + rows.replace(",Staff,", ",Staff;Teachers,"))
    assert (result.created, result.updated) == (0, 3000)
    assert Account.objects.filter(groups=["Staff", "Teachers"]).count() == 3000
