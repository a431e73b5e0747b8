"""A generic client nobody here wrote: Schemathesis reads the API's own OpenAPI description from
the live server and sends what it generates from it, valid and invalid, to every operation, with
every check it has: no server error, every answer's status, media type, headers and body as the
description says, invalid input refused, and no operation that answers without a key
(`ignored_auth` calls each one again without the key, and with a wrong one)."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from sspr.actors import Actor
from sspr.services import apikeys

from ..conftest import Persona
from ..methods.conftest import give_method

pytestmark = pytest.mark.django_db(transaction=True)
EXAMPLES = {GenerationMode.POSITIVE: 12, GenerationMode.NEGATIVE: 8}


@pytest.fixture
def world(live_server, configure):
    configure(api={"requests_per_minute": 100_000},
              console={"actions_per_hour": {"admin": 100_000}, "searches_per_hour": 100_000})
    student = Persona("csmith1234@student.district.example", "Brave pianos dance on Fridays!",
                      display_name="Chris Smith", groups=["Students"], department="Lincoln High School",
                      email="csmith1234@student.district.example", mobile="+15550200")
    give_method(student, "phone", "+15550200")
    _row, key = apikeys.create(Actor.cli(), "schemathesis", "admin", list(apikeys.SCOPES))
    return {"url": live_server.url, "key": key, "student": student.user_id}


# Refusals by rules no schema can state (the password policy; an import's rows, each checked
# against the directory and the key's rank) are 422s for input the description allows; for those
# alone "valid input is accepted" does not apply. Every other check still runs on them.
BUSINESS_RULES = {"password-refused", "import-rejected"}


def excused(response):
    if (response.headers.get("content-type") == ["application/problem+json"]
            and response.json()["type"].rsplit("/", 1)[-1] in BUSINESS_RULES):
        return [schemathesis.checks.positive_data_acceptance]
    return []


def operations(schema):
    for result in schema.get_all_operations():
        yield result.ok()


def test_the_api_keeps_to_its_own_description(world):
    schema = schemathesis.openapi.from_url(f"{world['url']}/api/v1/openapi.json")
    headers = {"Authorization": f"Bearer {world['key']}"}
    seen = []
    for operation in operations(schema):
        names = {parameter.name for parameter in operation.path_parameters}
        fixed = [{}, {"user_id": world["student"]}] if "user_id" in names else [{}]
        for mode, count in EXAMPLES.items():
            for path_parameters in fixed:
                strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters or None)

                @given(case=strategy)
                @settings(max_examples=count, deadline=None, database=None, derandomize=True,
                          suppress_health_check=list(HealthCheck))
                def check(case):
                    response = case.call(base_url=world["url"], headers=headers)
                    case.validate_response(response, headers=headers, excluded_checks=excused(response),
                                           transport_kwargs={"base_url": world["url"], "headers": headers})

                check()
        seen.append(operation.label)
    assert len(seen) == 14, seen


def test_every_operation_in_the_description_refuses_a_call_without_a_key(world):
    import requests

    schema = requests.get(f"{world['url']}/api/v1/openapi.json", timeout=10).json()
    for path, methods in schema["paths"].items():
        for method in methods:
            url = world["url"] + path.replace("{user_id}", world["student"]).replace("{pass_id}", "1")
            response = requests.request(method, url, json={"reason": "x"}, timeout=10)
            assert response.status_code == 401, (method, path)
            assert response.headers["Content-Type"] == "application/problem+json"
