"""Dashboards and alerts stay true to the code: every metric a dashboard or an alert queries is one the
services register, with labels it has, and every metric registered is on a dashboard.

The manifests: test_k8s_manifests.py; compose: test_compose.py; topics: test_topics.py."""

import json
import re
from pathlib import Path

import pytest
import yaml
from prometheus_client.metrics import MetricWrapperBase

from shared import metrics
from shared.consumer import Outcome
from tests.unit.deployment import K8S

DASHBOARDS = sorted((K8S / "monitoring" / "dashboards").glob("*.json"))
RULES = K8S / "monitoring" / "prometheusrule.yaml"

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
