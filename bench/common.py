"""What every benchmark shares: percentiles, the machine's description, the result files."""

import json
import os
import platform
from datetime import UTC, datetime
from pathlib import Path

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


def write_result(benchmark: str, metrics: dict, notes: str = "") -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    result = {
        "benchmark": benchmark,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "metrics": {k: round(v, 2) if isinstance(v, float) else v for k, v in metrics.items()},
    }
    if notes:
        result["notes"] = notes
    path = RESULTS / f"{benchmark}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(
        f"{benchmark}: " + ", ".join(f"{k}={v}" for k, v in result["metrics"].items()), flush=True
    )
    return path
