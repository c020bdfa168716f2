"""The sidecar client's bulk publish, against a stand-in for daprd's HTTP API: what it sends, and how it
tells entries Kafka refused (kept pending by the relay, the others marked published) from a call that
failed as a whole (every entry kept pending, the relay backs off). daprd's gRPC API cannot tell the two
apart — a partly refused batch fails whole, naming no entry — which is why the client speaks HTTP
(README, "Dependencies left out"; bench/results/dapr_client.json)."""

import json

import httpx
import pytest

from shared.dapr import CLOUDEVENTS_JSON, DaprClient, DaprError, OutgoingEvent

TOKEN = "sidecar-token"
EVENTS = [
    OutgoingEvent("e1", "household-1", {"id": "e1", "type": "giftflow.household.created.v1"}),
    OutgoingEvent("e2", "household-2", {"id": "e2", "type": "giftflow.household.updated.v1"}),
]


def sidecar(status: int, body: dict | None = None, seen: list | None = None) -> DaprClient:
    def answer(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        return httpx.Response(status, json=body) if body is not None else httpx.Response(status)

    return DaprClient("http://sidecar", TOKEN, transport=httpx.MockTransport(answer))


async def test_a_batch_goes_to_the_bulk_publish_api_with_the_token_keys_and_trace():
    seen: list[httpx.Request] = []
    client = sidecar(204, seen=seen)
    assert await client.publish_bulk("household", EVENTS, traceparent="00-abc-def-01") == set()
    (request,) = seen
    assert request.url.path == "/v1.0-alpha1/publish/bulk/pubsub/household"
    assert request.headers["dapr-api-token"] == TOKEN
    assert request.headers["traceparent"] == "00-abc-def-01"
    assert json.loads(request.content) == [
        {
            "entryId": e.entry_id,
            "event": e.cloudevent,
            "contentType": CLOUDEVENTS_JSON,
            "metadata": {"partitionKey": e.partition_key},
        }
        for e in EVENTS
    ]


async def test_no_token_no_header_and_no_trace_no_traceparent():
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    client = DaprClient("http://sidecar", "", transport=httpx.MockTransport(answer))
    await client.publish_bulk("household", EVENTS)
    assert "dapr-api-token" not in seen[0].headers
    assert "traceparent" not in seen[0].headers


async def test_an_empty_200_is_every_entry_accepted():
    assert await sidecar(200).publish_bulk("household", EVENTS) == set()


async def test_the_entries_kafka_refused_are_named_and_the_others_count_as_published():
    refused = {
        "failedEntries": [{"entryId": "e2", "error": "kafka: message too large"}],
        "errorCode": "ERR_PUBSUB_PUBLISH_MESSAGE",
    }
    assert await sidecar(500, refused).publish_bulk("household", EVENTS) == {"e2"}


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (500, {"errorCode": "ERR_PUBSUB_PUBLISH_MESSAGE", "message": "broker down"}),
        (403, {"errorCode": "ERR_PUBSUB_FORBIDDEN"}),
        (404, None),  # the API is not routed (dapr/config) or the pub/sub does not exist
    ],
)
async def test_a_call_refused_as_a_whole_is_an_error_not_a_list_of_entries(status, body):
    with pytest.raises(DaprError):
        await sidecar(status, body).publish_bulk("household", EVENTS)


async def test_an_unreachable_sidecar_is_an_error():
    def unreachable(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    client = DaprClient("http://sidecar", TOKEN, transport=httpx.MockTransport(unreachable))
    with pytest.raises(DaprError, match="unreachable"):
        await client.publish_bulk("household", EVENTS)
