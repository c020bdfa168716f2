"""Every setting a service reads is documented in .env.example with a local default."""

import importlib
from pathlib import Path

import pytest

from scripts.stack.topology import SERVICES

ENV_EXAMPLE = Path(__file__).resolve().parents[2] / ".env.example"


def documented() -> set[str]:
    names = set()
    for line in ENV_EXAMPLE.read_text().splitlines():
        if line and not line.startswith("#") and "=" in line:
            names.add(line.split("=", 1)[0].strip())
    return names


@pytest.mark.parametrize("service", SERVICES)
def test_every_setting_of_the_service_is_in_env_example(service):
    settings = importlib.import_module(f"services.{service}.config").Settings
    missing = sorted(
        name.upper() for name in settings.model_fields if name.upper() not in documented()
    )
    assert not missing, f"add to .env.example (with a working local default): {missing}"
