"""The benchmark's gRPC client sends what the HTTP client sends (so the two are compared on the same
work): entry ids, CloudEvents, a partition key per entry, the API token and the traceparent; and a
refused call is a DaprError, as over HTTP. Against an in-process stand-in for daprd's gRPC API."""

import json

import grpc
import pytest
from dapr.proto.runtime.v1 import dapr_pb2, dapr_pb2_grpc

from bench.dapr_client import GrpcSidecar
from shared.dapr import CLOUDEVENTS_JSON, DaprError, OutgoingEvent

TOKEN = "sidecar-token"
EVENTS = [
    OutgoingEvent("e1", "household-1", {"id": "e1", "data": {"name": "A"}}),
    OutgoingEvent("e2", "household-2", {"id": "e2", "data": {"name": "B"}}),
]


class Sidecar(dapr_pb2_grpc.DaprServicer):
    def __init__(self) -> None:
        self.requests: list[tuple[dapr_pb2.BulkPublishRequest, dict]] = []
        self.fail_with: grpc.StatusCode | None = None

    async def BulkPublishEventAlpha1(self, request, context):
        self.requests.append((request, dict(context.invocation_metadata())))
        if self.fail_with is not None:
            await context.abort(self.fail_with, "error when publishing")
        return dapr_pb2.BulkPublishResponse(
            failedEntries=[dapr_pb2.BulkPublishResponseFailedEntry(entry_id="e2", error="no")]
        )


@pytest.fixture
async def sidecar():
    servicer = Sidecar()
    server = grpc.aio.server()
    dapr_pb2_grpc.add_DaprServicer_to_server(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    client = GrpcSidecar(f"127.0.0.1:{port}", TOKEN)
    yield servicer, client
    await client.aclose()
    await server.stop(None)


async def test_the_grpc_client_sends_what_the_http_client_sends(sidecar):
    servicer, client = sidecar
    assert await client.publish_bulk("household", EVENTS, traceparent="00-abc-def-01") == {"e2"}
    ((request, metadata),) = servicer.requests
    assert (request.pubsub_name, request.topic) == ("pubsub", "household")
    assert metadata["dapr-api-token"] == TOKEN
    assert metadata["traceparent"] == "00-abc-def-01"
    assert [
        (e.entry_id, json.loads(e.event), e.content_type, dict(e.metadata)) for e in request.entries
    ] == [
        (e.entry_id, e.cloudevent, CLOUDEVENTS_JSON, {"partitionKey": e.partition_key})
        for e in EVENTS
    ]


async def test_a_refused_grpc_call_is_a_dapr_error(sidecar):
    servicer, client = sidecar
    servicer.fail_with = grpc.StatusCode.INTERNAL
    with pytest.raises(DaprError, match="INTERNAL"):
        await client.publish_bulk("household", EVENTS)
