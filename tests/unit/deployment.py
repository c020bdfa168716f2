"""Where the deployment's files are, for the tests that hold them to the code."""

from pathlib import Path

import yaml

from shared.migrate import SERVICES

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "k8s"
DAPR = ROOT / "dapr"
COMPOSE = ROOT / "docker-compose.yml"
CONSUMERS = SERVICES[1:]


def load(path: Path) -> list[dict]:
    """Every YAML document in the file, empty ones left out."""
    return [d for d in yaml.safe_load_all(path.read_text()) if d is not None]
