"""docker-compose.yml mirrors the cluster: every service runs beside a sidecar of its own."""

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
