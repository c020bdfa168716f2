"""The anchors: what the bare parts under giftflow do on this machine, measured in the same run as the
figures read against them (bench/anchored.py says which figure cites which anchor).

* anchor_dapr_hop: a publisher and a minimal subscriber app, each with its own daprd, on the bench
  stack's Kafka: publish → subscriber latency at the pipe benchmark's pace, and one consumer's throughput.
* anchor_bulk_fanout: bulk publish (the relay's batches) to four minimal bulk-subscribing apps, each its
  own daprd and consumer group: events/s each, the ceiling of the outbox drain through four consumers.
* anchor_fastapi_asyncpg: a minimal FastAPI app answering one indexed query of 12 rows with asyncpg,
  served as the gateway is and driven by the same wrk script and connections as the gateway's reads.

The apps do nothing with what they get (no database, no parsing beyond the JSON), so the figures are
daprd's, Kafka's, uvicorn's and Postgres' own.
"""

from bench.anchors.hop import bulk_fanout, dapr_hop
from bench.anchors.reads import fastapi_asyncpg

__all__ = ["bulk_fanout", "dapr_hop", "fastapi_asyncpg"]
