"""The Kubernetes manifests: every one parses and every kustomization builds, each service has its
Deployment, and the cluster's Dapr resources say what the dapr/ folder says."""

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from shared.migrate import SERVICES
from tests.unit.deployment import COMPOSE, CONSUMERS, DAPR, K8S, ROOT, load

# k8s/monitoring/tests/ holds promtool's rule tests, not manifests (tests/unit/test_alert_rules.py)
MANIFESTS = sorted(
    p
    for p in [*K8S.rglob("*.yaml"), *K8S.rglob("*.yml"), COMPOSE]
    if not p.is_relative_to(K8S / "monitoring" / "tests")
)


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


@pytest.mark.parametrize("name", SERVICES)
def test_every_service_has_a_deployment_with_its_own_app_id_and_the_shared_defaults(name: str):
    (deployment,) = [d for d in load(K8S / "base" / f"{name}.yaml") if d["kind"] == "Deployment"]
    pod = deployment["spec"]["template"]
    (app,) = pod["spec"]["containers"]
    assert pod["metadata"]["annotations"]["dapr.io/app-id"] == name
    assert {"name": "SERVICE_NAME", "value": name} in app["env"]
    # the label service-defaults.yaml is patched onto (probes, rollout, Dapr sidecar settings)
    assert deployment["metadata"]["labels"]["app.kubernetes.io/component"] == "server"


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
