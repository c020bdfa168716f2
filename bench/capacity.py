"""Capacity with more than one process: reads, writes and the outbox drain as the gateway gets more
workers and each consumer more replicas, on this machine.

The gateway grows by uvicorn workers (1, 2, 4), not by instances behind the balancer: on one machine the
workers share one listening socket that the kernel spreads connections over, as a Service spreads them
over pods, and each has its own relay, pools and event loop as an instance would, while a balancer
in front would take its own share of the same two cores and be measured too. (`Topology(...,
gateway_instances=n)` runs instances behind haproxy, for the rolling upgrade: scripts/rehearsal.)
The consumers grow by replicas (1, 2), each an app with its own daprd in the same consumer group; every
topic has as many partitions as the most replicas measured, at every point of the curve, so the
partitioning is not what differs.

Each point is a stack of its own, started afresh, measured with the same code as the single-process
figures (bench/gateway.py: wrk over the seeded family's mixes; bench/pipe.py: a 10,000-event backlog
through all four consumers), and written to bench/results/capacity.json as one curve.
"""

import asyncio
import os
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager

from bench import common, gateway, pipe
from scripts.stack.processes import Stack
from scripts.stack.topology import Topology

GATEWAY_WORKERS = (1, 2, 4)
CONSUMER_REPLICAS = (1, 2)
# GIFTFLOW_CAPACITY_QUICK=1: short runs at two points (one of each, and two of each), to see that the
# curve works; its figures mean little
QUICK = os.environ.get("GIFTFLOW_CAPACITY_QUICK") == "1"
POINTS = (
    [(1, 1), (2, 2)]
    if QUICK
    else [(workers, replicas) for replicas in CONSUMER_REPLICAS for workers in GATEWAY_WORKERS]
)
# GIFTFLOW_CAPACITY_POINTS="2x2,4x1": only these points (gateway workers x consumer replicas)
if chosen := os.environ.get("GIFTFLOW_CAPACITY_POINTS"):
    POINTS = [(int(w), int(r)) for w, r in (p.split("x") for p in chosen.split(","))]
SECONDS = 5 if QUICK else gateway.DURATION_S
BACKLOG = 2_000 if QUICK else 10_000


@contextmanager
def _collected(into: dict) -> Iterator[None]:
    """The benchmarks' figures kept here instead of written to their own files, which hold the
    single-process results of `make bench`."""

    def keep(benchmark: str, metrics: dict, notes: str = "") -> dict:
        into.update(metrics)
        return metrics

    saved = {module: module.write_result for module in (gateway, pipe)}
    saved_seconds = gateway.WARMUP_S, gateway.DURATION_S
    for module in saved:
        module.write_result = keep  # type: ignore[attr-defined]
    gateway.WARMUP_S, gateway.DURATION_S = min(gateway.WARMUP_S, SECONDS), SECONDS
    try:
        yield
    finally:
        for module, write in saved.items():
            module.write_result = write  # type: ignore[attr-defined]
        gateway.WARMUP_S, gateway.DURATION_S = saved_seconds


def _say(message: str) -> None:
    print(f"bench capacity: {message}", flush=True)


async def _point(t: Topology) -> dict:
    stack = Stack(t)
    started = time.monotonic()
    figures: dict = {}
    try:
        # the stack's own start runs event loops of its own: in a thread, beside this one
        await asyncio.to_thread(stack.up, _say)
        measures: list[Callable[[Stack], Awaitable[object]]] = [
            gateway.gateway_read,
            gateway.gateway_write,
            lambda s: pipe.outbox_drain(s, backlog=BACKLOG),
        ]
        with _collected(figures):
            for measure in measures:
                await measure(stack)
    finally:
        await asyncio.to_thread(_fresh, stack)
    point = {
        "gateway_workers": t.gateway_workers,
        "consumer_replicas": t.consumer_replicas,
        "reads_per_s": figures["gateway_read_rps"],
        "read_p99_ms": figures["gateway_read_p99_ms"],
        "read_gateway_cpu_ms": figures["gateway_read_gateway_cpu_ms_per_request"],
        "writes_per_s": figures["gateway_write_rps"],
        "write_p99_ms": figures["gateway_write_p99_ms"],
        "write_gateway_cpu_ms": figures["gateway_write_gateway_cpu_ms_per_request"],
        "drain_events_per_s": figures["outbox_drain_events_per_s"],
        "load_avg_1m_before": figures["load_avg_1m_before"],
        "load_avg_1m_after": figures["load_avg_1m_after"],
        "seconds": round(time.monotonic() - started),
    }
    return {k: round(v, 2) if isinstance(v, float) else v for k, v in point.items()}


def _fresh(stack: Stack) -> None:
    """Stopped and emptied: the next point starts from nothing."""
    stack.down(say=lambda _: None)
    stack.wipe()


async def capacity(stack: Stack) -> dict:
    """The curve, each point on its own stack (the bench stack's name and ports, one at a time)."""
    await asyncio.to_thread(_fresh, stack)  # its two cores are the points' now
    partitions = os.environ.get("KAFKA_PARTITIONS")
    os.environ["KAFKA_PARTITIONS"] = str(max(CONSUMER_REPLICAS))
    try:
        points = []
        for workers, replicas in POINTS:
            t = Topology(
                stack.t.name, stack.t.base_port, gateway_workers=workers, consumer_replicas=replicas
            )
            points.append(await _point(t))
            print(f"bench capacity: {points[-1]}", flush=True)
        return _write(points)
    finally:
        if partitions is None:
            os.environ.pop("KAFKA_PARTITIONS", None)
        else:
            os.environ["KAFKA_PARTITIONS"] = partitions
        await asyncio.to_thread(stack.up, lambda _: None)  # as the other groups expect it


def _write(points: list[dict]) -> dict:
    metrics = {
        "points": points,
        "seconds_per_measure": SECONDS,
        "backlog_events": BACKLOG,
        "partitions_per_topic": max(CONSUMER_REPLICAS),
        "quick": QUICK,
    }
    common.write_result(
        "capacity",
        metrics,
        notes=(
            "one stack per point: gateway uvicorn workers x consumer replicas (each with its daprd); "
            "reads and writes by wrk over the seeded family (bench/gateway.py), the drain of a backlog "
            "through all four consumers (bench/pipe.py)"
            + (
                "; QUICK run (short measures): the figures only show that the curve works"
                if QUICK
                else ""
            )
        ),
    )
    return metrics
