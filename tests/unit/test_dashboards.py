"""The deployment as code stays true to the code: every metric a dashboard or an alert queries is one
the services register, every manifest parses, and what is declared in two places says the same."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from prometheus_client.metrics import MetricWrapperBase

from shared import metrics
from shared.consumer import Outcome
from shared.events import TOPICS
from shared.migrate import SERVICES

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "k8s"
DAPR = ROOT / "dapr"
COMPOSE = ROOT / "docker-compose.yml"
DASHBOARDS = sorted((K8S / "monitoring" / "dashboards").glob("*.json"))
RULES = K8S / "monitoring" / "prometheusrule.yaml"
CONSUMERS = SERVICES[1:]
DEAD_LETTER_TOPICS = tuple(f"deadletter.{c}" for c in CONSUMERS)

METRIC_NAME = re.compile(r"giftflow_[a-z_]+")
DAPR_METRIC_NAME = re.compile(r"dapr_[a-z_]+")
# What daprd 1.16 records for pub/sub on the paths giftflow uses, read off a sidecar's metrics port after
# traffic: bulk publish (the relay) and bulk subscribe (every consumer). dapr_component_pubsub_egress_count
# and ingress_count belong to single publish and single delivery, which giftflow never uses, so a
# panel or alert on them would never show anything.
DAPR_BULK_PUBSUB_SERIES = {
    "dapr_component_pubsub_egress_bulk_count",  # {app_id, component, namespace, success, topic}
    "dapr_component_pubsub_egress_bulk_latencies_bucket",
    "dapr_component_pubsub_ingress_bulk_count",  # {..., process_status="", topic}: batches
    "dapr_component_pubsub_ingress_bulk_event_count",  # {..., process_status, topic}: events
    "dapr_component_pubsub_ingress_bulk_latencies_bucket",
}
SELECTOR = re.compile(r"(giftflow_[a-z_]+)\s*\{([^}]*)\}")
MATCHER = re.compile(r'([A-Za-z_]\w*)\s*(=~|!~|!=|=)\s*"([^"]*)"')


# --- what the services expose ---------------------------------------------------------------------


def registered_series() -> dict[str, set[str]]:
    """Every series name a scrape of /metrics can show, with the labels it carries."""
    series: dict[str, set[str]] = {}
    for collector in vars(metrics).values():
        if not isinstance(collector, MetricWrapperBase):
            continue
        labels = set(collector._labelnames)
        for family in collector.describe():
            suffixes = {
                "counter": {"_total": labels, "_created": labels},
                "histogram": {
                    "_bucket": labels | {"le"},
                    "_sum": labels,
                    "_count": labels,
                    "_created": labels,
                },
            }.get(family.type, {"": labels})
            for suffix, names in suffixes.items():
                series[family.name + suffix] = names
    return series


SERIES = registered_series()


# --- what the dashboards and alerts query ---------------------------------------------------------


def dashboard_expressions(path: Path) -> list[str]:
    """PromQL of every panel target and template variable in a Grafana dashboard."""
    found: list[str] = []

    def walk(node) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("expr", "query", "definition") and isinstance(value, str):
                    found.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(json.loads(path.read_text()))
    return found


def rule_expressions() -> list[str]:
    (rule,) = yaml.safe_load_all(RULES.read_text())
    return [r["expr"] for group in rule["spec"]["groups"] for r in group["rules"]]


EXPRESSIONS = [(f"{p.name}: {e}", e) for p in DASHBOARDS for e in dashboard_expressions(p)] + [
    (f"{RULES.name}: {e}", e) for e in rule_expressions()
]

IDS = [" ".join(where.split())[:90] for where, _ in EXPRESSIONS]


def is_balanced(expr: str) -> bool:
    """Brackets pair up outside string literals: a cheap stand-in for a PromQL parser."""
    pairs, stack, quote = {")": "(", "]": "[", "}": "{"}, [], None
    for i, ch in enumerate(expr):
        if quote:
            if ch == quote and expr[i - 1] != "\\":
                quote = None
        elif ch in "\"'`":
            quote = ch
        elif ch in "([{":
            stack.append(ch)
        elif ch in pairs and (not stack or stack.pop() != pairs[ch]):
            return False
    return not stack and quote is None


def test_there_are_dashboards_and_alerts_to_check():
    assert DASHBOARDS and len(EXPRESSIONS) > 10


@pytest.mark.parametrize(("where", "expr"), EXPRESSIONS, ids=IDS)
def test_expression_is_well_formed(where: str, expr: str):
    assert expr.strip() and is_balanced(expr), where


@pytest.mark.parametrize(("where", "expr"), EXPRESSIONS, ids=IDS)
def test_every_giftflow_metric_queried_is_registered(where: str, expr: str):
    unknown = sorted(set(METRIC_NAME.findall(expr)) - SERIES.keys())
    assert not unknown, f"{where}\nnot registered in shared/metrics.py: {unknown}"


@pytest.mark.parametrize(("where", "expr"), EXPRESSIONS, ids=IDS)
def test_label_matchers_use_labels_the_metric_has(where: str, expr: str):
    for name, matchers in SELECTOR.findall(expr):
        labels = {label for label, _, _ in MATCHER.findall(matchers)}
        assert labels <= SERIES.get(name, set()), (
            f"{where}\n{name} has no label(s) {labels - SERIES.get(name, set())}"
        )


@pytest.mark.parametrize(("where", "expr"), EXPRESSIONS, ids=IDS)
def test_sidecar_pubsub_metrics_queried_are_the_bulk_ones_daprd_records(where: str, expr: str):
    pubsub = {m for m in DAPR_METRIC_NAME.findall(expr) if m.startswith("dapr_component_pubsub")}
    assert pubsub <= DAPR_BULK_PUBSUB_SERIES, f"{where}\nnot recorded for bulk pub/sub: {pubsub}"


def test_consumer_outcomes_queried_are_ones_a_consumer_answers():
    answered = {o.value for o in Outcome}
    for where, expr in EXPRESSIONS:
        for name, matchers in SELECTOR.findall(expr):
            for label, _, value in MATCHER.findall(matchers):
                if name == "giftflow_events_consumed_total" and label == "outcome":
                    assert set(value.split("|")) <= answered, where


def test_every_registered_metric_is_on_a_dashboard():
    queried = {
        m for p in DASHBOARDS for e in dashboard_expressions(p) for m in METRIC_NAME.findall(e)
    }
    families = {
        collector._name
        for collector in vars(metrics).values()
        if isinstance(collector, MetricWrapperBase)
    }
    unseen = {f for f in families if not any(q.startswith(f) for q in queried)}
    assert not unseen, (
        f"add a panel to k8s/monitoring/dashboards/giftflow.json for {sorted(unseen)}"
    )


# --- the manifests --------------------------------------------------------------------------------

# k8s/monitoring/tests/ holds promtool's rule tests, not manifests (tests/unit/test_alert_rules.py)
MANIFESTS = sorted(
    p
    for p in [*K8S.rglob("*.yaml"), *K8S.rglob("*.yml"), COMPOSE]
    if not p.is_relative_to(K8S / "monitoring" / "tests")
)


def load(path: Path) -> list[dict]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d is not None]


@pytest.mark.parametrize("path", MANIFESTS, ids=[str(p.relative_to(ROOT)) for p in MANIFESTS])
def test_manifest_parses(path: Path):
    documents = load(path)
    assert documents and all(isinstance(d, dict) for d in documents)
    if path.is_relative_to(K8S):
        for d in documents:
            assert d.get("apiVersion") and d.get("kind"), path
            assert d["kind"] == "Kustomization" or d.get("metadata", {}).get("name"), path


def test_kustomizations_name_files_that_exist():
    for kustomization in K8S.rglob("kustomization.yaml"):
        k = yaml.safe_load(kustomization.read_text())
        paths = [*k.get("resources", []), *(p["path"] for p in k.get("patches", []) if "path" in p)]
        paths += [f for g in k.get("configMapGenerator", []) for f in g.get("files", [])]
        for relative in paths:
            assert (kustomization.parent / relative).exists(), f"{kustomization}: {relative}"


KUSTOMIZE = (
    ["kubectl", "kustomize"]
    if shutil.which("kubectl")
    else ["kustomize", "build"]
    if shutil.which("kustomize")
    else None
)
BUILDS = [
    "overlays/local",
    "overlays/production",
    "overlays/local/kafka",
    "overlays/production/kafka",
    "monitoring",
]


@pytest.mark.skipif(KUSTOMIZE is None, reason="neither kubectl nor kustomize is installed")
@pytest.mark.parametrize("kustomization", BUILDS)
def test_kustomization_builds(kustomization: str):
    built = subprocess.run(
        [*KUSTOMIZE, str(K8S / kustomization)], capture_output=True, text=True, timeout=60
    )
    assert built.returncode == 0, built.stderr


# --- what is declared in two places -------------------------------------------------------------


@pytest.mark.parametrize("name", SERVICES)
def test_every_service_has_a_deployment_with_its_own_app_id_and_the_shared_defaults(name: str):
    (deployment,) = [d for d in load(K8S / "base" / f"{name}.yaml") if d["kind"] == "Deployment"]
    pod = deployment["spec"]["template"]
    (app,) = pod["spec"]["containers"]
    assert pod["metadata"]["annotations"]["dapr.io/app-id"] == name
    assert {"name": "SERVICE_NAME", "value": name} in app["env"]
    # the label service-defaults.yaml is patched onto (probes, rollout, Dapr sidecar settings)
    assert deployment["metadata"]["labels"]["app.kubernetes.io/component"] == "server"


def test_compose_runs_every_service_with_its_own_sidecar():
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    for name in SERVICES:
        sidecar = services[f"{name}-dapr"]
        assert services[name]["environment"]["SERVICE_NAME"] == name
        assert sidecar["network_mode"] == f"service:{name}"
        assert sidecar["image"].startswith("daprio/daprd:")
        assert sidecar["command"][sidecar["command"].index("--app-id") + 1] == name


def test_kafka_topics_are_the_ones_the_code_and_the_subscriptions_use():
    declared = {t["spec"]["topicName"] for t in load(K8S / "kafka" / "topics.yaml")}
    assert declared == {*TOPICS, *DEAD_LETTER_TOPICS}
    subscriptions = [s for p in (DAPR / "subscriptions").glob("*.yaml") for s in load(p)]
    assert {s["spec"]["topic"] for s in subscriptions} <= declared
    assert {s["spec"].get("deadLetterTopic") for s in subscriptions} - {None} <= declared
    compose_topics = yaml.safe_load(COMPOSE.read_text())["services"]["topics"]["command"][0]
    for topic in declared:
        assert re.search(rf"(?<![\w.]){re.escape(topic)}(?![\w.])", compose_topics), topic


@pytest.mark.parametrize(
    ("local", "cluster"),
    [
        *((f"subscriptions/{c}.yaml", f"subscriptions/{c}.yaml") for c in CONSUMERS),
        ("resiliency/resiliency.yaml", "resiliency.yaml"),
    ],
)  # the sidecars' configurations: tests/unit/test_dapr_config.py
def test_k8s_dapr_resources_mirror_the_dapr_folder(local: str, cluster: str):
    assert load(K8S / "dapr" / cluster) == load(DAPR / local)


def test_k8s_pubsub_differs_from_the_local_one_only_in_where_the_brokers_come_from():
    (local,), (cluster,) = (
        load(DAPR / "components" / "pubsub.yaml"),
        load(K8S / "dapr" / "pubsub.yaml"),
    )
    assert cluster["metadata"]["name"] == local["metadata"]["name"] == "pubsub"
    assert cluster["spec"]["type"] == local["spec"]["type"]
    settings = [
        [m for m in c["spec"]["metadata"] if m["name"] != "brokers"] for c in (local, cluster)
    ]
    assert settings[0] == settings[1]


def test_every_consumer_counts_what_lands_in_its_dead_letter_topic_and_sends_nowhere_else():
    for consumer in CONSUMERS:
        subscriptions = load(DAPR / "subscriptions" / f"{consumer}.yaml")
        dead_letters = {
            s["spec"]["deadLetterTopic"] for s in subscriptions if "deadLetterTopic" in s["spec"]
        }
        assert dead_letters == {f"deadletter.{consumer}"}
        [observer] = [s for s in subscriptions if s["spec"]["topic"] == f"deadletter.{consumer}"]
        assert (
            observer["spec"]["routes"]["default"] == "/deadletters"
            and "deadLetterTopic" not in observer["spec"]
        )
        assert observer["scopes"] == [consumer]
