"""The gateway's OpenAPI contract, checked by schemathesis against the running gateway as a signed-in
member: every operation with valid and invalid inputs, then stateful scenarios that feed what one call
made into the next. Never a server error; every status answered is one the document names; every
documented answer has the documented shape."""

import uuid

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from tests.security.findings import Findings

pytestmark = pytest.mark.system

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
# per operation and mode: a bounded pass over the contract, not a soak
EXAMPLES = {GenerationMode.POSITIVE: 3, GenerationMode.NEGATIVE: 2}
SCENARIOS = 25
STEPS = 6
TIMEOUT_S = 10
# left out, and why: login and refresh failures, and unknown invitation codes, are throttled per client
# address (and other tests of the session sign in and join from the same one); an import fetches pages
# from the web; a member removing themselves would leave every later call answered 404
LEFT_OUT = (
    r"/auth/(login|refresh|logout)$|/invitations/(preview|accept)$|/gifts/import$"
    r"|/members/\{user_id\}$"
)


def signed_in_member(gateway_url: str) -> tuple[str, dict[str, str]]:
    """A member of a household with a person, an occasion, a list and an item, so some calls find things."""
    with httpx.Client(base_url=gateway_url, timeout=30) as client:
        signed_up = client.post(
            "/api/auth/signup",
            json={
                "email": f"contract-{uuid.uuid4().hex[:12]}@example.com",
                "password": "correct horse battery",
                "display_name": "Contract",
            },
        )
        headers = {"Authorization": f"Bearer {signed_up.json()['access_token']}"}
        client.cookies.clear()
        household = client.post(
            "/api/households", json={"name": "Contract"}, headers=headers
        ).json()["id"]
        base = f"/api/households/{household}"
        person = client.post(f"{base}/people", json={"name": "Abe"}, headers=headers).json()["id"]
        client.post(
            f"{base}/occasions",
            json={"name": "Day", "date": "2031-05-17", "person_ids": [person]},
            headers=headers,
        )
        listed = client.post(
            f"{base}/lists", json={"name": "L", "person_id": person}, headers=headers
        ).json()["id"]
        kite = {"title": "Kite", "price": "9.99", "currency": "EUR"}
        client.post(f"{base}/lists/{listed}/items", json={"gift": kite}, headers=headers)
    return household, headers


@pytest.fixture(scope="module")
def contract(stack):
    household, headers = signed_in_member(stack.t.gateway_url)
    schema = schemathesis.openapi.from_url(f"{stack.t.gateway_url}/openapi.json").exclude(
        path_regex=LEFT_OUT
    )
    return schema, household, headers


def in_household(case, household: str) -> None:
    if "household_id" in (case.path_parameters or {}):
        case.path_parameters["household_id"] = household


def check_answer(case, response, headers: dict, found: Findings) -> None:
    try:
        case.validate_response(response, checks=CHECKS, headers=headers)
    except (FailureGroup, AssertionError) as exc:  # one entry per failed check
        for failure in getattr(exc, "exceptions", [exc]):
            title = getattr(failure, "title", type(failure).__name__)
            message = " ".join(str(getattr(failure, "message", failure)).split())
            found.add(
                f"{case.method} {case.path}",
                f"{title}: {response.status_code}",
                f"{message[:160]}; sent {sent(case)}",
            )


def sent(case) -> str:
    parts = [
        f"{name}={value!r:.80}"
        for name, value in (("query", case.query), ("body", case.body))
        if value and type(value).__name__ != "NotSet"
    ]
    return ", ".join(parts) or "no body"


def call_and_check(case, household: str, headers: dict, found: Findings) -> None:
    in_household(case, household)
    try:
        response = case.call(headers=headers, timeout=TIMEOUT_S)
    except Exception as exc:  # a timeout or a dropped connection: the server did not answer
        found.add(f"{case.method} {case.path}", f"no answer: {exc!r}")
        return
    check_answer(case, response, headers, found)


def test_every_operation_keeps_the_contract(contract):
    schema, household, headers = contract
    found = Findings()
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            # derandomize: the same examples every run, so what fails once fails again until fixed
            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES[mode],
                deadline=None,
                database=None,
                derandomize=True,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            def check(case):
                call_and_check(case, household, headers, found)

            check()
    assert not found, found.report()


def test_stateful_scenarios_keep_the_contract(contract):
    schema, household, headers = contract
    found = Findings()

    class Scenario(schema.as_state_machine()):
        """Links between operations are inferred from the document (an id one answers, another takes)."""

        def before_call(self, case):
            in_household(case, household)

        def get_call_kwargs(self, case):
            return {"headers": headers, "timeout": TIMEOUT_S}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            check_answer(case, response, headers, found)

    Scenario.run(
        settings=settings(
            max_examples=SCENARIOS,
            stateful_step_count=STEPS,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
    )
    assert not found, found.report()
