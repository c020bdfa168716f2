"""The sidecar client: bulk publishing through daprd's HTTP API (shared/dapr.py, what the relays use)
against its gRPC API (the Dapr SDK's generated stub on a grpc.aio channel), on one daprd and Kafka.

The Python SDK's own DaprClient has no bulk publish in 1.16 (only `publish_event`, one event a call), so
the gRPC side calls `BulkPublishEventAlpha1` through the SDK's stub: the same request the relay sends
over HTTP (entry ids, CloudEvents, a partition key per entry, the API token, a traceparent), as
protobuf over HTTP/2 instead of JSON over HTTP/1.1.

The gateway's sidecar is restarted for the run with its Configuration plus the gRPC bulk publish API
(the shipped one routes no gRPC API), and put back as it was afterwards. Events go to a topic no
consumer subscribes to, so the figures are the client's, daprd's and Kafka's producer's only. Both
clients publish the same number of events in the same batch sizes, one call at a time as a relay does,
in A-B-B-A order so a change in the machine's load falls on both alike:

* batches of 500 (the relay's batch size: a backlog draining) — events/s, and per-call latency;
* batches of 1 (the steady state: one write, one event) — per-call latency.
"""

import json
import os
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import grpc
import yaml
from dapr.proto.runtime.v1 import dapr_pb2, dapr_pb2_grpc

from bench.common import load_average, percentile, write_result
from scripts.stack.processes import Stack
from shared.dapr import CLOUDEVENTS_JSON, DaprClient, DaprError, OutgoingEvent
from shared.events import HouseholdCreated
from shared.outbox import to_cloudevent

TOPIC = "bench.sidecar-client"  # nobody subscribes: nothing downstream competes for the CPU
GRPC_BULK_PUBLISH = {"name": "publish", "version": "v1alpha1", "protocol": "grpc"}


class GrpcSidecar:
    """`DaprClient.publish_bulk`, over daprd's gRPC API."""

    def __init__(self, address: str, api_token: str, pubsub: str = "pubsub") -> None:
        self.pubsub = pubsub
        self.token = [("dapr-api-token", api_token)] if api_token else []
        self.channel = grpc.aio.insecure_channel(address)
        self.stub = dapr_pb2_grpc.DaprStub(self.channel)

    async def aclose(self) -> None:
        await self.channel.close()

    async def publish_bulk(
        self, topic: str, events: Sequence[OutgoingEvent], traceparent: str | None = None
    ) -> set[str]:
        request = dapr_pb2.BulkPublishRequest(
            pubsub_name=self.pubsub,
            topic=topic,
            entries=[
                dapr_pb2.BulkPublishRequestEntry(
                    entry_id=e.entry_id,
                    event=json.dumps(e.cloudevent).encode(),
                    content_type=CLOUDEVENTS_JSON,
                    metadata={"partitionKey": e.partition_key},
                )
                for e in events
            ],
        )
        metadata = self.token + ([("traceparent", traceparent)] if traceparent else [])
        try:
            response = await self.stub.BulkPublishEventAlpha1(
                request, metadata=metadata, timeout=10.0
            )
        except grpc.aio.AioRpcError as exc:
            raise DaprError(f"bulk publish refused: {exc.code().name} {exc.details()}") from exc
        return {f.entry_id for f in response.failedEntries}


def _events(count: int) -> list[OutgoingEvent]:
    now = datetime.now(UTC)
    events = []
    for _ in range(count):
        household_id = uuid.uuid4()
        event = HouseholdCreated(household_id=household_id, name="Bench", created_at=now)
        event_id = uuid.uuid4()
        events.append(
            OutgoingEvent(str(event_id), str(household_id), to_cloudevent(event, event_id, now))
        )
    return events


async def _publish(
    client: DaprClient | GrpcSidecar, batches: list[list[OutgoingEvent]]
) -> tuple[float, list[float]]:
    """Publishes the batches one call at a time; the wall time and each call's latency (ms)."""
    latencies = []
    t0 = time.perf_counter()
    for batch in batches:
        start = time.perf_counter()
        rejected = await client.publish_bulk(TOPIC, batch)
        latencies.append((time.perf_counter() - start) * 1000)
        if rejected:
            raise RuntimeError(f"{len(rejected)} of {len(batch)} events refused")
    return time.perf_counter() - t0, latencies


async def _partial_refusal(client: DaprClient | GrpcSidecar) -> str:
    """What the client learns when Kafka refuses one entry of a batch (one larger than the pub/sub
    component's maxMessageBytes) and takes the other: which entries to keep pending, or only that
    something failed."""
    fine, (too_big,) = _events(1), _events(1)
    too_big.cloudevent["data"]["name"] = "x" * 1_200_000
    try:
        rejected = await client.publish_bulk(TOPIC, [*fine, too_big])
    except DaprError as exc:
        return f"the whole call fails, no entry named ({str(exc)[:200]})"
    return f"names the refused entries: {sorted(rejected) == [too_big.entry_id]}"


def _grpc_config(stack: Stack) -> Path:
    """The gateway sidecar's Configuration with the gRPC bulk publish API routed as well."""
    config = yaml.safe_load(stack.sidecar_config("gateway").read_text())
    config["spec"]["api"]["allowed"].append(GRPC_BULK_PUBLISH)
    path = stack.t.dir / "dapr-config-gateway-grpc-publish.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


async def dapr_client(
    stack: Stack, events: int = 50_000, batch: int = 500, singles: int = 1000, warmup: int = 20
) -> Path:
    stack.stop("daprd-gateway")
    stack.start_sidecar("gateway", config=_grpc_config(stack))
    token = stack.t.secrets["DAPR_API_TOKEN"]
    clients: dict[str, DaprClient | GrpcSidecar] = {
        "http": DaprClient(stack.t.dapr_url("gateway"), token),
        "grpc": GrpcSidecar(f"127.0.0.1:{stack.t.dapr_grpc_port('gateway')}", token),
    }
    wall = {(name, size): 0.0 for name in clients for size in (batch, 1)}
    latencies: dict[tuple[str, int], list[float]] = {key: [] for key in wall}
    try:
        for client in clients.values():  # first connections, the topic's creation, the producer
            await _publish(client, [[e] for e in _events(warmup)])
            await _publish(client, [_events(batch)])
        load_before = load_average()
        half = {batch: events // batch // 2, 1: singles // 2}
        for order in (("http", "grpc"), ("grpc", "http")):
            for name in order:
                for size, calls in half.items():
                    pending = _events(size * calls)
                    batches = [pending[i : i + size] for i in range(0, len(pending), size)]
                    took, each = await _publish(clients[name], batches)
                    wall[name, size] += took
                    latencies[name, size] += each
        load_after = load_average()
        refusals = {name: await _partial_refusal(client) for name, client in clients.items()}
    finally:
        for client in clients.values():
            await client.aclose()
        stack.stop("daprd-gateway")
        stack.start_sidecar("gateway")
    metrics: dict[str, float | int | str] = {"events_per_client": events, "batch_size": batch}
    for name in clients:
        bulk, single = latencies[name, batch], latencies[name, 1]
        metrics[f"{name}_bulk_events_per_s"] = len(bulk) * batch / wall[name, batch]
        metrics[f"{name}_bulk_call_p50_ms"] = percentile(bulk, 50)
        metrics[f"{name}_bulk_call_p99_ms"] = percentile(bulk, 99)
        metrics[f"{name}_single_call_p50_ms"] = percentile(single, 50)
        metrics[f"{name}_single_call_p99_ms"] = percentile(single, 99)
    metrics["grpc_over_http_bulk_rate_ratio"] = (
        len(latencies["grpc", batch]) / wall["grpc", batch]
    ) / (len(latencies["http", batch]) / wall["http", batch])
    for name, refusal in refusals.items():
        metrics[f"{name}_one_entry_refused"] = refusal
    metrics["load_avg_1m_before"] = load_before
    metrics["load_avg_1m_after"] = load_after
    return write_result(
        "dapr_client",
        metrics,
        notes=f"one daprd (the gateway's) and Kafka; {events} events per client in calls of {batch}, "
        f"and {singles} calls of 1 event, one call at a time, A-B-B-A; http = shared/dapr.py "
        "(httpx, JSON, /v1.0-alpha1/publish/bulk), grpc = BulkPublishEventAlpha1 through the Dapr "
        "SDK's stub (grpc.aio, protobuf); a topic with no subscriber"
        + (
            f"; measured on a loaded machine (1-minute load {load_before:.1f} on "
            f"{os.cpu_count()} cores): the two clients' figures compare with each other, not with "
            "an idle machine's"
            if load_before > (os.cpu_count() or 1)
            else ""
        ),
    )
