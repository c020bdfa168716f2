"""What every benchmark shares: percentiles, the machine's description, the result files.

Every result records the machine's load average when its benchmark began and when it ended, and its
anchor with the ratios to it (bench/anchored.py): a run on a loaded machine is written like any other,
and read beside the anchors measured in the same run.
"""

import json
import os
import platform
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx

from bench.anchored import ANCHOR_BENCHMARKS, anchored

RESULTS = Path(__file__).resolve().parent / "results"


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, round(p / 100 * len(ordered) + 0.5) - 1 + 1)
    return ordered[min(rank, len(ordered)) - 1]


def machine() -> str:
    model = "unknown cpu"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        mem_kb = 0
    return f"{os.cpu_count()} cores, {mem_kb // 1024 // 1024} GiB, {model}, {platform.system()} {platform.release()}"


def load_average() -> float:
    """The 1-minute load average: on a 2-core machine, anything above 2 means the figures are shared."""
    return float(Path("/proc/loadavg").read_text().split()[0])


_began_at_load: float | None = None
# the anchors measured so far in this run (anchor benchmark -> its result), for the figures that cite them
MEASURED_ANCHORS: dict[str, dict] = {}


def benchmark_begins() -> None:
    """Called by the runner before each benchmark: the load average its result records as `start`
    unless the benchmark took its own after a warm-up (`load_avg_1m_before`)."""
    global _began_at_load
    _began_at_load = load_average()


def write_result(benchmark: str, metrics: dict, notes: str = "") -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    metrics = {k: round(v, 2) if isinstance(v, float) else v for k, v in metrics.items()}
    start = metrics.get("load_avg_1m_before", _began_at_load)
    result = {
        "benchmark": benchmark,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "load_avg_1m": {
            "start": start if start is not None else load_average(),
            "end": metrics.get("load_avg_1m_after", load_average()),
        },
        "metrics": metrics,
        **anchored(benchmark, metrics, MEASURED_ANCHORS),
    }
    if notes:
        result["notes"] = notes
    if benchmark in ANCHOR_BENCHMARKS:
        MEASURED_ANCHORS[benchmark] = result
    path = RESULTS / f"{benchmark}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    shown = {**result["metrics"], **result["vs_anchor"]}
    print(
        f"{benchmark} (load {result['load_avg_1m']['start']} → {result['load_avg_1m']['end']}): "
        + ", ".join(f"{k}={v}" for k, v in shown.items()),
        flush=True,
    )
    return path


async def new_household(client: httpx.AsyncClient, name: str) -> tuple[dict[str, str], str]:
    """A fresh account (with a password the strength rules accept) and a household of its own: the
    headers that sign its requests, and the household's API path."""
    email = f"bench-{uuid.uuid4().hex[:12]}@example.com"
    signed = await client.post(
        "/api/auth/signup",
        json={"email": email, "password": "violet harbour lantern 42", "display_name": "Ada"},
    )
    if signed.status_code != 201:
        raise RuntimeError(f"sign-up refused: {signed.status_code} {signed.text}")
    client.cookies.clear()
    headers = {"Authorization": f"Bearer {signed.json()['access_token']}"}
    made = await client.post("/api/households", json={"name": name}, headers=headers)
    made.raise_for_status()
    return headers, f"/api/households/{made.json()['id']}"
