"""A bare subscriber: takes Dapr's bulk deliveries, answers SUCCESS for each entry and remembers when each
arrived. No database, no validation: what a consumer costs when it does nothing.

The bench reads what it saw from GET /seen and clears it with POST /reset.
"""

import time

from fastapi import FastAPI, Request

app = FastAPI()
seen: dict[str, list] = {"latencies_ms": [], "arrivals": []}


@app.post("/events")
async def events(request: Request) -> dict:
    arrived = time.time()
    body = await request.json()
    entries = body.get("entries") or []
    for entry in entries:
        sent_at = (entry.get("event") or {}).get("data", {}).get("sent_at")
        if sent_at is not None:
            seen["latencies_ms"].append((arrived - sent_at) * 1000)
    seen["arrivals"].append((arrived, len(entries)))
    return {"statuses": [{"entryId": e.get("entryId"), "status": "SUCCESS"} for e in entries]}


@app.get("/seen")
async def report(latencies: bool = False) -> dict:
    arrivals = seen["arrivals"]
    return {
        "events": sum(n for _, n in arrivals),
        "deliveries": len(arrivals),
        "first": arrivals[0][0] if arrivals else None,
        "last": arrivals[-1][0] if arrivals else None,
        "latencies_ms": seen["latencies_ms"] if latencies else [],
    }


@app.post("/reset")
async def reset() -> dict:
    seen["latencies_ms"], seen["arrivals"] = [], []
    return {}
