"""docker-compose.yml mirrors the cluster, every service beside a sidecar of its own; and it is read the
same way by Docker Compose v2 with a registry and by docker-compose 1.29 against podman (`make
compose-test`)."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from shared.migrate import SERVICES
from tests.unit.deployment import COMPOSE


def test_compose_runs_every_service_with_its_own_sidecar():
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    for name in SERVICES:
        sidecar = services[f"{name}-dapr"]
        assert services[name]["environment"]["SERVICE_NAME"] == name
        assert sidecar["network_mode"] == f"service:{name}"
        # the public daprd image unless DAPRD_IMAGE names another (make compose-test builds one)
        assert sidecar["image"].startswith("${DAPRD_IMAGE:-daprio/daprd:")
        assert sidecar["command"][sidecar["command"].index("--app-id") + 1] == name


ROOT = Path(__file__).resolve().parents[2]
COMPOSED = yaml.safe_load(COMPOSE.read_text())
PUBLIC = {
    "GIFTFLOW_IMAGE": "giftflow:local",
    "POSTGRES_IMAGE": "postgres:15",
    "KAFKA_IMAGE": "apache/kafka:4.1.1",
    "DAPRD_IMAGE": "daprio/daprd:1.16.5",
    "PROMETHEUS_IMAGE": "prom/prometheus:v2.42.0",
    "GRAFANA_IMAGE": "grafana/grafana:11.6.0",
}


def test_every_image_is_a_variable_whose_default_is_the_public_image():
    for name, service in COMPOSED["services"].items():
        match = re.fullmatch(r"\$\{(\w+):-([^}]+)\}", service["image"])
        assert match, f"{name}: image {service['image']!r} is not ${{VARIABLE:-public image}}"
        variable, default = match.groups()
        assert PUBLIC.get(variable) == default, name


def test_no_healthcheck_argument_has_a_space_in_it():
    # podman's Docker-compatible API splits such an argument into several (CMD-SHELL is one string
    # handed to a shell, and survives)
    for name, service in COMPOSED["services"].items():
        test = service.get("healthcheck", {}).get("test")
        if test and test[0] == "CMD":
            assert all(" " not in arg for arg in test[1:]), f"{name}: {test}"


def test_no_top_level_key_that_compose_1_29_refuses():
    assert set(COMPOSED) - {"services", "volumes", "networks"} <= {
        k for k in COMPOSED if k.startswith("x-")
    }


def test_postgres_is_the_major_version_the_local_stack_runs():
    local = (ROOT / "scripts/stack/install.sh").read_text()
    assert "postgresql-15" in local or "postgresql/15" in local
    assert COMPOSED["services"]["postgres"]["image"].endswith(":-postgres:15}")


# --- Prometheus and Grafana beside the services ------------------------------------------------------


def test_prometheus_evaluates_the_shipped_rules():
    from scripts.compose.__main__ import RULES, rules_file

    assert RULES.read_text() == rules_file(), "run `python -m scripts.compose config`"


def test_prometheus_scrapes_every_app_and_every_sidecar():
    config = yaml.safe_load((ROOT / "compose/prometheus/prometheus.yml").read_text())
    jobs = {j["job_name"]: j for j in config["scrape_configs"]}
    targets = {
        job: {t for group in jobs[job]["static_configs"] for t in group["targets"]} for job in jobs
    }
    assert targets["giftflow-services"] == {f"{s}:8000" for s in SERVICES}
    # a sidecar shares its app's network namespace, and serves its metrics on --metrics-port
    for s in SERVICES:
        command = COMPOSED["services"][f"{s}-dapr"]["command"]
        assert command[command.index("--metrics-port") + 1] == "9090"
    assert targets["giftflow-daprd"] == {f"{s}:9090" for s in SERVICES}
    mounts = COMPOSED["services"]["prometheus"]["volumes"]
    assert "./compose/prometheus/rules.yml:/etc/prometheus/rules.yml:ro" in mounts
    assert config["rule_files"] == ["/etc/prometheus/rules.yml"]


def test_prometheus_accepts_the_configuration(tmp_path):
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool is not installed (make install installs it)")
    config = yaml.safe_load((ROOT / "compose/prometheus/prometheus.yml").read_text())
    config["rule_files"] = [str(ROOT / "compose/prometheus/rules.yml")]
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
    checked = subprocess.run(
        [promtool, "check", "config", str(tmp_path / "prometheus.yml")],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_grafana_is_provisioned_with_the_prometheus_and_the_dashboard():
    provisioning = ROOT / "compose/grafana/provisioning"
    (source,) = yaml.safe_load((provisioning / "datasources/prometheus.yaml").read_text())[
        "datasources"
    ]
    assert source["type"] == "prometheus" and source["url"] == "http://prometheus:9090"
    (provider,) = yaml.safe_load((provisioning / "dashboards/giftflow.yaml").read_text())[
        "providers"
    ]
    mounts = COMPOSED["services"]["grafana"]["volumes"]
    assert f"./k8s/monitoring/dashboards:{provider['options']['path']}:ro" in mounts
    assert "./compose/grafana/provisioning:/etc/grafana/provisioning:ro" in mounts
    dashboard = json.loads((ROOT / "k8s/monitoring/dashboards/giftflow.json").read_text())
    variables = {v["name"]: v for v in dashboard["templating"]["list"]}
    # every panel asks the dashboard's datasource variable, which offers any Prometheus
    assert variables["datasource"]["query"] == source["type"]
