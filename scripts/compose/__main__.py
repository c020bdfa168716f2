"""docker-compose.yml run for real on this machine: `python -m scripts.compose images|up|smoke|down|test`.

There is no image registry here and no Docker engine, so:

* containers run with podman and runc (`.stack/compose/containers.conf` pins the runtime, cgroupfs and
  the ulimits), and docker-compose talks to `podman system service` on a socket under `.stack/compose`;
* every image is built here (`images/`): a Debian bookworm base from debootstrap, then Python 3.11,
  uv, PostgreSQL, Kafka (the Maven jars the local stack uses) and daprd (the binary the local stack
  builds), and giftflow's own image from the Dockerfile with those as its bases. docker-compose.yml
  takes each image name from a variable whose default is the public image, so the same file runs
  unchanged where a registry exists;
* podman runs healthchecks from systemd timers, and there is no systemd: while compose is up, a thread
  here runs `podman healthcheck run` for every container that has one, so `service_healthy` holds.

`test` (what `make compose-test` runs) builds the images, brings the file up, runs the smoke test
(scripts/smoke.py) through the published gateway port, brings everything down, and records how long
it took in bench/results/compose_test.json.
"""

import json
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import yaml

from bench.anchored import anchored

ROOT = Path(__file__).resolve().parents[2]
HOME = ROOT / ".stack" / "compose"
CONF = HOME / "containers.conf"
SOCKET = HOME / "podman.sock"
PROJECT = "giftflow-compose"
HTTP_PORT = int(os.environ.get("GIFTFLOW_COMPOSE_PORT", "18800"))

BASE = "localhost/giftflow/debian:bookworm"
PYTHON = "localhost/giftflow/python:3.11"
UV = "localhost/giftflow/uv:0.13.9"
# the variables docker-compose.yml reads its image names from, set to what is built here
IMAGES = {
    "GIFTFLOW_IMAGE": "localhost/giftflow/giftflow:local",
    "POSTGRES_IMAGE": "localhost/giftflow/postgres:15",
    "KAFKA_IMAGE": "localhost/giftflow/kafka:4.1.1",
    "DAPRD_IMAGE": "localhost/giftflow/daprd:1.16.5",
    "PROMETHEUS_IMAGE": "localhost/giftflow/prometheus:2.42",
}
PROMETHEUS_PORT = HTTP_PORT + 90
# Grafana has no Debian package and no image can be pulled here: its provisioning is checked by
# tests/unit/test_compose.py, and everything else is started
NOT_HERE = {"grafana"}
RULES = ROOT / "compose" / "prometheus" / "rules.yml"
DEBIAN_PACKAGES = {
    "podman": "podman",
    "runc": "runc",
    "debootstrap": "debootstrap",
    "docker-compose": "docker-compose",
}
CONTAINERS_CONF = """\
# podman for giftflow's compose test: runc (crun fails on hybrid cgroups), cgroupfs (no systemd),
# and the machine's hard limits as every container's ulimits
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
log_driver = "k8s-file"

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
"""


def say(message: str) -> None:
    print(f"compose: {message}", flush=True)


def environment() -> dict[str, str]:
    return {
        **os.environ,
        "CONTAINERS_CONF": str(CONF),
        "DOCKER_HOST": f"unix://{SOCKET}",
        "COMPOSE_PROJECT_NAME": PROJECT,
        "GIFTFLOW_HTTP_PORT": str(HTTP_PORT),
        "GIFTFLOW_PROMETHEUS_PORT": str(PROMETHEUS_PORT),
        **IMAGES,
    }


def run(*args: str, quiet: bool = False, check: bool = True, **kw) -> subprocess.CompletedProcess:
    out = subprocess.DEVNULL if quiet else None
    return subprocess.run(args, env=environment(), check=check, stdout=out, **kw)


def install() -> None:
    """The Debian packages compose needs, and podman's configuration."""
    missing = [pkg for tool, pkg in DEBIAN_PACKAGES.items() if shutil.which(tool) is None]
    if missing:
        say(f"installing {' '.join(missing)} from Debian")
        subprocess.run(["apt-get", "update", "-q"], check=True, stdout=subprocess.DEVNULL)
        subprocess.run(
            [
                "apt-get",
                "install",
                "-y",
                "-q",
                "--no-install-recommends",
                *missing,
                "containernetworking-plugins",
                "golang-github-containernetworking-plugin-dnsname",
                "slirp4netns",
                "fuse-overlayfs",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
    HOME.mkdir(parents=True, exist_ok=True)
    CONF.write_text(CONTAINERS_CONF)


def image_exists(name: str) -> bool:
    return run("podman", "image", "exists", name, check=False).returncode == 0


# The machine's CA bundle, mounted into builds that download from PyPI: where the registries are
# reached through a TLS-inspecting proxy, its CA is in there and not in the images' own bundles.
HOST_CA = Path(os.environ.get("SSL_CERT_FILE", "/etc/ssl/certs/ca-certificates.crt"))
BUILD_CA = "/host-ca.crt"


def build(tag: str, containerfile: Path, context: Path, **build_args: str) -> None:
    say(f"building {tag}")
    args = [f"--build-arg={k}={v}" for k, v in build_args.items()]
    if HOST_CA.is_file():
        args += [
            f"--volume={HOST_CA}:{BUILD_CA}:ro",
            f"--build-arg=PIP_CERT={BUILD_CA}",
            f"--build-arg=SSL_CERT_FILE={BUILD_CA}",
        ]
    run(
        "podman",
        "build",
        "--network=host",
        "--layers",
        "-q",
        "-t",
        tag,
        "-f",
        str(containerfile),
        *args,
        str(context),
        quiet=True,
    )


def images() -> None:
    """Every image docker-compose.yml needs, built here; layers are cached, so a rebuild is quick."""
    install()
    if not image_exists(BASE):
        rootfs = HOME / "rootfs"
        shutil.rmtree(rootfs, ignore_errors=True)
        say("debootstrap: a minimal Debian bookworm for the base image (a few minutes, once)")
        subprocess.run(
            [
                "debootstrap",
                "--variant=minbase",
                "bookworm",
                str(rootfs),
                "http://deb.debian.org/debian",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        for cache in ("var/cache/apt/archives", "var/lib/apt/lists"):
            for f in (rootfs / cache).glob("*"):
                if f.is_file():
                    f.unlink()
        tar = subprocess.Popen(["tar", "-C", str(rootfs), "-c", "."], stdout=subprocess.PIPE)
        run("podman", "import", "-", BASE, stdin=tar.stdout, quiet=True)
        tar.wait()
        shutil.rmtree(rootfs)
    images_dir = ROOT / "images"
    build(PYTHON, images_dir / "python/Containerfile", images_dir / "python", BASE=BASE)
    build(UV, images_dir / "uv/Containerfile", images_dir / "uv", PYTHON_IMAGE=PYTHON)
    build(
        IMAGES["POSTGRES_IMAGE"],
        images_dir / "postgres/Containerfile",
        images_dir / "postgres",
        BASE=BASE,
    )
    with staged(images_dir / "kafka", {"libs": ROOT / ".stack/kafka/libs"}) as context:
        build(IMAGES["KAFKA_IMAGE"], context / "Containerfile", context, BASE=BASE)
    with staged(images_dir / "daprd", {"daprd": ROOT / ".stack/bin/daprd"}) as context:
        build(IMAGES["DAPRD_IMAGE"], context / "Containerfile", context)
    build(
        IMAGES["PROMETHEUS_IMAGE"],
        images_dir / "prometheus/Containerfile",
        images_dir / "prometheus",
        BASE=BASE,
    )
    build(IMAGES["GIFTFLOW_IMAGE"], ROOT / "Dockerfile", ROOT, PYTHON_IMAGE=PYTHON, UV_IMAGE=UV)


@contextmanager
def staged(recipe: Path, extra: dict[str, Path]):
    """A build context: the recipe's folder plus what the local stack already built or downloaded."""
    context = HOME / "context" / recipe.name
    shutil.rmtree(context, ignore_errors=True)
    shutil.copytree(recipe, context)
    for name, source in extra.items():
        if not source.exists():
            sys.exit(f"compose: {source} is missing; run `make install` first")
        if source.is_dir():
            shutil.copytree(source, context / name, copy_function=os.link)
        else:
            os.link(source.resolve(), context / name)
    try:
        yield context
    finally:
        shutil.rmtree(context, ignore_errors=True)


@contextmanager
def podman_service():
    """`podman system service` on our socket, for docker-compose's Docker API calls."""
    SOCKET.unlink(missing_ok=True)
    log = open(HOME / "podman-service.log", "ab")
    proc = subprocess.Popen(
        ["podman", "system", "service", "--time=0", f"unix://{SOCKET}"],
        env=environment(),
        stdout=log,
        stderr=log,
    )
    try:
        for _ in range(100):
            if SOCKET.exists():
                break
            time.sleep(0.1)
        else:
            sys.exit("compose: podman system service did not open its socket")
        yield
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


@contextmanager
def healthchecks(interval_s: float = 2.0):
    """Run every project container's healthcheck on an interval, as systemd's timers would."""
    stop = threading.Event()

    def pump() -> None:
        while not stop.wait(interval_s):
            listed = run(
                "podman",
                "ps",
                "-q",
                "--filter",
                f"label=com.docker.compose.project={PROJECT}",
                capture_output=True,
                text=True,
                check=False,
            )
            for container in listed.stdout.split():
                run(
                    "podman",
                    "healthcheck",
                    "run",
                    container,
                    quiet=True,
                    check=False,
                    stderr=subprocess.DEVNULL,
                )

    thread = threading.Thread(target=pump, name="healthchecks", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def compose(*args: str, **kw) -> subprocess.CompletedProcess:
    return run("docker-compose", "-f", str(ROOT / "docker-compose.yml"), *args, **kw)


def down() -> None:
    """`docker-compose down -v`, after removing the containers ourselves: podman refuses to remove an
    app container while its sidecar shares its network namespace, and compose 1.29 asks in that order."""
    listed = run(
        "podman",
        "ps",
        "-aq",
        "--filter",
        f"label=com.docker.compose.project={PROJECT}",
        capture_output=True,
        text=True,
        check=False,
    )
    if listed.stdout.split():
        run(
            "podman",
            "rm",
            "-f",
            "--depend",
            *listed.stdout.split(),
            quiet=True,
            check=False,
            stderr=subprocess.DEVNULL,
        )
    compose("down", "-v", "--remove-orphans", quiet=True, check=False, stderr=subprocess.DEVNULL)


def rules_file() -> str:
    """compose/prometheus/rules.yml: the PrometheusRule's groups, as Prometheus reads them."""
    from scripts.stack.prometheus import rule_groups

    header = "# Generated from k8s/monitoring/prometheusrule.yaml by `python -m scripts.compose config`.\n"
    return header + yaml.safe_dump(rule_groups(), sort_keys=False, width=100)


def services() -> list[str]:
    listed = compose("config", "--services", capture_output=True, text=True)
    return [s for s in listed.stdout.split() if s not in NOT_HERE]


def every_target_scraped(patience_s: float = 120) -> list[str]:
    """Prometheus's targets, once every one is up; what is down when patience runs out."""
    url = f"http://127.0.0.1:{PROMETHEUS_PORT}/api/v1/targets"
    deadline, down = time.monotonic() + patience_s, ["(no answer)"]
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                targets = json.load(response)["data"]["activeTargets"]
            down = [t["scrapeUrl"] for t in targets if t["health"] != "up"]
            if targets and not down:
                return [t["scrapeUrl"] for t in targets]
        except OSError:
            pass
        time.sleep(2)
    raise SystemExit(f"compose: Prometheus does not scrape {down}")


def unhealthy() -> list[str]:
    """The project's containers with a healthcheck that do not pass it yet."""
    listed = run(
        "podman",
        "ps",
        "--filter",
        f"label=com.docker.compose.project={PROJECT}",
        "--format",
        "{{.Names}} {{.Status}}",
        capture_output=True,
        text=True,
        check=False,
    )
    return [
        line.split()[0]
        for line in listed.stdout.splitlines()
        if "(starting)" in line or "(unhealthy)" in line
    ]


def wait_ready(patience_s: float = 300) -> None:
    """Until the gateway answers and every container with a healthcheck passes it (as `docker compose
    up --wait`): a service is ready when its database and its sidecar are."""
    url = f"http://127.0.0.1:{HTTP_PORT}/readyz"
    deadline, waiting = time.monotonic() + patience_s, ["gateway"]
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=3) as response:
                waiting = unhealthy() if response.status == 200 else ["gateway"]
        except OSError:
            waiting = ["gateway"]
        if not waiting:
            return
        time.sleep(1)
    compose("ps", check=False)
    sys.exit(f"compose: not ready within {patience_s:.0f} s: {', '.join(waiting)}")


def test() -> int:
    started, load_start = time.monotonic(), os.getloadavg()[0]
    images()
    built = time.monotonic()
    with podman_service(), healthchecks():
        down()
        say(f"up: docker-compose.yml, gateway published on :{HTTP_PORT}")
        try:
            compose("up", "-d", "--no-build", *services())
            wait_ready()
            up = time.monotonic()
            say("smoke test through the gateway")
            smoke = subprocess.run(
                [sys.executable, "-m", "scripts.smoke", "--url", f"http://127.0.0.1:{HTTP_PORT}"],
                cwd=ROOT,
            )
            if smoke.returncode == 0:
                scraped = every_target_scraped()
                say(f"Prometheus on :{PROMETHEUS_PORT} scrapes all {len(scraped)} targets")
            tested = time.monotonic()
            if smoke.returncode != 0:
                compose("ps", check=False)
                compose("logs", "--tail=40", check=False)
        finally:
            say("down")
            down()
    finished = time.monotonic()
    metrics = {
        "compose_test_seconds": round(finished - started, 1),
        "images_seconds": round(built - started, 1),
        "up_until_ready_seconds": round(up - built, 1),
        "smoke_seconds": round(tested - up, 1),
        "passed": smoke.returncode == 0,
    }
    # the shape of every bench result (bench/common.py): its load average and its anchor, here none
    record = {
        "benchmark": "compose_test",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "load_avg_1m": {"start": round(load_start, 2), "end": round(os.getloadavg()[0], 2)},
        "metrics": metrics,
        **anchored("compose_test", metrics, {}),
    }
    results = ROOT / "bench" / "results" / "compose_test.json"
    results.write_text(json.dumps(record, indent=2) + "\n")
    say(
        f"{'passed' if smoke.returncode == 0 else 'FAILED'} in {metrics['compose_test_seconds']} s "
        f"(images {metrics['images_seconds']} s, up {metrics['up_until_ready_seconds']} s); "
        f"figures in {results.relative_to(ROOT)}"
    )
    return smoke.returncode


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "test"
    if command == "images":
        images()
    elif command == "config":
        RULES.write_text(rules_file())
        say(f"wrote {RULES.relative_to(ROOT)}")
    elif command == "test":
        return test()
    else:
        sys.exit("usage: python -m scripts.compose [images|config|test]")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
