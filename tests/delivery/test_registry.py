"""The registry's table, the back-end classes and the configuration schema agree."""

import pytest

from sspr.config.schema import Config
from sspr.delivery.channels import BACKENDS
from sspr.delivery.registry import get_backend

REGISTERED = [(channel, name) for channel, names in BACKENDS.items() for name in names]


@pytest.mark.parametrize("channel, name", REGISTERED)
def test_each_backend_answers_to_its_registered_name(channel, name):
    assert get_backend(channel, name, Config()).name == name


@pytest.mark.parametrize("channel, name", REGISTERED)
def test_each_backend_describes_only_keys_the_schema_has(channel, name):
    for setting in get_backend(channel, name, Config()).settings:
        section, key = setting.key.split(".")
        assert key in Config.model_fields[section].annotation.model_fields, setting.key
