"""Starting the anchors' bare apps and their daprd sidecars on the bench stack, beside its services.

They run through the stack's own process handling (a pid file each, so the stack's `down` stops them
too) on ports of their own above the services': app i on base+500+i, its daprd's HTTP, gRPC, internal
and metrics ports on base+510+i, +520+i, +530+i, +540+i. The sidecars use giftflow's pub/sub component
(the same Kafka and client settings) and a Configuration with what costs per event in giftflow's
(tracing of every event, metrics), nothing else.
"""

from pathlib import Path

import yaml

from scripts.stack.processes import WORKERS, Stack, _port_open, _wait, uvicorn_argv
from scripts.stack.topology import BIN, ROOT

PORT_OFFSET = 500


def app_port(stack: Stack, index: int) -> int:
    return stack.t.base_port + PORT_OFFSET + index


def dapr_http_port(stack: Stack, index: int) -> int:
    return stack.t.base_port + PORT_OFFSET + 10 + index


def _config(stack: Stack) -> Path:
    config = {
        "apiVersion": "dapr.io/v1alpha1",
        "kind": "Configuration",
        "metadata": {"name": "giftflow-anchor"},
        "spec": {
            "tracing": {"samplingRate": "1"},
            "metric": {"enabled": True},
            # no service invocation here: an address nobody answers on, instead of machine-wide mDNS
            "nameResolution": {
                "component": "kubernetes",
                "configuration": {"template": "127.0.0.1:0"},
            },
        },
    }
    path = stack.t.dir / "anchors" / "dapr-config.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def subscriptions(stack: Stack, topic: str, app_ids: list[str]) -> Path:
    """Declarative bulk subscriptions with the consumers' settings (dapr/subscriptions), one an app."""
    shipped = yaml.safe_load_all((ROOT / "dapr" / "subscriptions" / "audit.yaml").read_text())
    bulk = next(s for s in shipped if s)["spec"]["bulkSubscribe"]
    folder = stack.t.dir / "anchors" / f"subscriptions-{topic}"
    folder.mkdir(parents=True, exist_ok=True)
    docs = [
        {
            "apiVersion": "dapr.io/v2alpha1",
            "kind": "Subscription",
            "metadata": {"name": f"{app_id}-{topic}".replace(".", "-")},
            "spec": {
                "pubsubname": "pubsub",
                "topic": topic,
                "routes": {"default": "/events"},
                "bulkSubscribe": bulk,
            },
            "scopes": [app_id],
        }
        for app_id in app_ids
    ]
    (folder / "subscriptions.yaml").write_text(yaml.safe_dump_all(docs, sort_keys=False))
    return folder


def start_app(
    stack: Stack, name: str, module: str, index: int, env: dict[str, str] | None = None
) -> int:
    """A bare app under uvicorn with the gateway's settings (scripts/stack/processes.py, start_app):
    the gateway's worker count when it stands in for the gateway, one process otherwise."""
    port = app_port(stack, index)
    workers = WORKERS.get("gateway", 1) if module.endswith("read_app:app") else 1
    proc = stack._spawn(
        f"anchor-app-{name}",
        uvicorn_argv(module, port, workers),
        env={"PYTHONUNBUFFERED": "1", **(env or {})},
    )
    _wait(name, lambda: _port_open(port), 120, proc, stack.log_path(f"anchor-app-{name}"))
    return port


def start_sidecar(stack: Stack, name: str, index: int, resources: Path | None = None) -> str:
    """daprd for app `name` (app id anchor-NAME); with `resources`, subscriptions it delivers to the app
    on app_port(index). Returns its HTTP address."""
    base = stack.t.base_port + PORT_OFFSET + index
    subscribing = resources is not None
    proc = stack._spawn(
        f"anchor-daprd-{name}",
        [
            str(BIN / "daprd"),
            "--app-id",
            f"anchor-{name}",
            *(["--app-port", str(base), "--app-protocol", "http"] if subscribing else []),
            "--app-channel-address",
            "127.0.0.1",
            "--dapr-listen-addresses",
            "127.0.0.1",
            "--dapr-http-port",
            str(base + 10),
            "--dapr-grpc-port",
            str(base + 20),
            "--dapr-internal-grpc-port",
            str(base + 30),
            "--metrics-port",
            str(base + 40),
            "--resources-path",
            str(ROOT / "dapr" / "components"),
            *(["--resources-path", str(resources)] if subscribing else []),
            "--config",
            str(_config(stack)),
            "--placement-host-address",
            "",
            "--scheduler-host-address",
            "",
            "--log-level",
            "warn",
            "--log-as-json",
        ],
        env=stack.t.sidecar_env(),
    )
    url = f"http://127.0.0.1:{base + 10}"
    _wait(
        f"anchor-daprd-{name}",
        lambda: _healthy(url),
        60,
        proc,
        stack.log_path(f"anchor-daprd-{name}"),
    )
    return url


def _healthy(url: str) -> bool:
    import httpx

    try:
        return httpx.get(f"{url}/v1.0/healthz", timeout=0.5).status_code == 204
    except httpx.HTTPError:
        return False


def stop_all(stack: Stack) -> None:
    for pid_file in sorted(stack.pids.glob("anchor-*.pid")):
        stack.stop(pid_file.stem)
