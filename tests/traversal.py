"""A path-traversal corpus: ways a crafted request path tries to climb out of a route and reach what
lies behind it (the gateway's sidecar, another service's /metrics or OpenAPI document).

Each path is meant to be sent exactly as written (a raw socket, or `curl --path-as-is`): HTTP clients,
httpx among them, resolve `..` themselves and would never send these.
"""

import re

# what a request escaping the gateway would be after: its sidecar's metadata and secrets, service
# invocation of the other apps, and any app's own /metrics and /openapi.json
TARGETS = (
    "v1.0/metadata",
    "v1.0/secrets/envsecrets/bulk",
    "v1.0/secrets/kubernetes/bulk",
    "v1.0/invoke/reminder/method/openapi.json",
    "v1.0/invoke/notification/method/metrics",
    "v1.0/invoke/gateway/method/api/internal/tasks",
    "metrics",
    "openapi.json",
)

# one step up, spelled every way a server or proxy on the way might still read as `../`
UP = (
    "../",  # raw
    "%2e%2e/",  # percent-encoded dots
    "%2E%2E/",  # ... in upper case
    ".%2e/",  # half encoded
    "%2e%2e%2f",  # the slash encoded too
    "..%2f",
    "%252e%252e/",  # double-encoded: a second decoding would make it `../`
    "..%252f",
    "..%5c",  # backslash, as a server on Windows would read it
    "..;/",  # a `;` path parameter (Tomcat and Spring strip it)
    "..;x=y/",
    "..//",  # doubled slashes
    ".//../",
    "./../",
)
DEPTHS = (1, 4, 10)  # one level, as many as a gateway route has, and more than any path is deep


def climbs(prefix: str, ups: tuple[str, ...] = UP, depths: tuple[int, ...] = DEPTHS) -> list[str]:
    """Paths that start as `prefix` and try to climb out of it to each target."""
    return [
        f"{prefix}/{up * depth}{target}" for up in ups for depth in depths for target in TARGETS
    ]


def bent(prefix: str) -> list[str]:
    """`prefix` spelled otherwise: in mixed case, with doubled slashes, with a `;` parameter."""
    return [
        prefix.replace("/api/households/", "/API/Households/"),
        prefix.replace("/households/", "/households//"),
        prefix.replace("/api/", "//api/"),
        f"{prefix};x=y",
    ]


def inside(prefix: str) -> list[str]:
    """Dot segments within `prefix` itself, or right after it."""
    head, _, last = prefix.rpartition("/")
    return [
        f"{head}/./{last}",
        f"{head}/x/../{last}",
        f"{head}/%2e/{last}",
        f"{head}/x/%2e%2e/{last}",
        f"{prefix}/..",
        f"{prefix}/%2e%2e",
        f"{prefix}/.",
        f"{prefix}%2f..%2f..%2fmetrics",
        f"{prefix}\\..\\..\\metrics",
    ]


def corpus(prefix: str) -> list[str]:
    """Every traversal of `prefix` this module knows: each has a segment some server would read as `..`."""
    bent_climbs = [
        path
        for variant in bent(prefix)
        for path in climbs(variant, ("../", "%2e%2e/", "..;/"), (10,))
    ]
    return [*climbs(prefix), *bent_climbs, *inside(prefix)]


def concrete(template: str, **values: str) -> str:
    """A route template (`/api/households/{household_id:uuid}/audit`) with its parameters filled in."""
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: values[m.group(1)], template)
