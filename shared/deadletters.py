"""Dead letters: what Dapr gave up on for a consumer, counted as it lands, and replayed on request.

An event lands in `deadletter.<service>` when its consumer answered DROP (poison), or RETRY until the
resiliency policy's retries ran out. Each consumer also subscribes to its own dead-letter topic
(dapr/subscriptions/, no dead-letter topic of its own) only to count what arrives there, by type,
in `giftflow_events_dead_lettered_total`, which an alert watches (k8s/monitoring/prometheusrule.yaml).

Once the cause is fixed, an operator replays the topic into its consumer:

    make replay-deadletters SERVICE=audit                          # the local stack (`make run`)
    python -m shared.deadletters audit --brokers kafka:9092       # anywhere else, next to the service

The replay reads the topic as its own Kafka consumer group (`replay.<service>`), so a second replay
starts where the first stopped, and hands the events to the consumer's `/events` route exactly as its
sidecar would (with the app API token). The consumer's inbox makes it idempotent: an event already
handled (by an earlier replay, or a redelivery that did get through) is acknowledged with no effect.
An event the consumer still refuses as poison is reported and passed over; one it asks to retry
stops the replay there, so the next replay begins with it.
"""

import argparse
import asyncio
import json
import os
import sys
from collections import Counter
from dataclasses import dataclass, field

import httpx
import structlog
from fastapi import APIRouter, HTTPException, Request

from shared.dapr import CLOUDEVENTS_JSON, SidecarOnly
from shared.events import EVENT_TYPES, split_type
from shared.metrics import EVENTS_DEAD_LETTERED

log = structlog.get_logger()


def dead_letter_topic(service: str) -> str:
    return f"deadletter.{service}"


def dead_letters_router(service: str) -> APIRouter:
    """The route Dapr delivers the service's own dead-letter topic to: count, log, acknowledge."""
    router = APIRouter(tags=["events"])
    # every series at 0 from the start, so the first dead letter of a type is an increase like any other
    for event_type in [*EVENT_TYPES, "unknown"]:
        EVENTS_DEAD_LETTERED.labels(service, event_type)

    @router.post("/deadletters", dependencies=[SidecarOnly], include_in_schema=False)
    async def observe(request: Request) -> dict:
        try:
            body = await request.json()
        except ValueError:
            raise HTTPException(400, "the body must be a Dapr bulk delivery (JSON)") from None
        statuses = []
        for entry in body.get("entries") or []:
            event = entry.get("event") if isinstance(entry.get("event"), dict) else {}
            event_type = event.get("type") if isinstance(event.get("type"), str) else "malformed"
            # unknown types are folded into one label so a flood of junk cannot explode cardinality
            EVENTS_DEAD_LETTERED.labels(
                service, event_type if split_type(event_type) else "unknown"
            ).inc()
            log.warning(
                "event.dead_lettered",
                event_id=event.get("id"),
                event_type=event_type,
                topic=dead_letter_topic(service),
            )
            statuses.append({"entryId": entry.get("entryId", ""), "status": "SUCCESS"})
        return {"statuses": statuses}

    return router


@dataclass
class ReplayReport:
    """What a replay did: how many events went back in, which are still refused, whether it finished."""

    replayed: int = 0
    outcomes: Counter = field(default_factory=Counter)
    still_poison: list[str] = field(default_factory=list)  # ids the consumer answered DROP again
    stopped_at: str | None = (
        None  # the id the consumer asked to retry: the next replay starts there
    )

    def __str__(self) -> str:
        parts = [f"replayed {self.replayed}"] + [
            f"{n} {o}" for o, n in sorted(self.outcomes.items())
        ]
        if self.still_poison:
            parts.append("still refused as poison: " + ", ".join(self.still_poison))
        if self.stopped_at:
            parts.append(
                f"stopped at {self.stopped_at}, which the consumer asked to retry: replay again later"
            )
        return "; ".join(parts)


async def replay(
    service: str,
    brokers: str,
    app_url: str,
    app_token: str,
    batch_size: int = 100,
    group: str | None = None,
) -> ReplayReport:
    """Hand what is in `deadletter.<service>` (up to its end when the replay starts) to the consumer,
    from where the last replay (of consumer group `group`, `replay.<service>` by default) stopped."""
    from aiokafka import AIOKafkaConsumer, TopicPartition
    from aiokafka.admin import AIOKafkaAdminClient

    topic = dead_letter_topic(service)
    admin = AIOKafkaAdminClient(bootstrap_servers=brokers)
    await admin.start()
    try:
        [described] = await admin.describe_topics([topic])
    finally:
        await admin.close()
    if described.get("error_code") or not described.get("partitions"):
        raise SystemExit(f"no topic {topic} in {brokers}")
    partitions = [
        TopicPartition(topic, p["partition"])
        for p in sorted(described["partitions"], key=lambda p: p["partition"])
    ]
    kafka = AIOKafkaConsumer(
        bootstrap_servers=brokers,
        group_id=group or f"replay.{service}",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    report = ReplayReport()
    await kafka.start()
    try:
        kafka.assign(partitions)
        ends = await kafka.end_offsets(partitions)
        async with httpx.AsyncClient(
            base_url=app_url, timeout=60, headers={"dapr-api-token": app_token}
        ) as app:
            for tp in partitions:
                while report.stopped_at is None and await kafka.position(tp) < ends[tp]:
                    records = (
                        await kafka.getmany(tp, timeout_ms=2000, max_records=batch_size)
                    ).get(tp, [])
                    records = [r for r in records if r.offset < ends[tp]]
                    if records:
                        await _deliver(kafka, app, tp, records, report)
    finally:
        await kafka.stop()
    return report


async def _deliver(kafka, app: httpx.AsyncClient, tp, records: list, report: ReplayReport) -> None:
    """One bulk delivery; commits the partition's offset past every entry the consumer is done with."""
    entries = [
        {"entryId": str(r.offset), "event": _parsed(r.value), "contentType": CLOUDEVENTS_JSON}
        for r in records
    ]
    response = await app.post("/events", json={"entries": entries})
    response.raise_for_status()
    status = {s["entryId"]: s["status"] for s in response.json()["statuses"]}
    done = None
    for record, entry in zip(records, entries, strict=True):
        outcome = status.get(entry["entryId"], "RETRY")
        event_id = str(entry["event"].get("id")) if isinstance(entry["event"], dict) else "?"
        if outcome == "RETRY":
            report.stopped_at = event_id
            break
        report.replayed += 1
        report.outcomes[outcome] += 1
        if outcome == "DROP":
            report.still_poison.append(event_id)
        done = record.offset
    if done is not None:
        await kafka.commit({tp: done + 1})


def _parsed(value: bytes) -> object:
    """The event as Dapr dead-lettered it; what is not even JSON goes as text, for the consumer to refuse."""
    try:
        return json.loads(value)
    except ValueError:
        return value.decode(errors="replace")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m shared.deadletters",
        description="Replay a consumer's dead-letter topic into it.",
    )
    parser.add_argument("service", choices=("notification", "reminder", "recurring", "audit"))
    parser.add_argument("--brokers", default=os.environ.get("KAFKA_BROKERS", "127.0.0.1:9092"))
    parser.add_argument(
        "--app-url", default="http://127.0.0.1:8000", help="the consumer itself, not its sidecar"
    )
    args = parser.parse_args(argv)
    token = os.environ.get("APP_API_TOKEN", "")
    if not token:
        parser.error(
            "APP_API_TOKEN must be set: the consumer accepts events only with its sidecar's token"
        )
    report = asyncio.run(replay(args.service, args.brokers, args.app_url, token))
    print(f"{dead_letter_topic(args.service)}: {report}")
    return 0 if report.stopped_at is None else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
