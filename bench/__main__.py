"""Runs the benchmarks against a stack of their own (.stack/bench, ports from 28000; GIFTFLOW_BENCH_STACK
and GIFTFLOW_BENCH_PORT_BASE choose another, for two benchmark runs on one machine).

python -m bench            # all
python -m bench pipe       # only the named groups
python -m bench anchors    # only the anchors (bench/anchors), which the groups run beside their figures

A benchmark named by several chosen groups (an anchor, mostly) runs once, where it first appears.
"""

import asyncio
import os
import sys
import time

from bench import (
    anchors,
    calendar_feed,
    capacity,
    common,
    dapr_client,
    exchange_draw,
    gateway,
    live,
    mail,
    ordering,
    pipe,
    reminders,
    web,
)
from bench.export import household_export
from scripts.stack.processes import Stack
from scripts.stack.topology import Topology

GROUPS = {
    # each group runs the anchors its figures are read against first (bench/anchored.py)
    "anchors": [anchors.dapr_hop, anchors.bulk_fanout, anchors.fastapi_asyncpg],
    "pipe": [anchors.dapr_hop, anchors.bulk_fanout, pipe.commit_to_consumer, pipe.outbox_drain],
    # what keeping each aggregate's events in commit order costs: the pipe as it is and as it was
    "ordering": [ordering.ordering_cost],
    "live": [
        anchors.dapr_hop,
        anchors.bulk_fanout,
        live.commit_to_sse,
        live.sse_capacity,
        live.sse_broadcast,
        live.audit_ingest,
    ],
    "reminders": [reminders.reminder_lateness, reminders.next_occurrence],
    # before the gateway's: its writes add hundreds of gifts to the seeded family the export is of
    "export": [household_export],
    "gateway": [anchors.fastapi_asyncpg, gateway.gateway_read, gateway.gateway_write],
    "web": [web.web_draw],
    # the sidecar client: bulk publishing over daprd's HTTP API (as the relays do) and over its gRPC API
    "dapr_client": [dapr_client.dapr_client],
    # a calendar app polling a member's feed: built, and unchanged (304)
    "calendar": [calendar_feed.calendar_feed],
    "mail": [mail.mail_send, mail.digest_build],
    # the gift exchange's name draw: 50 givers, 30 exclusions; the pure function and through the API
    "exchange": [exchange_draw.exchange_draw],
    # reads, writes and the drain with 1, 2 and 4 gateway workers and 1 and 2 consumer replicas
    "capacity": [capacity.capacity],
}


def main(argv: list[str]) -> int:
    chosen = argv or list(GROUPS)
    unknown = [g for g in chosen if g not in GROUPS]
    if unknown:
        print(f"unknown benchmark group(s): {unknown}; choose from {list(GROUPS)}")
        return 2
    stack = Stack(
        Topology(
            os.environ.get("GIFTFLOW_BENCH_STACK", "bench"),
            int(os.environ.get("GIFTFLOW_BENCH_PORT_BASE", "28000")),
        )
    )
    stack.down(say=lambda _: None)
    stack.wipe()
    t0 = time.monotonic()
    stack.up(say=lambda m: print(f"bench: {m}", flush=True))
    try:
        for benchmark in dict.fromkeys(b for group in chosen for b in GROUPS[group]):
            common.benchmark_begins()
            asyncio.run(benchmark(stack))
    finally:
        stack.down(say=lambda _: None)
    print(f"bench: done in {time.monotonic() - t0:.0f}s; results in bench/results/")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
