"""docker-compose.yml mirrors the cluster, every service beside a sidecar of its own; and it is read the
same way by Docker Compose v2 with a registry and by docker-compose 1.29 against podman (`make
compose-test`)."""

import re
from pathlib import Path

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
