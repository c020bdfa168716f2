"""The API as its OpenAPI documents describe it: every operation, its parameters, and a body it accepts.

The gateway's own document lists its routes; the notification service's and the audit log's documents
list the routes the gateway passes on to them under the same paths. Walking all three, a new endpoint is
tested without anyone remembering to add it.
"""

import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from scripts.stack.topology import Topology

METHODS = ("get", "post", "put", "patch", "delete")
# the routes the gateway passes on, by the service whose own document describes them
PROXIED = ("notification", "audit")


class UnknownParameter(AssertionError):
    """A parameter or id field the suite does not know how to fill: a new route needs a line in the map."""


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    path_params: tuple[str, ...]
    query: dict[str, dict]  # name -> resolved schema
    required: frozenset[str]  # the query parameters that must be given
    body: dict | None  # resolved JSON schema of a JSON body
    responses: tuple[str, ...]
    spec: dict = field(repr=False, compare=False)

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"

    def required_query(self) -> dict[str, Any]:
        """A plain valid value of each query parameter the operation cannot do without."""
        return {name: example(self.query[name], {}, name) for name in self.required}

    @property
    def paged(self) -> bool:
        return "cursor" in self.query

    @property
    def streams(self) -> bool:
        return self.path.endswith("/stream")

    def url(self, values: dict[str, str]) -> str:
        path = self.path
        for name in self.path_params:
            path = path.replace("{" + name + "}", str(values[name]))
        return path


def resolve(schema: Any, spec: dict) -> Any:
    """`schema` with every `$ref` replaced by what it names."""
    if isinstance(schema, dict):
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            return resolve(spec["components"]["schemas"][name], spec)
        return {k: resolve(v, spec) for k, v in schema.items()}
    if isinstance(schema, list):
        return [resolve(s, spec) for s in schema]
    return schema


def operations(spec: dict) -> list[Operation]:
    found = []
    for path, item in spec.get("paths", {}).items():
        shared = item.get("parameters", [])
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            params = [resolve(p, spec) for p in shared + op.get("parameters", [])]
            content = resolve(op.get("requestBody", {}), spec).get("content", {})
            found.append(
                Operation(
                    method=method.upper(),
                    path=path,
                    path_params=tuple(p["name"] for p in params if p["in"] == "path"),
                    query={p["name"]: p.get("schema", {}) for p in params if p["in"] == "query"},
                    required=frozenset(
                        p["name"] for p in params if p["in"] == "query" and p.get("required")
                    ),
                    body=content.get("application/json", {}).get("schema"),
                    responses=tuple(op.get("responses", {})),
                    spec=spec,
                )
            )
    return found


def fetch_documents(topology: Topology) -> dict[str, dict]:
    """The live documents: the gateway's (what clients are offered) and those of the services behind it."""
    documents = {}
    with httpx.Client(timeout=30) as client:
        documents["gateway"] = _get(client, f"{topology.gateway_url}/openapi.json")
        for service in PROXIED:
            documents[service] = _get(client, f"{topology.app_url(service)}/openapi.json")
    return documents


def _get(client: httpx.Client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200, (
        f"{url}: {response.status_code} (the suite reads the routes from it)"
    )
    return response.json()


def every_operation(documents: dict[str, dict]) -> list[Operation]:
    """The gateway's operations, and the proxied services' operations under the gateway's prefixes."""
    found = operations(documents["gateway"])
    for service in PROXIED:
        found += [
            op for op in operations(documents[service]) if op.path.startswith("/api/households/")
        ]
    return found


# bodies --------------------------------------------------------------------------------------------
# body fields that name another object, by the path parameter whose value they take
REFERENCES = {
    "person_id": "person_id",
    "occasion_id": "occasion_id",
    "list_id": "list_id",
    "gift_id": "gift_id",
    "list_item_id": "item_id",
    "assignee_id": "user_id",
    "rotation": "user_id",
    "linked_user_id": "user_id",
    "person_ids": "person_id",
    "recipient_ids": "person_id",
    "muted_list_ids": "list_id",
    "exchange_id": "exchange_id",
    "giver_person_id": "person_id",
    "receiver_person_id": "person_id",
    "recipient_person_id": "person_id",
}
# references a service keeps as an opaque filter: an id of nothing in the household matches nothing
OPAQUE_REFERENCES = frozenset({"muted_list_ids"})
# what a plain valid value of a field is, where its schema alone does not say
HINTS = {
    "timezone": "UTC",
    "currency": "EUR",
    "url": "http://127.0.0.1:9/gift",
    "image_url": "http://127.0.0.1:9/gift.png",
    "password": "correct horse battery staple",
    "code": "ABCD-EFGH",
    "for": "PT15M",
    "rrule": "FREQ=WEEKLY",
}
# optional fields a body needs one of (a snooze: `until` or `for`)
ALWAYS = frozenset({"for"})


def _options(schema: dict) -> list[dict]:
    return schema.get("anyOf") or schema.get("oneOf") or [schema]


def _is_uuid(schema: dict) -> bool:
    """An id, or a list of ids."""
    for option in _options(schema):
        if option.get("type") == "array" and _is_uuid(option.get("items", {})):
            return True
        if option.get("format") == "uuid":
            return True
    return False


def example(schema: dict, ids: dict[str, str], name: str = "", own_ids: bool = False) -> Any:
    """A small value `schema` accepts; id fields take the object ids in `ids` (by path parameter name),
    except in a document whose ids are its own (`x-own-ids`: an export to import), which get new ones."""
    options = [o for o in _options(schema) if o.get("type") != "null"] or [schema]
    schema = options[0]
    own_ids = own_ids or bool(schema.get("x-own-ids"))
    if name in REFERENCES:
        if REFERENCES[name] not in ids:
            raise UnknownParameter(
                f"body field {name!r} needs an id of {REFERENCES[name]!r}, which the suite lacks"
            )
        value = ids[REFERENCES[name]]
        return [value] if schema.get("type") == "array" else value
    if "enum" in schema:
        return schema["enum"][0]
    if name in HINTS:
        return HINTS[name]
    if "default" in schema and schema["default"] is not None:
        return schema["default"]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return _object(schema, ids, own_ids)
    if kind == "array":
        return [example(schema["items"], ids, own_ids=own_ids)] * schema.get("minItems", 0)
    if kind == "integer":
        return max(schema.get("minimum", 1), 1)
    if kind == "number":
        return 12.5
    if kind == "boolean":
        return False
    if kind == "string":
        return _string(schema, name)
    return {}


def _object(schema: dict, ids: dict[str, str], own_ids: bool = False) -> dict:
    body = {}
    required = set(schema.get("required", ()))
    for prop, sub in schema.get("properties", {}).items():
        if own_ids and _is_uuid(sub):
            if prop in required:
                body[prop] = str(uuid.uuid4())
            continue
        if _is_uuid(sub) and prop not in REFERENCES:
            raise UnknownParameter(
                f"body field {prop!r} names an object the suite has no id for: add it to "
                "tests/security/openapi.py REFERENCES"
            )
        if prop in required or prop in REFERENCES or prop in ALWAYS:
            body[prop] = example(sub, ids, prop, own_ids)
    return body


def _string(schema: dict, name: str) -> str:
    fmt = schema.get("format")
    if fmt == "email" or name == "email":
        return f"probe-{uuid.uuid4().hex[:10]}@example.com"
    if fmt == "date":
        return "2031-05-17"
    if fmt == "date-time":
        return "2031-05-17T10:00:00+00:00"
    if fmt == "uuid":
        return str(uuid.uuid4())
    return "probe" + "x" * max(0, schema.get("minLength", 1) - 5)


def references_in(body: Any) -> set[str]:
    """The names of reference fields a body carries (those that must resolve in the household)."""
    if not isinstance(body, dict):
        return set()
    return {k for k in body if k in REFERENCES and k not in OPAQUE_REFERENCES}
