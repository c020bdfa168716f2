"""The live rehearsal of an upgrade and its rollback, on a local stack of its own.

    make rehearsal                    # python -m scripts.rehearsal
    python -m scripts.rehearsal --consumer-replicas 1 --steady 5

While a family uses the system (reads, task writes, one live stream open), the gateway moves to the next
release (scripts/rehearsal/next_build.py: a new migration, task.created v2) and back, in the order a
release of this kind must take:

1. the next release's migration runs against the live database (expand only; the running code keeps on);
2. a v2 event is sent before any consumer reads v2: it must be parked, not lost (scripts/rehearsal/probe.py);
3. every consumer replica moves to the next release, one at a time: they read v1 and v2 now, and the
   parked probe is replayed into them;
4. the gateway's instances move to the next release one at a time behind the balancer: v2 is published;
5. the gateway's instances move back one at a time (v1 again), the schema staying as it is;
6. once every v2 is handled, the consumers move back one at a time.

Then every event the gateway committed is looked up in every consumer's inbox. The figures go to
bench/results/rehearsal.json; the exit status is 1 if a request failed or an event was lost.
"""

import argparse
import asyncio
import os
import subprocess
import sys
import time
from datetime import UTC, datetime

from bench.common import load_average, write_result
from bench.gateway import _family, read_mix
from scripts.rehearsal import accounting, next_build, probe
from scripts.rehearsal.rollout import roll
from scripts.rehearsal.traffic import FamilyTraffic
from scripts.stack.processes import Stack
from scripts.stack.topology import CACHE, CONSUMERS, ROOT, VENV_PYTHON, Topology
from shared.deadletters import replay

DRAIN_TIMEOUT_S = 120


def say(message: str) -> None:
    print(f"rehearsal: {message}", flush=True)


def migrate(stack: Stack, build: next_build.NextBuild) -> None:
    """The next release's gateway migrations, run from its own checkout, as its migrations Job would."""
    env = {**os.environ, **stack.t.migration_env()}
    subprocess.run(
        [str(VENV_PYTHON), "-m", "shared.migrate", "upgrade", "gateway"],
        cwd=build.path,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


async def schema_revision(stack: Stack) -> str:
    import asyncpg

    conn = await asyncpg.connect(stack.t.database_dsn())
    try:
        return await conn.fetchval("SELECT version_num FROM gateway.alembic_version")
    finally:
        await conn.close()


async def wait_for(what: str, ready, within_s: float) -> None:
    deadline = time.monotonic() + within_s
    while not await ready():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} after {within_s:.0f}s")
        await asyncio.sleep(0.5)


async def rehearse(stack: Stack, build: next_build.NextBuild, steady_s: float) -> dict:
    t, phases = stack.t, {}
    family = await _family(t.gateway_url)
    traffic = FamilyTraffic(t.gateway_url, family, read_mix(family))
    since = datetime.now(UTC)
    load_before, t0 = load_average(), time.monotonic()
    traffic.start()

    def phase(name: str, started: float) -> None:
        phases[f"phase_{name}_s"] = round(time.monotonic() - started, 1)

    async def step(name: str, work) -> None:
        started = time.monotonic()
        await asyncio.to_thread(work)
        phase(name, started)

    await asyncio.sleep(steady_s)  # the family at work before anything changes
    await step("migrate", lambda: migrate(stack, build))
    revision = await schema_revision(stack)
    if revision != build.revision:
        raise RuntimeError(f"the gateway schema is at {revision}, not {build.revision}")
    say(f"migrated the live database to {revision}")

    probe_id = await probe.send(t)
    await wait_for(
        "the v2 probe was neither handled nor parked by every consumer",
        lambda: _probe_settled(t, probe_id),
        60,
    )
    parked = await probe.dead_letters(t)
    say(f"v2 sent to the current release: parked in dead letters {parked}")

    for service in CONSUMERS:
        await step(f"consumers_up_{service}", lambda s=service: roll(stack, s, build.path, say))
    replayed = {}
    for service, count in parked.items():
        if count:
            report = await replay(
                service, t.kafka_bootstrap, t.app_url(service), t.secrets["APP_API_TOKEN"]
            )
            replayed[service] = str(report)
    await wait_for(
        "the replayed v2 probe was not handled by every consumer",
        lambda: accounting.handled_by_all(t.database_dsn(), probe_id),
        60,
    )
    say(f"the parked probe, replayed: handled by every consumer ({replayed})")

    await step("gateway_up", lambda: roll(stack, "gateway", build.path, say))
    await asyncio.sleep(steady_s)  # v2 published while the family carries on
    await step("gateway_back", lambda: roll(stack, "gateway", ROOT, say))
    # the consumers go back only once they have handled every v2 there is: the current release could
    # read none of them
    started = time.monotonic()
    drained = await accounting.drained(t.database_dsn(), since, DRAIN_TIMEOUT_S)
    phase("v2_drained", started)
    for service in CONSUMERS:
        await step(f"consumers_back_{service}", lambda s=service: roll(stack, s, ROOT, say))
    await asyncio.sleep(steady_s)
    tally = await traffic.stop()
    duration = time.monotonic() - t0

    result = await accounting.drained(t.database_dsn(), since, DRAIN_TIMEOUT_S)
    handled_v2 = {c: result.handled[c].get(next_build.NEW_TYPE, 0) for c in CONSUMERS}
    # an acknowledged write without its event would be lost before the outbox: counted as lost too
    unrecorded = await accounting.writes_without_event(t.database_dsn(), tally.task_ids)
    return {
        "rehearsal_requests_failed": tally.failed,
        "rehearsal_events_lost": result.lost + unrecorded,
        "acknowledged_writes_without_event": unrecorded,
        "rehearsal_events_delayed_max_s": result.delayed_max_s,
        "requests_read": tally.reads,
        "requests_written": tally.writes,
        "events_published_v1": result.published.get(next_build.OLD_TYPE, 0),
        "events_published_v2": result.published.get(next_build.NEW_TYPE, 0),
        "events_handled_v2_min_over_consumers": min(handled_v2.values()),
        "events_lost_before_consumers_went_back": drained.lost,
        "probe_parked_in_dead_letters": sum(parked.values()),
        "probe_handled_by_every_consumer_after_replay": 1,
        "stream_opens": tally.stream_opens,
        "signed_in_again": tally.signed_in_again,
        "stream_messages": len(tally.stream_ids),
        "stream_positions_missed": tally.stream_ids_missed(),
        "gateway_instances": t.gateway_instances,
        "consumer_replicas": t.consumer_replicas,
        "migration": build.revision,
        "duration_s": round(duration, 1),
        **phases,
        "load_avg_1m_before": load_before,
        "load_avg_1m_after": load_average(),
        "failures": tally.failures,
    }


async def _probe_settled(t: Topology, probe_id: str) -> bool:
    """Every consumer has either handled the probe or put it on its dead-letter topic."""
    import asyncpg

    parked = await probe.dead_letters(t)
    conn = await asyncpg.connect(t.database_dsn())
    try:
        for consumer in CONSUMERS:
            handled = await conn.fetchval(
                f"SELECT 1 FROM {consumer}.processed_event WHERE event_id = $1", probe_id
            )
            if not handled and not parked[consumer]:
                return False
        return True
    finally:
        await conn.close()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.rehearsal", description=__doc__)
    parser.add_argument("--gateway-instances", type=int, default=2)
    parser.add_argument("--consumer-replicas", type=int, default=2)
    parser.add_argument(
        "--steady", type=float, default=10, help="seconds of traffic between the steps"
    )
    args = parser.parse_args(argv)
    if args.gateway_instances < 2:
        parser.error("a rolling upgrade behind the balancer needs at least 2 gateway instances")
    stack = Stack(
        Topology(
            os.environ.get("GIFTFLOW_REHEARSAL_STACK", "rehearsal"),
            int(os.environ.get("GIFTFLOW_REHEARSAL_PORT_BASE", "29000")),
            gateway_instances=args.gateway_instances,
            consumer_replicas=args.consumer_replicas,
        )
    )
    stack.down(say=lambda _: None)
    stack.wipe()
    build = next_build.make(CACHE / f"{stack.t.name}-next")
    say(f"next release in {build.path}: migration {build.revision}, {next_build.NEW_TYPE}")
    try:
        stack.up(say=say)
        metrics = asyncio.run(rehearse(stack, build, args.steady))
    finally:
        stack.down(say=lambda _: None)
        next_build.remove(build.path)
    failures = metrics.pop("failures")
    write_result(
        "rehearsal",
        metrics,
        notes=(
            "an upgrade of the gateway to a release with a new migration and task.created v2, and its "
            "rollback, one instance at a time behind the balancer, consumers first up and last down, "
            "while a family reads, writes tasks and holds a live stream"
            + (f"; failures: {failures}" if failures else "")
        ),
    )
    return 1 if metrics["rehearsal_requests_failed"] or metrics["rehearsal_events_lost"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
