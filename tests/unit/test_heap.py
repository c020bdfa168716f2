"""A started service takes its start-up heap out of the garbage collector's walks (shared/heap.py)."""

import gc
import weakref

from fastapi.testclient import TestClient

from shared import heap
from shared.app import create_service_app
from shared.settings import ServiceSettings

SETTINGS = ServiceSettings(
    service_name="heap-test",
    database_url="postgresql+asyncpg://nobody@127.0.0.1:1/none",
    dapr_http_endpoint="http://127.0.0.1:1",
)


def test_a_started_service_freezes_what_start_up_built_and_collects_rarely():
    thresholds = gc.get_threshold()
    gc.unfreeze()
    app = create_service_app(SETTINGS, title="heap test")
    try:
        assert gc.get_freeze_count() == 0
        with TestClient(app) as http:
            assert http.get("/healthz").status_code == 200
            assert gc.get_freeze_count() > 0  # the app and everything it imported
            assert gc.get_threshold() == (
                heap.YOUNG_THRESHOLD,
                heap.MIDDLE_THRESHOLD,
                heap.OLD_THRESHOLD,
            )
    finally:  # the rest of the test run keeps CPython's defaults
        gc.unfreeze()
        gc.set_threshold(*thresholds)


def test_cyclic_garbage_made_after_the_start_is_still_collected_without_being_asked():
    thresholds = gc.get_threshold()
    try:
        heap.settle()

        class Node:
            pass

        collected = []
        node = Node()
        node.self = node  # a cycle: reference counting alone never frees it
        weakref.finalize(node, collected.append, "freed")
        del node
        # what a service allocates next: once past the young threshold the collector runs by itself
        kept = [[] for _ in range(2 * heap.YOUNG_THRESHOLD)]
        assert collected == ["freed"], f"{len(kept)} allocations later the cycle is still alive"
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
