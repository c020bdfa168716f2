"""Each sidecar exposes only the Dapr APIs its app uses, lets only the apps that must invoke its app do
so (and only for what they need), and no secret is readable through any of them — the same in the
local stack, compose and Kubernetes, which differ only where mTLS identities make a difference."""

import re
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from fastapi.routing import iter_route_contexts

from services.gateway.routes import internal_digest
from services.gateway.routes.proxy import AUDIT, ROUTES
from services.notification.mail.digests import week_ahead_method
from services.recurring.generator import GATEWAY, method_for
from services.reminder import routes as reminder_routes
from shared.migrate import SERVICES

ROOT = Path(__file__).resolve().parents[2]
DAPR = ROOT / "dapr"
K8S = ROOT / "k8s"

# which Dapr HTTP APIs each app calls on its sidecar: the outbox relays bulk publish (gateway,
# reminder); the gateway invokes audit and reminder, recurring and notification invoke the gateway
HTTP_APIS = {
    "gateway": {("publish", "v1.0-alpha1"), ("invoke", "v1.0")},
    "notification": {("invoke", "v1.0")},
    "reminder": {("publish", "v1.0-alpha1")},
    "recurring": {("invoke", "v1.0")},
    "audit": set(),
}
ALWAYS_ROUTED = {
    ("healthz", "v1.0")
}  # daprd serves it whatever the list says: a stand-in for "nothing"
GRPC_STAND_IN = [{"name": "lock", "version": "v1alpha1", "protocol": "grpc"}]
# who invokes whom, and the paths they call
CALLERS = {"gateway": {"recurring", "notification"}, "audit": {"gateway"}, "reminder": {"gateway"}}


def local(service: str) -> dict:
    return yaml.safe_load((DAPR / "config" / f"{service}.yaml").read_text())


def cluster() -> dict[str, dict]:
    return {
        c["metadata"]["name"]: c
        for c in yaml.safe_load_all((K8S / "dapr" / "config.yaml").read_text())
    }


@pytest.mark.parametrize("service", SERVICES)
def test_a_sidecar_routes_only_the_apis_its_app_calls(service: str):
    allowed = local(service)["spec"]["api"]["allowed"]
    http = {(a["name"], a["version"]) for a in allowed if a["protocol"] == "http"}
    assert http - ALWAYS_ROUTED == HTTP_APIS[service]
    assert http, "an empty list would route every API"
    assert [a for a in allowed if a["protocol"] == "grpc"] == GRPC_STAND_IN  # no gRPC is spoken


@pytest.mark.parametrize("service", SERVICES)
def test_no_secret_is_readable_through_a_sidecar(service: str):
    spec = local(service)["spec"]
    assert all(a["name"] != "secrets" for a in spec["api"]["allowed"])
    assert spec["secrets"]["scopes"] == [{"storeName": "kubernetes", "defaultAccess": "deny"}]


def test_there_is_no_secret_store_and_the_brokers_come_from_the_environment():
    components = [
        d
        for p in (DAPR / "components").glob("*.yaml")
        for d in yaml.safe_load_all(p.read_text())
        if d
    ]
    assert [c["spec"]["type"] for c in components] == ["pubsub.kafka"]
    (pubsub,) = components
    assert {"name": "brokers", "envRef": "KAFKA_BROKERS"} in pubsub["spec"]["metadata"]
    assert "auth" not in pubsub


@pytest.mark.parametrize("service", SERVICES)
def test_only_the_apps_that_must_may_invoke_an_app(service: str):
    acl = local(service)["spec"]["accessControl"]
    callers = CALLERS.get(service, set())
    assert {p["appId"] for p in acl.get("policies", [])} == callers
    # without identities (no Sentry locally) every call meets the default: deny unless someone must call
    assert acl["defaultAction"] == ("allow" if callers else "deny")
    for policy in acl.get("policies", []):
        assert policy["defaultAction"] == "deny" and policy["namespace"] == "giftflow"
        assert policy["trustDomain"] == acl["trustDomain"] == "public"
        assert all(
            op["action"] == "allow" and len(op["httpVerb"]) == 1 for op in policy["operations"]
        )


def allowed_operations(service: str, caller: str) -> list[tuple[str, str]]:
    (policy,) = [
        p for p in local(service)["spec"]["accessControl"]["policies"] if p["appId"] == caller
    ]
    return [(op["httpVerb"][0], op["name"].removesuffix("**")) for op in policy["operations"]]


def test_the_allowed_operations_are_the_calls_the_callers_make():
    def allows(service: str, caller: str, method: str, path: str) -> bool:
        return any(
            method == m and path.startswith(p) for m, p in allowed_operations(service, caller)
        )

    for kind in ("task", "occasion"):
        row = SimpleNamespace(kind=kind, source_id="s", subject_id="s")
        assert allows(GATEWAY, "recurring", "POST", f"/{method_for(row)}")
    week_ahead = f"/{week_ahead_method(uuid.uuid4(), uuid.uuid4())}"
    assert allows(GATEWAY, "notification", "POST", week_ahead)
    [route] = iter_route_contexts(internal_digest.router.routes)
    assert re.fullmatch(
        "/api" + re.sub(r"\{[^}]+\}", "[^/]+", route.path_format), week_ahead
    ) and route.methods == {"POST"}
    for route in [r for r in ROUTES if r.upstream is AUDIT]:
        path = route.upstream_path({name: uuid.uuid4() for name in route.parameters}).removeprefix(
            AUDIT.base
        )
        assert all(allows("audit", "gateway", method, path) for method in route.methods)
    for route in iter_route_contexts(reminder_routes.router.routes):
        for method in route.methods:
            assert allows("reminder", "gateway", method, route.path_format)


OTEL_COLLECTOR = {
    "endpointAddress": "otel-collector.monitoring.svc.cluster.local:4317",
    "isSecure": False,
    "protocol": "grpc",
}


def test_kubernetes_mirrors_each_sidecar_but_denies_every_caller_it_does_not_name():
    configs = cluster()
    assert set(configs) == {f"giftflow-{s}" for s in SERVICES}
    for service in SERVICES:
        expected = local(service)
        expected["spec"]["accessControl"]["defaultAction"] = (
            "deny"  # every caller has an mTLS identity there
        )
        # and there is a collector to export the spans to
        expected["spec"]["tracing"]["otel"] = OTEL_COLLECTOR
        assert configs[f"giftflow-{service}"] == expected


@pytest.mark.parametrize("service", SERVICES)
def test_every_sidecar_is_started_with_its_own_configuration(service: str):
    assert local(service)["metadata"]["name"] == f"giftflow-{service}"
    (deployment,) = [
        d
        for d in yaml.safe_load_all((K8S / "base" / f"{service}.yaml").read_text())
        if d and d["kind"] == "Deployment"
    ]
    assert (
        deployment["spec"]["template"]["metadata"]["annotations"]["dapr.io/config"]
        == f"giftflow-{service}"
    )
    command = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"][
        f"{service}-dapr"
    ]["command"]
    assert command[command.index("--config") + 1] == f"/dapr/config/{service}.yaml"


def test_the_shared_defaults_name_no_configuration():
    defaults = yaml.safe_load((K8S / "base" / "service-defaults.yaml").read_text())
    assert "dapr.io/config" not in defaults["spec"]["template"]["metadata"]["annotations"]
