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
        load(None, {"SSPR_SYNC__TARGETS": '["google"]'})
    assert caught.value.problems == [
        "sync.targets.0: 'google' is not a sync target (there is none yet; leave the list empty)"]


def test_a_registered_target_is_accepted_and_built_from_the_configuration(monkeypatch):
    monkeypatch.setitem(sync.TARGETS, "recorder", "tests.test_sync.Recorder")
    with pytest.raises(ConfigError) as caught:
        load(None, {"SSPR_SYNC__TARGETS": '["recorder", "recordr"]'})
    assert caught.value.problems == ["sync.targets.1: 'recordr' is not a sync target (valid: recorder)"]
    config = load(None, {"SSPR_SYNC__TARGETS": '["recorder"]'})
    [target] = configured_targets(config)
    assert isinstance(target, Recorder) and target.config is config and target.check() == []
