"""Every benchmark result is read beside its anchor: the ratio, the declared anchors, and the shape of
every file in bench/results (so a new benchmark that says nothing of its anchor fails here)."""

import json
from pathlib import Path

import pytest

from bench.__main__ import GROUPS
from bench.anchored import (
    ANCHOR_BENCHMARKS,
    ANCHORS,
    LEGACY,
    LEGACY_BEFORE,
    UNDECLARED,
    Anchor,
    NoAnchor,
    anchored,
    ratios,
)
from bench.common import RESULTS

RESULT_FILES = sorted(RESULTS.glob("*.json"))


def test_a_ratio_is_the_figure_over_the_anchor():
    got = ratios(
        {"rps": 200.0, "p99_ms": 50, "cpu": 3.0},
        {"a_rps": 2000, "a_p99": 12.5, "a_cpu": 1.5},
        {"rps": "a_rps", "p99_ms": "a_p99", "cpu": "a_cpu"},
    )
    assert got == {"rps_vs_anchor": 0.1, "p99_ms_vs_anchor": 4.0, "cpu_vs_anchor": 2.0}


@pytest.mark.parametrize(
    "anchor_metrics", [{"base": 0}, {}, {"base": None}, {"base": "n/a"}], ids=str
)
def test_a_ratio_that_cannot_be_taken_is_none_not_zero_or_infinity(anchor_metrics):
    assert ratios({"figure": 5.0}, anchor_metrics, {"figure": "base"}) == {"figure_vs_anchor": None}


def _measured(metrics: dict) -> dict:
    return {"date": "2026-12-07T03:30:00+00:00", "metrics": metrics}


def test_a_figure_cites_the_anchor_measured_in_the_same_run():
    fields = anchored(
        "commit_to_consumer",
        {"commit_to_consumer_p50_ms": 20.0, "commit_to_consumer_p99_ms": 40.0},
        {"anchor_dapr_hop": _measured({"hop_p50_ms": 5.0, "hop_p99_ms": 10.0, "other": 1})},
    )
    assert fields == {
        "anchor": {
            "benchmark": "anchor_dapr_hop",
            "date": "2026-12-07T03:30:00+00:00",
            "metrics": {"hop_p50_ms": 5.0, "hop_p99_ms": 10.0},
        },
        "vs_anchor": {
            "commit_to_consumer_p50_ms_vs_anchor": 4.0,
            "commit_to_consumer_p99_ms_vs_anchor": 4.0,
        },
    }


def test_an_anchor_not_measured_in_this_run_is_said_so_not_taken_from_an_older_file():
    fields = anchored("gateway_read", {"gateway_read_rps": 100.0}, {})
    assert fields["anchor"] is None
    assert fields["anchor_reason"] == "anchor_fastapi_asyncpg was not measured in this run"
    assert fields["vs_anchor"] == {}


def test_a_benchmark_nobody_declared_is_written_with_a_reason_the_result_tests_refuse():
    fields = anchored("brand_new_benchmark", {"x": 1}, {})
    assert (fields["anchor"], fields["anchor_reason"]) == (None, UNDECLARED)


def test_every_declared_anchor_is_an_anchor_benchmark_and_has_pairs():
    for benchmark, declared in ANCHORS.items():
        if isinstance(declared, Anchor):
            assert declared.benchmark in ANCHOR_BENCHMARKS, benchmark
            assert declared.pairs, benchmark
        else:
            assert declared.reason.strip(), benchmark


def _result_name(function_name: str) -> str:
    return f"anchor_{function_name}" if f"anchor_{function_name}" in ANCHORS else function_name


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_each_group_runs_its_figures_anchors_before_them(group):
    names = [_result_name(b.__name__) for b in GROUPS[group]]
    for i, name in enumerate(names):
        declared = ANCHORS.get(name)
        if isinstance(declared, Anchor):
            assert declared.benchmark in names[:i], (
                f"group {group}: {name} is read against {declared.benchmark}, "
                "which the group does not run before it"
            )


def test_there_are_result_files_to_check():
    assert len(RESULT_FILES) >= 10


@pytest.mark.parametrize("path", RESULT_FILES, ids=lambda p: p.stem)
def test_every_result_has_figures_its_anchor_the_ratios_and_the_load_average(path: Path):
    result = json.loads(path.read_text())
    benchmark = result["benchmark"]
    assert benchmark == path.stem
    assert benchmark in ANCHORS, f"{benchmark}: {UNDECLARED}"
    assert isinstance(result["metrics"], dict) and result["metrics"], "no figures"
    for key in ("anchor", "vs_anchor", "load_avg_1m", "date"):
        assert key in result, f"{benchmark} has no {key!r}"
    load = result["load_avg_1m"]
    legacy = result.get("anchor_reason") == LEGACY
    if legacy:  # only files older than the anchors may say so, until they are measured again
        assert result["date"] < LEGACY_BEFORE, f"{benchmark} is new but claims to be legacy"
        assert result["anchor"] is None
        assert set(load) == {"start", "end"}
        return
    assert isinstance(load["start"], int | float) and isinstance(load["end"], int | float)
    declared = ANCHORS[benchmark]
    if isinstance(declared, NoAnchor):
        assert result["anchor"] is None
        assert result["anchor_reason"] == declared.reason
        assert result["vs_anchor"] == {}
        return
    assert result["anchor"] is not None, result.get("anchor_reason")
    assert result["anchor"]["benchmark"] == declared.benchmark
    assert set(result["anchor"]["metrics"]) == set(declared.pairs.values())
    assert set(result["vs_anchor"]) == {f"{figure}_vs_anchor" for figure in declared.pairs}
    for figure in declared.pairs:
        assert figure in result["metrics"], f"{benchmark} declares {figure} but has no such figure"


def test_the_read_anchor_is_served_as_the_gateway_is(monkeypatch, tmp_path):
    """Same uvicorn flags and worker count as scripts/stack starts the gateway with: the anchor's app
    differs, not how it is served."""
    from bench.anchors import processes
    from scripts.stack.processes import Stack
    from scripts.stack.topology import Topology

    monkeypatch.setattr(Topology, "dir", property(lambda self: tmp_path))
    monkeypatch.setattr(processes, "_wait", lambda *args, **kwargs: None)
    spawned: dict[str, list[str]] = {}

    def spawn(self, name, args, env=None, user=None, cwd=None):
        spawned[name] = args
        return None

    monkeypatch.setattr(Stack, "_spawn", spawn)
    stack = Stack(Topology("unit", 50_000))
    stack.start_app("gateway", wait=False)
    processes.start_app(stack, "read", "bench.anchors.read_app:app", 5)

    def served(args: list[str]) -> list[str]:  # everything but the app and its port
        flags = args[args.index("uvicorn") + 2 :]
        at = flags.index("--port")
        return flags[:at] + flags[at + 2 :]

    assert served(spawned["anchor-app-read"]) == served(spawned["app-gateway"])
