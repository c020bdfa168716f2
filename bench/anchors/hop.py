"""The pipe's anchors: one bare daprd + Kafka hop, and the bulk fan-out ceiling to four bare consumers.

The publisher is this process with a daprd of its own, publishing through shared/dapr.py's client as the
outbox relay does (bulk publish, a partition key an event); the subscribers are bench/anchors/
subscriber_app.py, each with its own daprd and consumer group, subscribed in bulk with the consumers'
own settings. The events are the pipe benchmark's (a household.created CloudEvent), on topics of their
own on the bench stack's Kafka.
"""

import asyncio
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx

from bench.anchored import BULK_FANOUT, DAPR_HOP
from bench.anchors import processes
from bench.common import load_average, percentile, write_result
from scripts.stack.processes import Stack
from shared.dapr import DaprClient, OutgoingEvent
from shared.events import HouseholdCreated
from shared.outbox import to_cloudevent

HOP_TOPIC = "bench.anchor-hop"
FANOUT_TOPIC = "bench.anchor-fanout"
PUBLISHER_INDEX = 9  # the publisher's daprd ports; subscribers take 0..4
RELAY_BATCH = 500  # shared/relay.py's batch: a backlog is published in calls of this many


def _events(count: int, stamped: bool = False) -> list[OutgoingEvent]:
    now = datetime.now(UTC)
    events = []
    for _ in range(count):
        household_id, event_id = uuid.uuid4(), uuid.uuid4()
        event = HouseholdCreated(household_id=household_id, name="Bench", created_at=now)
        cloudevent = to_cloudevent(event, event_id, now)
        if stamped:
            cloudevent["data"]["sent_at"] = time.time()
        events.append(OutgoingEvent(str(event_id), str(household_id), cloudevent))
    return events


async def _publisher(stack: Stack) -> DaprClient:
    url = processes.start_sidecar(stack, "publisher", PUBLISHER_INDEX)
    return DaprClient(url, stack.t.secrets["DAPR_API_TOKEN"])


def _subscribers(stack: Stack, topic: str, names: list[str], first_index: int) -> list[str]:
    """Starts a bare subscriber app and its daprd for each name; their URLs."""
    resources = processes.subscriptions(stack, topic, [f"anchor-{n}" for n in names])
    urls = []
    for i, name in enumerate(names):
        port = processes.start_app(stack, name, "bench.anchors.subscriber_app:app", first_index + i)
        processes.start_sidecar(stack, name, first_index + i, resources)
        urls.append(f"http://127.0.0.1:{port}")
    return urls


async def _publish(client: DaprClient, topic: str, events: list[OutgoingEvent], batch: int) -> None:
    for i in range(0, len(events), batch):
        refused = await client.publish_bulk(topic, events[i : i + batch])
        if refused:
            raise RuntimeError(f"{len(refused)} anchor events refused by daprd")


async def _seen(http: httpx.AsyncClient, urls: list[str], latencies: bool = False) -> list[dict]:
    return [(await http.get(f"{url}/seen", params={"latencies": latencies})).json() for url in urls]


async def _wait_seen(http: httpx.AsyncClient, urls: list[str], count: int, patience: float) -> None:
    deadline = time.monotonic() + patience
    while True:
        seen = await _seen(http, urls)
        if all(s["events"] >= count for s in seen):
            return
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"bare subscribers saw {[s['events'] for s in seen]} of {count} after {patience}s"
            )
        await asyncio.sleep(0.2)


async def _reset(http: httpx.AsyncClient, urls: list[str]) -> None:
    for url in urls:
        (await http.post(f"{url}/reset")).raise_for_status()


async def dapr_hop(
    stack: Stack,
    writes: int = 300,
    interval_s: float = 0.05,
    warmup: int = 30,
    throughput_events: int = 5_000,
) -> Path:
    """At commit_to_consumer's pace (single events 50 ms apart, after a warm-up), publish call →
    subscriber's receipt; then one subscriber's throughput for a backlog published in relay batches."""
    try:
        (url,) = _subscribers(stack, HOP_TOPIC, ["hop"], 0)
        client = await _publisher(stack)
        async with httpx.AsyncClient(timeout=10) as http:
            for _ in range(warmup):  # first connections and the consumer group's join
                await _publish(client, HOP_TOPIC, _events(1, stamped=True), 1)
                await asyncio.sleep(interval_s)
            await _wait_seen(http, [url], warmup, patience=120)
            await _reset(http, [url])
            load_before = load_average()
            for _ in range(writes):
                await _publish(client, HOP_TOPIC, _events(1, stamped=True), 1)
                await asyncio.sleep(interval_s)
            await _wait_seen(http, [url], writes, patience=120)
            (seen,) = await _seen(http, [url], latencies=True)
            latencies = seen["latencies_ms"]
            await _reset(http, [url])
            backlog = _events(throughput_events)
            t0 = time.time()
            await _publish(client, HOP_TOPIC, backlog, RELAY_BATCH)
            await _wait_seen(http, [url], throughput_events, patience=300)
            (drained,) = await _seen(http, [url])
        await client.aclose()
    finally:
        processes.stop_all(stack)
    return write_result(
        DAPR_HOP,
        {
            "writes": writes,
            "hop_p50_ms": percentile(latencies, 50),
            "hop_p99_ms": percentile(latencies, 99),
            "throughput_events": throughput_events,
            "hop_events_per_s": throughput_events / (drained["last"] - t0),
            "load_avg_1m_before": load_before,
            "load_avg_1m_after": load_average(),
        },
        notes=f"after {warmup} unmeasured warm-up events, single events {interval_s * 1000:.0f} ms apart: from "
        "just before the publish call (this process → its daprd, shared/dapr.py's bulk publish of 1) to "
        "the bare subscriber's receipt (its daprd, bulk subscription with the consumers' settings); then "
        f"{throughput_events} events in calls of {RELAY_BATCH}, from the first call to the last receipt",
    )


async def bulk_fanout(
    stack: Stack, backlog: int = 10_000, consumers: int = 4, warmup: int = 20
) -> Path:
    """outbox_drain's ceiling: a backlog bulk-published in relay batches, consumed by four bare apps."""
    names = [f"fanout-{i + 1}" for i in range(consumers)]
    try:
        urls = _subscribers(stack, FANOUT_TOPIC, names, 1)
        client = await _publisher(stack)
        async with httpx.AsyncClient(timeout=10) as http:
            await _publish(client, FANOUT_TOPIC, _events(warmup), RELAY_BATCH)
            await _wait_seen(http, urls, warmup, patience=120)
            await _reset(http, urls)
            events = _events(backlog)
            load_before = load_average()
            t0 = time.time()
            await _publish(client, FANOUT_TOPIC, events, RELAY_BATCH)
            published_s = time.time() - t0
            await _wait_seen(http, urls, backlog, patience=600)
            seen = await _seen(http, urls)
        await client.aclose()
    finally:
        processes.stop_all(stack)
    each = [backlog / (s["last"] - t0) for s in seen]
    return write_result(
        BULK_FANOUT,
        {
            "backlog_events": backlog,
            "consumers": consumers,
            "fanout_events_per_s_each": backlog / (max(s["last"] for s in seen) - t0),
            "fanout_fastest_consumer_events_per_s": max(each),
            "publish_events_per_s": backlog / published_s,
            "load_avg_1m_before": load_before,
            "load_avg_1m_after": load_average(),
        },
        notes=f"{backlog} events bulk-published in calls of {RELAY_BATCH} through one daprd, to {consumers} bare "
        "apps each with its own daprd and consumer group (bulk subscription, the consumers' settings), "
        "answering SUCCESS and nothing else; each receives every event; from the first publish call to "
        "the last receipt of the slowest consumer, as outbox_drain counts to the last consumer's commit",
    )
