"""The namespace's NetworkPolicies, evaluated the way Kubernetes does for the flows that matter: what
giftflow needs goes through, and a compromised pod cannot reach what it has no business with.

A flow is allowed when an egress rule of a policy selecting the source (if the source is in our
namespace) and an ingress rule of a policy selecting the destination (if it is in our namespace) both
let it through: policies are additive, and a pod selected by none is not isolated (here every pod is,
by default-deny)."""

from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
NAMESPACE = "giftflow"
POLICIES = [
    doc
    for path in (ROOT / "k8s/base/network-policies.yaml", ROOT / "k8s/overlays/local/postgres.yaml")
    for doc in yaml.safe_load_all(path.read_text())
    if doc and doc["kind"] == "NetworkPolicy"
]


@dataclass(frozen=True)
class Pod:
    namespace: str
    labels: dict[str, str] = field(default_factory=dict)
    ip: str = "10.1.2.3"


def server(name: str) -> Pod:
    return Pod(NAMESPACE, {"app.kubernetes.io/name": name, "app.kubernetes.io/component": "server"})


GATEWAY, NOTIFICATION, REMINDER, RECURRING, AUDIT = map(
    server, ["gateway", "notification", "reminder", "recurring", "audit"]
)
MIGRATE = Pod(
    NAMESPACE, {"app.kubernetes.io/name": "migrate", "app.kubernetes.io/component": "migrations"}
)
POSTGRES = Pod(NAMESPACE, {"app.kubernetes.io/name": "postgres"})
INGRESS = Pod("ingress-nginx", {"app.kubernetes.io/name": "ingress-nginx"})
KAFKA = Pod("kafka", {"strimzi.io/kind": "Kafka"})
DAPR = Pod("dapr-system", {"app": "dapr-sentry"})
DNS = Pod("kube-system", {"k8s-app": "kube-dns"})
PROMETHEUS = Pod("monitoring", {"app.kubernetes.io/name": "prometheus"})
INTRUDER = Pod("default", {"app": "somebody-else"})


def selects(selector: dict, labels: dict[str, str]) -> bool:
    if any(labels.get(k) != v for k, v in selector.get("matchLabels", {}).items()):
        return False
    for expr in selector.get("matchExpressions", []):
        value = labels.get(expr["key"])
        if expr["operator"] == "In" and value not in expr["values"]:
            return False
        if expr["operator"] == "NotIn" and value in expr["values"]:
            return False
    return True


def peer_matches(peer: dict, pod: Pod) -> bool:
    if "ipBlock" in peer:
        return True  # only used for addresses outside the cluster
    if "namespaceSelector" in peer:
        ns_ok = selects(peer["namespaceSelector"], {"kubernetes.io/metadata.name": pod.namespace})
    else:
        ns_ok = pod.namespace == NAMESPACE
    return ns_ok and selects(peer.get("podSelector", {}), pod.labels)


def rule_allows(rule: dict, peers_key: str, other: Pod, port: int, protocol: str) -> bool:
    ports = rule.get("ports")
    if ports and not any(
        p.get("port") == port and p.get("protocol", "TCP") == protocol for p in ports
    ):
        return False
    peers = rule.get(peers_key)
    return not peers or any(peer_matches(peer, other) for peer in peers)


def side_allows(pod: Pod, other: Pod, direction: str, port: int, protocol: str) -> bool:
    if pod.namespace != NAMESPACE:
        return True  # another namespace's policies are not ours to judge
    selecting = [
        p
        for p in POLICIES
        if direction in p["spec"]["policyTypes"] and selects(p["spec"]["podSelector"], pod.labels)
    ]
    if not selecting:
        return True  # a pod no policy of this direction selects is not isolated
    peers_key = "from" if direction == "Ingress" else "to"
    return any(
        rule_allows(rule, peers_key, other, port, protocol)
        for policy in selecting
        for rule in policy["spec"].get(direction.lower(), [])
    )


def allowed(src: Pod, dst: Pod, port: int, protocol: str = "TCP") -> bool:
    return side_allows(src, dst, "Egress", port, protocol) and side_allows(
        dst, src, "Ingress", port, protocol
    )


NEEDED = [
    ("the ingress controller reaches the gateway", INGRESS, GATEWAY, 8000),
    ("the gateway proxies the live stream", GATEWAY, NOTIFICATION, 8000),
    ("the gateway's sidecar invokes audit", GATEWAY, AUDIT, 50002),
    ("the gateway's sidecar invokes reminder", GATEWAY, REMINDER, 50002),
    ("recurring's sidecar invokes the gateway", RECURRING, GATEWAY, 50002),
    ("notification's sidecar invokes the gateway (digests)", NOTIFICATION, GATEWAY, 50002),
    *(
        (f"{p.labels['app.kubernetes.io/name']} reaches Kafka", p, KAFKA, 9092)
        for p in (GATEWAY, NOTIFICATION, REMINDER, RECURRING, AUDIT)
    ),
    *(
        (f"{p.labels['app.kubernetes.io/name']} reaches Postgres", p, POSTGRES, 5432)
        for p in (GATEWAY, NOTIFICATION, REMINDER, RECURRING, AUDIT, MIGRATE)
    ),
    ("a sidecar reaches Dapr's sentry", AUDIT, DAPR, 50001),
    ("Prometheus scrapes an app", PROMETHEUS, NOTIFICATION, 8000),
    ("Prometheus scrapes a sidecar", PROMETHEUS, RECURRING, 9090),
    ("a pod resolves names", REMINDER, DNS, 53),
]

REFUSED = [
    ("nothing outside reaches a consumer", INGRESS, NOTIFICATION, 8000),
    ("another namespace cannot reach the gateway", INTRUDER, GATEWAY, 8000),
    ("another namespace cannot invoke through a sidecar", INTRUDER, GATEWAY, 50002),
    ("another namespace cannot reach Postgres", INTRUDER, POSTGRES, 5432),
    ("a consumer cannot call the gateway", NOTIFICATION, GATEWAY, 8000),
    ("audit cannot invoke the gateway", AUDIT, GATEWAY, 50002),
    ("notification cannot invoke audit", NOTIFICATION, AUDIT, 50002),
    ("a consumer cannot reach another's app port", REMINDER, AUDIT, 8000),
    ("a sidecar's HTTP API is not reachable from another pod", RECURRING, GATEWAY, 3500),
    ("the migrations Job reaches nothing but Postgres", MIGRATE, KAFKA, 9092),
    ("Postgres cannot call out", POSTGRES, INTRUDER, 443),
    ("the ingress controller cannot scrape metrics", INGRESS, GATEWAY, 9090),
]


@pytest.mark.parametrize(("why", "src", "dst", "port"), NEEDED, ids=[n[0] for n in NEEDED])
def test_what_giftflow_needs_goes_through(why, src, dst, port):
    protocol = "UDP" if port == 53 else "TCP"
    assert allowed(src, dst, port, protocol), why


@pytest.mark.parametrize(("why", "src", "dst", "port"), REFUSED, ids=[r[0] for r in REFUSED])
def test_what_nobody_needs_is_refused(why, src, dst, port):
    assert not allowed(src, dst, port), why


def test_every_pod_of_the_namespace_is_isolated_both_ways():
    deny = [p for p in POLICIES if p["metadata"]["name"] == "default-deny"]
    assert deny and deny[0]["spec"]["podSelector"] == {}
    assert set(deny[0]["spec"]["policyTypes"]) == {"Ingress", "Egress"}
    assert "ingress" not in deny[0]["spec"] and "egress" not in deny[0]["spec"]
