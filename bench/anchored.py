"""Which anchor each figure is read against, and the ratio between them.

A figure from a shared machine means little alone: 120 req/s is poor on an idle machine and fair on one
whose load is 6. So the bench measures, in the same run, what the bare parts underneath can do on the
machine as it is then (bench/anchors), and writes every result with its anchor's figures and the ratio
`<figure>_vs_anchor` = figure / anchor. A ratio moves with our code, much less with the machine's load.

Every benchmark is named here, with its anchor or with the reason it has none; the unit tests check
every file in bench/results against this table, so a new benchmark must say which it is.
"""

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Anchor:
    """The anchor benchmark a figure is read against, and which of its metrics each figure compares with."""

    benchmark: str
    pairs: dict[str, str]  # figure's metric -> the anchor's metric


@dataclass(frozen=True)
class NoAnchor:
    reason: str


# the anchors themselves (bench/anchors), measured in the same run as the figures that cite them
DAPR_HOP = "anchor_dapr_hop"
BULK_FANOUT = "anchor_bulk_fanout"
FASTAPI_ASYNCPG = "anchor_fastapi_asyncpg"
ANCHOR_BENCHMARKS = (DAPR_HOP, BULK_FANOUT, FASTAPI_ASYNCPG)
_IS_ANCHOR = NoAnchor("is itself an anchor: bare parts only, nothing of giftflow's")

ANCHORS: dict[str, Anchor | NoAnchor] = {
    DAPR_HOP: _IS_ANCHOR,
    BULK_FANOUT: _IS_ANCHOR,
    FASTAPI_ASYNCPG: _IS_ANCHOR,
    "commit_to_consumer": Anchor(
        DAPR_HOP,
        {
            "commit_to_consumer_p50_ms": "hop_p50_ms",
            "commit_to_consumer_p99_ms": "hop_p99_ms",
        },
    ),
    "outbox_drain": Anchor(
        BULK_FANOUT,
        {
            "outbox_drain_events_per_s": "fanout_events_per_s_each",
            "outbox_publish_events_per_s": "publish_events_per_s",
        },
    ),
    "commit_to_sse": Anchor(
        DAPR_HOP,
        {"commit_to_sse_p50_ms": "hop_p50_ms", "commit_to_sse_p99_ms": "hop_p99_ms"},
    ),
    "audit_ingest": Anchor(BULK_FANOUT, {"audit_ingest_events_per_s": "fanout_events_per_s_each"}),
    "gateway_read": Anchor(
        FASTAPI_ASYNCPG,
        {
            "gateway_read_rps": "rps",
            "gateway_read_p50_ms": "p50_ms",
            "gateway_read_p99_ms": "p99_ms",
            "gateway_read_gateway_cpu_ms_per_request": "app_cpu_ms_per_request",
        },
    ),
    "gateway_write": NoAnchor(
        "no bare equivalent of a write: a use case, its outbox row and the whole stack consuming it; "
        "read its CPU per write beside gateway_read's anchor"
    ),
    "sse_capacity": NoAnchor(
        "memory per idle stream; no bare part is measured by the bench (a bare uvicorn app holding idle "
        "streams with the same response: ~23 KB each; with sse-starlette's: ~39 KB)"
    ),
    "sse_broadcast": NoAnchor("LISTEN/NOTIFY fan-out to streams: no bare part to compare with"),
    "ordering_cost": NoAnchor("compares the pipe with and without commit order, in the same run"),
    "dapr_client": NoAnchor("compares two sidecar clients on one bare daprd, in the same run"),
    "reminder_lateness": NoAnchor("lateness against the reminder's own due time: no bare part"),
    "next_occurrence": NoAnchor("pure computation of recurrences: no bare part"),
    "calendar_feed": NoAnchor("a feed built from the database by one member's poll: no bare part"),
    "exchange_draw": NoAnchor(
        "the draw is pure computation (its median is the figure); the API draw beside it is a "
        "write with 51 events: read it beside gateway_write"
    ),
    "mail_send": NoAnchor("mails through the local SMTP catcher: no bare part is measured"),
    "digest_build": NoAnchor(
        "a member's dashboard read through two sidecars (service invocation) and a mail rendered: no "
        "bare part; read it beside gateway_read's anchor"
    ),
    "capacity": NoAnchor(
        "a curve: each point is read against the curve's own first point (1 worker, 1 replica), "
        "measured by the same run"
    ),
    "rehearsal": NoAnchor("a rolling upgrade and rollback under traffic: counts, not speeds"),
    "household_export": NoAnchor(
        "a whole household read through every read use case: no bare part; read it beside "
        "gateway_read's anchor"
    ),
    "web_cold": NoAnchor("a browser drawing the web client: no bare part"),
    "web_warm": NoAnchor("a browser drawing the web client: no bare part"),
    "compose_test": NoAnchor(
        "the container build and smoke test's duration, not a figure to compare"
    ),
    "k8s_rehearsal": NoAnchor(
        "a rollout and rollback on the single-node cluster under traffic: counts, and durations "
        "that Kubernetes' own waits (readiness periods, minReadySeconds, preStop) dominate"
    ),
}

UNDECLARED = "not declared in bench/anchored.py: say which anchor it is read against, or why none"
# result files written before the bench measured anchors carry this reason until they are measured again
LEGACY = (
    "measured before the bench measured anchors beside its figures: the next run replaces this file"
)
LEGACY_BEFORE = "2026-12-07T03:00"  # no result dated after this may use LEGACY


def ratios(metrics: dict[str, Any], anchor_metrics: dict[str, Any], pairs: dict[str, str]) -> dict:
    """`<figure>_vs_anchor` for each pair both sides have as a positive number (None when the anchor is
    0 or missing: a ratio that cannot be taken is shown as such, never as 0 or infinity)."""
    out: dict[str, float | None] = {}
    for figure, anchor_key in pairs.items():
        value, base = metrics.get(figure), anchor_metrics.get(anchor_key)
        ok = isinstance(value, int | float) and isinstance(base, int | float) and base > 0
        out[f"{figure}_vs_anchor"] = round(value / base, 3) if ok else None  # type: ignore[operator]
    return out


def anchored(benchmark: str, metrics: dict[str, Any], measured: dict[str, dict]) -> dict:
    """The `anchor`, `anchor_reason` and `vs_anchor` fields of a result, from the anchors measured in
    this run (`measured`: anchor benchmark -> its result)."""
    declared = ANCHORS.get(benchmark)
    if declared is None:
        return {"anchor": None, "anchor_reason": UNDECLARED, "vs_anchor": {}}
    if isinstance(declared, NoAnchor):
        return {"anchor": None, "anchor_reason": declared.reason, "vs_anchor": {}}
    anchor = measured.get(declared.benchmark)
    if anchor is None:
        return {
            "anchor": None,
            "anchor_reason": f"{declared.benchmark} was not measured in this run",
            "vs_anchor": {},
        }
    return {
        "anchor": {
            "benchmark": declared.benchmark,
            "date": anchor["date"],
            "metrics": {k: anchor["metrics"].get(k) for k in declared.pairs.values()},
        },
        "vs_anchor": ratios(metrics, anchor["metrics"], declared.pairs),
    }
