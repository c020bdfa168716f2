"""Query strings through the whole stack: the gateway answers one too long for the sidecars in the error
envelope, and lets through every one it accepts (a sidecar reads at most 4 KB of a request's head, and
answered a longer one with a plain-text 431 outside the envelope)."""

import httpx

from shared.validation.query import MAX_QUERY_LENGTH
from tests.integration.accounts import family
from tests.system.conftest import eventually


def in_the_envelope(response: httpx.Response) -> dict:
    assert response.headers["content-type"].startswith("application/json"), response.text
    return response.json()["error"]


async def test_an_overlong_query_to_the_audit_log_is_a_422_in_the_envelope(stack, gateway):
    household_id, ann, _, _ = await family(gateway)
    response = await gateway.get(
        f"/api/households/{household_id}/audit",
        params={"subject": "x" * 20_000},
        headers=ann.headers,
    )
    assert response.status_code == 422
    assert in_the_envelope(response)["details"][0]["field"] == "query"


async def test_the_longest_query_the_gateway_accepts_gets_through_the_sidecars(stack, gateway):
    household_id, ann, _, _ = await family(gateway)
    types = [("type", f"gift{'x' * 40}")] * 200
    query = str(httpx.QueryParams(types))
    kept = types[
        : len(types) * (MAX_QUERY_LENGTH - 10) // len(query)
    ]  # just under the gateway's bound
    assert len(str(httpx.QueryParams(kept))) <= MAX_QUERY_LENGTH
    answers = []

    async def read_by_the_audit_service() -> bool:  # once it has heard that Ann is an admin
        answers.append(
            await gateway.get(
                f"/api/households/{household_id}/audit", params=kept, headers=ann.headers
            )
        )
        return answers[-1].status_code == 200

    await eventually(read_by_the_audit_service, "the audit log answering through two sidecars")
    assert all(a.status_code != 431 for a in answers)
