"""A second directory as a sync target: people sign in to the embedded directory here, and the
real slapd (a students' domain of its own, say) gets each new password by an administrative reset."""

import pytest
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from sspr.actors import Actor
from sspr.config.schema import Config
from sspr.directory.base import BadCredentials
from sspr.directory.embedded.models import Account
from sspr.directory.ldap.openldap import OpenLdapDirectory
from sspr.ops.checks import sync_problems
from sspr.services import passwords, people
from sspr.sync.models import SyncJob

from .backends import openldap_settings
from .flows import NEW, sspr_check

OLD = "Lucky rivers drift at noon and sing!"


@pytest.fixture
def second_directory(db, settings, slapd, ca):
    """The embedded directory first, then slapd as [sync.directory]; returns slapd, read directly."""
    fields = openldap_settings(slapd, ca)
    data = settings.CONFIG.model_dump()
    data["sync"].update({"targets": ["directory"], "directory": {**data["sync"]["directory"], **fields,
                                                                 "label": "your student domain account"}})
    settings.CONFIG = Config.model_validate(data)
    second = OpenLdapDirectory(settings.CONFIG.model_copy(update={"directory": settings.CONFIG.sync.directory}))
    yield second
    second.close()


def embedded_twin(user_id: str) -> None:
    Account.objects.create(user_id=user_id, password=make_password(OLD), password_last_set=timezone.now(),
                           display_name="Chris Smith", groups=["Students"])


def test_a_new_password_reaches_the_second_directory(second_directory, slapd):
    person = slapd.add_person()
    embedded_twin(person.user_id)
    result = passwords.set_password(Actor.cli(), people.find(person.user_id), NEW)
    [state] = result.targets
    assert (state.status, state.label) == ("done", "your student domain account")
    second_directory.authenticate(person.user_id, NEW)  # slapd takes the new password
    with pytest.raises(BadCredentials):
        second_directory.authenticate(person.user_id, person.password)
    job = SyncJob.objects.get()
    assert (job.status, job.secret) == ("done", "")


def test_someone_the_second_directory_does_not_know_is_a_permanent_failure(second_directory):
    embedded_twin("nobody.there@student.district.example")
    [state] = passwords.set_password(Actor.cli(), people.find("nobody.there@student.district.example"), NEW).targets
    assert state.status == "failed" and "no such account" in state.reason
    assert SyncJob.objects.get().secret == ""


def test_sspr_check_reaches_the_second_directory(second_directory, settings, slapd, ca):
    assert sync_problems() == []
    data = settings.CONFIG.model_dump()
    data["sync"]["directory"]["bind_password"] = "not the service password"
    settings.CONFIG = Config.model_validate(data)
    code, printed = sspr_check()
    assert code == 1 and "error: sync.directory: " in printed
