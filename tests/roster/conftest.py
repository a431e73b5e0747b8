import pytest
from django.conf import settings

from sspr.directory.embedded.models import Account
from sspr.roster.importer import import_roster
from sspr.services import people

ACCOUNTS = {
    "ana.torres@district.example": "Ana Torres",
    "jokafor@district.example": "James Okafor",
    "david.cohen@district.example": "David Cohen",
    "csmith1234@student.district.example": "Chris Smith",
    "mgarcia2201@student.district.example": "María García",
    "nrossi1057@student.district.example": "Nina Rossi",
}


@pytest.fixture
def accounts(db):
    """Embedded-directory accounts for the people of tests.roster.bundles.good_bundle (but one)."""
    for user_id, name in ACCOUNTS.items():
        Account.objects.create(user_id=user_id, display_name=name, password="!")
    return ACCOUNTS


def run(path, **options):
    """An import as `sspr roster import` does it: the directory asked through the services."""
    return import_roster(path, find=people.find, domains=settings.CONFIG.directory.domains, **options)
