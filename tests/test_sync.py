"""The password-sync registry: [sync] targets names entries of sspr.sync.TARGETS, and nothing else."""

import pytest

from sspr import sync
from sspr.config import ConfigError, load
from sspr.sync import SyncTarget, configured_targets


class Recorder(SyncTarget):
    name = "recorder"


def test_no_target_is_configured_by_default():
    assert load(None, {}).sync.targets == []
    assert configured_targets(load(None, {})) == []


def test_an_unknown_target_is_refused_by_the_schema():
    with pytest.raises(ConfigError) as caught:
        load(None, {"SSPR_SYNC__TARGETS": '["gogle"]'})
    assert caught.value.problems == [
        "sync.targets.0: 'gogle' is not a sync target (valid: directory, google, microsoft)"]


def test_a_target_listed_twice_is_refused():
    with pytest.raises(ConfigError) as caught:
        load(None, {"SSPR_SYNC__TARGETS": '["google", "google"]'})
    assert caught.value.problems == ["sync: a target is listed twice"]


def test_a_user_key_template_names_only_what_it_can_fill_in():
    assert load(None, {"SSPR_SYNC__GOOGLE__USER_KEY": "{local}@students.district.example"}).sync.google.user_key
    with pytest.raises(ConfigError) as caught:
        load(None, {"SSPR_SYNC__GOOGLE__USER_KEY": "{mail}@students.district.example"})
    assert caught.value.problems == [
        "sync.google.user_key: '{mail}@students.district.example' must name at least one of {user}, {local}, "
        "{domain}, {email} in braces, and nothing else"]


def test_a_registered_target_is_accepted_and_built_from_the_configuration(monkeypatch):
    monkeypatch.setitem(sync.TARGETS, "recorder", "tests.test_sync.Recorder")
    with pytest.raises(ConfigError) as caught:
        load(None, {"SSPR_SYNC__TARGETS": '["recorder", "recordr"]'})
    assert caught.value.problems == [
        "sync.targets.1: 'recordr' is not a sync target (valid: directory, google, microsoft, recorder)"]
    config = load(None, {"SSPR_SYNC__TARGETS": '["recorder"]'})
    [target] = configured_targets(config)
    assert isinstance(target, Recorder) and target.config is config and target.check() == []
