"""The local stack's Prometheus: what it scrapes and which alert rules it evaluates.

The rules are the ones shipped for Kubernetes (k8s/monitoring/prometheusrule.yaml, a PrometheusRule);
Prometheus itself reads only its `spec`, written out beside the configuration on every start. The
targets carry the labels the Prometheus Operator gives them in a cluster (`namespace`, `pod`, `job`), so
the rules and the dashboard work here unchanged.
"""

from pathlib import Path

import yaml

from scripts.stack.topology import ROOT, SERVICES, Topology

RULES = ROOT / "k8s" / "monitoring" / "prometheusrule.yaml"
NAMESPACE = "giftflow"  # what the cluster's rules select on


def rule_groups(prometheus_rule: Path = RULES) -> dict:
    """A PrometheusRule's groups as a Prometheus rule file."""
    (resource,) = yaml.safe_load_all(prometheus_rule.read_text())
    return {"groups": resource["spec"]["groups"]}


def config(t: Topology, rule_file: Path, interval: str) -> dict:
    """Scrape the five apps, their five sidecars and the Kafka exporter every `interval`."""

    def target(port: int, **labels: str) -> dict:
        return {"targets": [f"127.0.0.1:{port}"], "labels": labels}

    return {
        "global": {"scrape_interval": interval, "evaluation_interval": interval},
        "rule_files": [str(rule_file)],
        "scrape_configs": [
            {
                "job_name": "giftflow-services",
                "metrics_path": "/metrics",
                # as the ServiceMonitor's honorLabels: the services' own `service` label stays
                "honor_labels": True,
                "static_configs": [
                    target(t.app_port(s), namespace=NAMESPACE, pod=s, service=s) for s in SERVICES
                ],
            },
            {
                "job_name": "giftflow-daprd",
                "metrics_path": "/",
                "static_configs": [
                    target(t.dapr_metrics_port(s), namespace=NAMESPACE, pod=s) for s in SERVICES
                ],
            },
            {
                "job_name": "kafka-exporter",
                "metrics_path": "/metrics",
                "static_configs": [target(t.kafka_exporter_port, namespace="kafka")],
            },
        ],
    }


def write_config(t: Topology, interval: str, rules: dict | None = None) -> Path:
    """prometheus.yml and its rule file (the shipped rules unless `rules`) in the stack's folder."""
    rule_file = t.dir / "prometheus-rules.yml"
    rule_file.write_text(yaml.safe_dump(rules or rule_groups(), sort_keys=False))
    path = t.dir / "prometheus.yml"
    path.write_text(yaml.safe_dump(config(t, rule_file, interval), sort_keys=False))
    return path
