"""Comparing household exports "apart from ids and times", for the round-trip tests of every tier.

Ids are not dropped but renamed, in the order they first appear in the document (`id-0`, `id-1`, …):
two documents compare equal only if the same objects point at each other the same way. Times of record
(when a row was made, changed, bought, done, exported) are dropped; times that are the data (a task's
due time, an occasion's date) are kept. A list of ids only is a set, compared in no order.
"""

import re
from typing import Any

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
TIMES_OF_RECORD = frozenset(
    {
        "exported_at",
        "created_at",
        "updated_at",
        "joined_at",
        "status_changed_at",
        "purchased_at",
        "completed_at",
    }
)


def apart_from_ids_and_times(document: dict) -> Any:
    names: dict[str, str] = {}

    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items() if k not in TIMES_OF_RECORD}
        if (
            isinstance(value, list)
            and value
            and all(isinstance(v, str) and UUID.match(v) for v in value)
        ):
            return sorted(
                walk(v) for v in value
            )  # a set of ids (an occasion's people): in no order
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, str) and UUID.match(value):
            return names.setdefault(value, f"id-{len(names)}")
        return value

    return walk(document)
