"""The operator's release path rehearsed on the single-node cluster (`make k8s-rehearsal`), under traffic.

Needs `make k8s-up` and `make deploy ENV=local`. The next release is the one the local-stack rehearsal
uses (scripts/rehearsal/next_build.py: a new gateway migration, task.created v2), built into the image
giftflow:next and loaded into containerd. While a family reads, writes tasks and holds a live stream
open through the gateway's Service, the release goes out the way k8s/deploy.sh and the README order it:

1. the migrations Job of the next image (expand only: the running pods keep on);
2. the consumers to the next image (`kubectl set image`, `kubectl rollout status`): they read v1 and v2;
3. the gateway to the next image, watched with `kubectl rollout status`: it publishes v2 from now on
   (k8s_rollout_seconds, k8s_rollout_requests_failed);
4. `kubectl rollout undo deployment/gateway`, watched the same way: v1 again, the schema staying as it
   is (k8s_rollback_seconds, k8s_rollback_requests_failed);
5. once every v2 is handled, the consumers undone too.

Then every event the gateway committed during the rehearsal is looked up in every consumer's inbox
(k8s_events_lost). The figures go to bench/results/k8s_rehearsal.json, with k8s_up_seconds from the
last `make k8s-up`; the exit status is 1 if a request failed or an event was lost.
"""

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime

import yaml

from bench.common import load_average, write_result
from bench.gateway import _family, read_mix
from scripts.k8s import cluster
from scripts.k8s.__main__ import kubectl, kubectl_out
from scripts.rehearsal import accounting, next_build
from scripts.rehearsal.traffic import FamilyTraffic
from scripts.stack.topology import CACHE, CONSUMERS, ROOT

NS = "giftflow"
NEXT_IMAGE = "localhost/giftflow/giftflow:next"
NEXT_ALIAS = "docker.io/library/giftflow:next"  # what the Deployments are set to: giftflow:next
# k8s/overlays/local: the laptop cluster's local-only values
ADMIN = "postgres:local-only-admin"
GATEWAY_ROLE = "gateway:local-only-gateway"
DRAIN_TIMEOUT_S = 180


def say(message: str) -> None:
    print(f"k8s-rehearsal: {message}", flush=True)


def service_url(name: str, port: int, namespace: str = NS) -> str:
    """A Service's cluster address, reached from the node through kube-proxy's rules, as any pod
    reaches it: requests are spread over its ready endpoints and leave a pod that is withdrawn."""
    ip = kubectl_out("-n", namespace, "get", "service", name, "-o", "jsonpath={.spec.clusterIP}")
    return f"{ip}:{port}"


def build_next(build: next_build.NextBuild) -> None:
    """giftflow:next from the next release's checkout (scripts/compose's build), into containerd."""
    from scripts.compose.__main__ import PYTHON, UV, environment
    from scripts.compose.__main__ import build as podman_build

    podman_build(
        NEXT_IMAGE, build.path / "Dockerfile", build.path, PYTHON_IMAGE=PYTHON, UV_IMAGE=UV
    )
    with tempfile.NamedTemporaryFile(dir=cluster.HOME, suffix=".tar") as archive:
        subprocess.run(
            ["podman", "save", "-q", "--format", "docker-archive", "-o", archive.name, NEXT_IMAGE],
            env=environment(),
            check=True,
        )
        cluster.ctr("images", "import", "--snapshotter", "overlayfs", archive.name, quiet=True)
    cluster.ctr("images", "tag", "--force", NEXT_IMAGE, NEXT_ALIAS, quiet=True)


def migrate_next() -> None:
    """The overlay's migrations Job, with the next image: what deploy.sh's first step runs."""
    built = kubectl_out("kustomize", str(ROOT / "k8s/overlays/local"))
    (job,) = [d for d in yaml.safe_load_all(built) if d and d["kind"] == "Job"]
    for container in job["spec"]["template"]["spec"]["containers"]:
        container["image"] = "giftflow:next"
    kubectl("-n", NS, "delete", "job", job["metadata"]["name"], "--ignore-not-found", "--wait")
    kubectl("apply", "-f", "-", input=yaml.safe_dump(job), text=True, stdout=subprocess.DEVNULL)
    kubectl(
        "-n", NS, "wait", f"job/{job['metadata']['name']}", "--for=condition=Complete",
        "--timeout=10m",
    )  # fmt: skip


def restore_schema(build: next_build.NextBuild, postgres: str) -> None:
    """Takes the throwaway next release's migration back out, from its checkout, as the gateway's
    role: after a real rollback the schema stays, but this release is never shipped, and the
    current one's migrations Job stops on a revision it does not know (k8s/README.md). So the cluster
    is left as `make deploy ENV=local` can deploy it again, and the rehearsal can run again."""
    script = (
        "import sys; from alembic import command; from alembic.config import Config; "
        "from shared.migrate import MIGRATIONS; c = Config(); "
        "c.set_main_option('script_location', str(MIGRATIONS / 'gateway')); "
        "c.set_main_option('sqlalchemy.url', sys.argv[1]); c.attributes['schema'] = 'gateway'; "
        "command.downgrade(c, sys.argv[2])"
    )
    url = f"postgresql+asyncpg://{GATEWAY_ROLE}@{postgres}/giftflow"
    subprocess.run(
        [sys.executable, "-c", script, url, build.previous_revision], cwd=build.path, check=True
    )


def rollout(deployment: str, *change: str) -> float:
    """One `kubectl` change to a Deployment, then `kubectl rollout status` until it is complete: the
    seconds that took. Returns only once the old pods are gone too, so that whatever their stopping
    does to a request (preStop, uvicorn's shutdown) is counted in this step's window."""
    started = time.monotonic()
    kubectl("-n", NS, *change, stdout=subprocess.DEVNULL)
    kubectl("-n", NS, "rollout", "status", f"deployment/{deployment}", "--timeout=10m")
    seconds = round(time.monotonic() - started, 1)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        pods = kubectl_out(
            "-n", NS, "get", "pods", "-l", f"app.kubernetes.io/name={deployment}",
            "-o", "jsonpath={range .items[*]}{.metadata.name} {.metadata.deletionTimestamp}{'\\n'}{end}",
        ).splitlines()  # fmt: skip
        if all(len(p.split()) == 1 for p in pods):
            break
        time.sleep(0.5)
    return seconds


def set_image(deployment: str) -> float:
    return rollout(deployment, "set", "image", f"deployment/{deployment}", "app=giftflow:next")


def undo(deployment: str) -> float:
    return rollout(deployment, "rollout", "undo", f"deployment/{deployment}")


async def rehearse(url: str, dsn: str, build: next_build.NextBuild, steady_s: float) -> dict:
    family = await _family(url)
    traffic = FamilyTraffic(url, family, read_mix(family))
    since = datetime.now(UTC)
    load_before, t0 = load_average(), time.monotonic()
    traffic.start()
    figures: dict = {}

    async def window(name: str, work) -> float:
        """Runs `work` in a thread; the requests that failed meanwhile are the window's."""
        failed_before = traffic.tally.failed
        seconds = await asyncio.to_thread(work)
        figures[f"{name}_requests_failed"] = traffic.tally.failed - failed_before
        return seconds

    await asyncio.sleep(steady_s)
    say("migrations Job of the next release")
    migrate_started = time.monotonic()
    await window("migration", migrate_next)
    figures["migration_job_seconds"] = round(time.monotonic() - migrate_started, 1)

    consumers_s = 0.0
    for service in CONSUMERS:
        say(f"{service} to the next image")
        consumers_s += await window(f"consumer_{service}_rollout", lambda s=service: set_image(s))
    figures["k8s_consumers_rollout_seconds"] = round(consumers_s, 1)

    say("gateway to the next image (kubectl rollout status)")
    figures["k8s_rollout_seconds"] = await window("k8s_rollout", lambda: set_image("gateway"))
    await asyncio.sleep(steady_s)  # v2 published while the family carries on
    say("kubectl rollout undo deployment/gateway")
    figures["k8s_rollback_seconds"] = await window("k8s_rollback", lambda: undo("gateway"))

    # the consumers go back only once every v2 is handled: the current release reads none of them
    drained = await accounting.drained(dsn, since, DRAIN_TIMEOUT_S)
    consumers_back_s = 0.0
    for service in CONSUMERS:
        say(f"kubectl rollout undo deployment/{service}")
        consumers_back_s += await window(f"consumer_{service}_undo", lambda s=service: undo(s))
    figures["k8s_consumers_rollback_seconds"] = round(consumers_back_s, 1)
    await asyncio.sleep(steady_s)
    tally = await traffic.stop()

    result = await accounting.drained(dsn, since, DRAIN_TIMEOUT_S)
    unrecorded = await accounting.writes_without_event(dsn, tally.task_ids)
    return {
        "k8s_rollout_requests_failed": figures.pop("k8s_rollout_requests_failed"),
        "k8s_rollback_requests_failed": figures.pop("k8s_rollback_requests_failed"),
        "k8s_events_lost": result.lost + unrecorded,
        "k8s_rollout_seconds": figures.pop("k8s_rollout_seconds"),
        "k8s_rollback_seconds": figures.pop("k8s_rollback_seconds"),
        "requests_failed_in_all": tally.failed,
        "requests_read": tally.reads,
        "requests_written": tally.writes,
        "acknowledged_writes_without_event": unrecorded,
        "events_published_v1": result.published.get(next_build.OLD_TYPE, 0),
        "events_published_v2": result.published.get(next_build.NEW_TYPE, 0),
        "events_lost_before_consumers_went_back": drained.lost,
        "events_delayed_max_s": result.delayed_max_s,
        "stream_opens": tally.stream_opens,
        "stream_messages": len(tally.stream_ids),
        "stream_positions_missed": tally.stream_ids_missed(),
        "migration": build.revision,
        **figures,
        "duration_s": round(time.monotonic() - t0, 1),
        "load_avg_1m_before": load_before,
        "load_avg_1m_after": load_average(),
        "failures": tally.failures,
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.k8s.rehearsal", description=__doc__)
    parser.add_argument(
        "--steady", type=float, default=10, help="seconds of traffic between the steps"
    )
    args = parser.parse_args(argv)
    if not cluster.running("kube-apiserver"):
        sys.exit("k8s-rehearsal: no cluster here: `make k8s-up`, then `make deploy ENV=local`")
    url = f"http://{service_url('gateway', 8000)}"
    postgres = service_url("postgres", 5432)
    dsn = f"postgresql://{ADMIN}@{postgres}/giftflow"
    say(f"gateway at {url} (its Service's cluster address)")
    build = next_build.make(CACHE / "k8s-rehearsal-next")
    say(f"next release in {build.path}: migration {build.revision}, {next_build.NEW_TYPE}")
    try:
        build_next(build)
        metrics = asyncio.run(rehearse(url, dsn, build, args.steady))
    finally:
        say(f"taking the rehearsal's migration {build.revision} back out")
        restore_schema(build, postgres)
        next_build.remove(build.path)
    last_up = cluster.HOME / "last-up.json"
    if last_up.exists():
        metrics["k8s_up_seconds"] = json.loads(last_up.read_text())["k8s_up_seconds"]
    failures = metrics.pop("failures")
    write_result(
        "k8s_rehearsal",
        metrics,
        notes=(
            "on the single-node cluster (make k8s-up): the next release's migrations Job, the "
            "consumers then the gateway rolled to it (task.created v2) and the gateway rolled back "
            "with kubectl rollout undo, while a family reads, writes tasks and holds a live stream "
            "through the gateway's Service; k8s_up_seconds is the last make k8s-up"
            + (f"; failures: {failures}" if failures else "")
        ),
    )
    failed = metrics["k8s_rollout_requests_failed"] + metrics["k8s_rollback_requests_failed"]
    return 1 if failed or metrics["k8s_events_lost"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
