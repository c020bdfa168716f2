"""The garbage collector, set for a long-running service.

Reference counting frees nearly everything a request or a delivered batch allocates; the cyclic
collector is for the rest. CPython's defaults run it after every 700 net allocations and, every so
often, over the whole heap. A service's heap is mostly what its start built (FastAPI, pydantic,
SQLAlchemy, their caches: hundreds of thousands of objects that live as long as the process), so a
full collection walked all of it to find nothing: measured on the gateway under the read mix, one
full collection took 100-300 ms, six to nine of them in 45 s, and the collector took about a fifth of
the workers' CPU while finding almost no cyclic garbage. So once a service has started:

* everything alive is frozen out of the collector's reach (`gc.freeze`): it is never walked again;
* the youngest generation is collected after `YOUNG_THRESHOLD` net allocations instead of 700. The
  collector still runs, so garbage in cycles (an exception and its traceback, mostly) is still freed,
  a few megabytes later.
"""

import gc

YOUNG_THRESHOLD = 50_000
MIDDLE_THRESHOLD = 20  # young collections per middle one (CPython: 10)
OLD_THRESHOLD = 100  # middle collections per full one (CPython: 10)


def settle() -> None:
    """Call once the service has started: collect what start-up left behind, freeze the rest."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, MIDDLE_THRESHOLD, OLD_THRESHOLD)
