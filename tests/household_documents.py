"""Comparing household exports "apart from ids and times", for the round-trip tests.

Ids are not dropped but replaced by what they name (`person:Grandma`, `task:Bins out@2099-01-04…`), so two
documents compare equal only if the same objects point at each other the same way; the tests give
their objects distinct names. The API orders rows with equal sort keys by id, so after a round trip such
rows may come in another order: lists are compared in no order. Times of record (when a row was made,
changed, bought, done, exported, drawn) are dropped; times that are the data (a task's due time, an
occasion's date) are kept.
"""

import json
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
        "thanked_at",
        "drawn_at",
    }
)


def _names(doc: dict) -> dict[str, str]:
    """Every id of the document, by what it names."""
    names = {doc["household"]["id"]: "household"}
    names.update({m["user_id"]: f"member:{m['display_name']}" for m in doc["members"]})
    names.update({p["id"]: f"person:{p['name']}" for p in doc["people"]})
    names.update({o["id"]: f"occasion:{o['name']}" for o in doc["occasions"]})
    for g in doc["gifts"]:
        names[g["id"]] = f"gift:{g['title']}"
        names.update({x["id"]: f"pledge:{g['title']}" for x in g["pledges"]})
        names.update({c["id"]: f"comment:{c['body']}" for c in g["comments"]})
    for lst in doc["lists"]:
        names[lst["id"]] = f"list:{lst['name']}"
        names.update({c["id"]: f"comment:{c['body']}" for c in lst["comments"]})
        for item in lst["items"]:
            names[item["id"]] = f"item:{lst['name']}/{item['gift_title']}"
            names.update({c["id"]: f"claim:{item['gift_title']}" for c in item["claims"]})
    names.update(
        {
            b["id"]: f"budget:{names.get(b['person_id'])}/{names.get(b['occasion_id'])}"
            for b in doc["budgets"]
        }
    )
    names.update({t["id"]: f"task:{t['title']}@{t['due_at']}" for t in doc["tasks"]})
    names.update(
        {
            r["id"]: f"record:{r['title']}/{r['recipient_name']}@{r['occurs_on']}"
            for r in doc.get("history", [])
        }
    )
    names.update({x["id"]: f"exchange:{x['name']}" for x in doc.get("exchanges", [])})
    return names


def apart_from_ids_and_times(document: dict) -> Any:
    names = _names(document)

    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items() if k not in TIMES_OF_RECORD}
        if isinstance(value, list):
            return sorted((walk(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
        if isinstance(value, str) and UUID.match(value):
            return names.get(value, "an id the document does not name")
        return value

    return walk(document)
