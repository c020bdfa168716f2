"""A single-node Kubernetes cluster on this machine, built from what the registries serve:
`python -m scripts.k8s up|down|status|images|kafka`.

    make k8s-up      # python -m scripts.k8s up
    make k8s-down    # python -m scripts.k8s down

`up` builds what is missing (cached under .stack/k8s/bin: scripts/k8s/build-*.sh), generates the
certificates and kubeconfigs (.stack/k8s/kubeconfig is the administrator's), starts containerd (its own
root, state and socket), etcd, kube-apiserver, kube-controller-manager, kube-scheduler, the kubelet and
kube-proxy, loads the images into containerd (built with podman by scripts/compose, plus the pause,
CoreDNS and Dapr control-plane images packed here FROM scratch), then installs CoreDNS and Dapr's
control plane (its own Helm chart from the dapr module, rendered by helm) and waits until all is Ready.
Every step is idempotent: a second `up` finds what is there and only starts what is not running.

`kafka` applies k8s/overlays/local/kafka (a plain StatefulSet from the local Kafka image: Strimzi's
operator has no image here) and creates the topics k8s/kafka/topics.yaml declares, as Strimzi's Topic
Operator would. `down` removes every pod sandbox through the CRI, stops every process, unmounts the
kubelet's volumes and removes the bridge and kube-proxy's rules; the cluster's state (etcd, images,
volumes) stays, so the next `up` brings the same workloads back.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from scripts.k8s import cluster
from scripts.k8s.cluster import BIN, HOME, KUBECONFIG, ROOT, say

K8S_VERSION = "v1.34.4"
DAPR_VERSION = "1.16.5"
COREDNS_TAG = "1.12.4"
# Dapr's own chart, from the module the control plane is built from (scripts/k8s/build-dapr-control-plane.sh)
DAPR_CHART = ROOT / f".stack/build/k8s-gomod/github.com/dapr/dapr@v{DAPR_VERSION}/charts/dapr"
DAPR_COMPONENTS = ("operator", "injector", "sentry", "placement")
# a public image's name -> the image built here that stands in for it, so the manifests keep the
# names they use anywhere else (containerd qualifies `postgres:15` as docker.io/library/postgres:15)
ALIASES = {
    "docker.io/library/giftflow:local": "localhost/giftflow/giftflow:local",
    "docker.io/library/postgres:15": "localhost/giftflow/postgres:15",
    "docker.io/apache/kafka:4.1.1": "localhost/giftflow/kafka:4.1.1",
}
VOLUMES = 3  # hostPath PersistentVolumes offered to claims (Postgres takes one)
VOLUME_SIZE = "10Gi"
NAMESPACE = "giftflow"


def kubectl(*args: str, check: bool = True, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(["kubectl", f"--kubeconfig={KUBECONFIG}", *args], check=check, **kw)


def kubectl_out(*args: str) -> str:
    return kubectl(*args, capture_output=True, text=True).stdout


def apply(manifest: str, *extra: str) -> None:
    kubectl("apply", *extra, "-f", "-", input=manifest, text=True, stdout=subprocess.DEVNULL)


# ---- binaries and images ----------------------------------------------------------------------


def binaries() -> None:
    """Whatever of the cluster's binaries is not cached yet (the first time, ~45 minutes in all)."""
    for script in ("build-kubernetes.sh", "build-dapr-control-plane.sh", "build-tools.sh"):
        subprocess.run(["nice", "-n", "10", "bash", str(ROOT / "scripts/k8s" / script)], check=True)


def _podman_id(image: str) -> str:
    from scripts.compose.__main__ import run

    listed = run(
        "podman", "image", "inspect", "--format", "{{.Id}}", image, capture_output=True, text=True
    )
    return listed.stdout.strip()


def _pack(tag: str, recipe: str, files: dict[str, Path], **build_args: str) -> None:
    """An image FROM scratch around a binary built here (pause, CoreDNS, Dapr's control plane)."""
    from scripts.compose.__main__ import build, staged

    with staged(ROOT / "images" / recipe, files) as context:
        build(tag, context / "Containerfile", context, **build_args)


def images() -> list[str]:
    """Every image the cluster runs, built with podman (scripts/compose's build, layer-cached); the
    names to load into containerd."""
    from scripts.compose.__main__ import IMAGES
    from scripts.compose.__main__ import images as compose_images

    say("images: giftflow, Postgres, Kafka and daprd (scripts/compose; cached layers)")
    compose_images()
    pause = HOME / "build" / "pause"
    if not pause.exists():
        pause.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["go", "build", "-trimpath", "-ldflags", "-s -w", "-o", str(pause), "."],
            cwd=ROOT / "scripts/k8s/pause",
            env={**os.environ, "CGO_ENABLED": "0", "GOTOOLCHAIN": "local"},
            check=True,
        )
    _pack("localhost/giftflow/pause:3.10", "pause", {"pause": pause})
    _pack(f"localhost/giftflow/coredns:{COREDNS_TAG}", "coredns", {"coredns": BIN / "coredns"})
    for c in DAPR_COMPONENTS:
        _pack(
            f"localhost/giftflow/{c}:{DAPR_VERSION}",
            "dapr-control-plane",
            {c: BIN / f"dapr-{c}"},
            BINARY=c,
        )
    return [
        "localhost/giftflow/pause:3.10",
        f"localhost/giftflow/coredns:{COREDNS_TAG}",
        *(f"localhost/giftflow/{c}:{DAPR_VERSION}" for c in DAPR_COMPONENTS),
        IMAGES["DAPRD_IMAGE"],
        IMAGES["GIFTFLOW_IMAGE"],
        IMAGES["POSTGRES_IMAGE"],
        IMAGES["KAFKA_IMAGE"],
    ]


def load_images(names: list[str]) -> None:
    """podman save | ctr import, for each image containerd does not hold in this build yet."""
    from scripts.compose.__main__ import environment

    state_file = HOME / "images.json"
    loaded = json.loads(state_file.read_text()) if state_file.exists() else {}
    held = cluster.ctr("images", "ls", "-q", capture_output=True, text=True).stdout.split()
    stale = [n for n in names if loaded.get(n) != _podman_id(n) or n not in held]
    if stale:
        say(f"images: loading {len(stale)} into containerd: {' '.join(stale)}")
        with tempfile.NamedTemporaryFile(dir=HOME, suffix=".tar") as archive:
            subprocess.run(
                [
                    "podman",
                    "save",
                    "-q",
                    "-m",
                    "--format",
                    "docker-archive",
                    "-o",
                    archive.name,
                    *stale,
                ],
                env=environment(),
                check=True,
            )
            cluster.ctr("images", "import", "--snapshotter", "overlayfs", archive.name, quiet=True)
        for n in stale:
            loaded[n] = _podman_id(n)
        state_file.write_text(json.dumps(loaded, indent=2) + "\n")
    else:
        say(f"images: all {len(names)} already in containerd")
    for alias, name in ALIASES.items():
        cluster.ctr("images", "tag", "--force", name, alias, quiet=True)


# ---- cluster add-ons --------------------------------------------------------------------------


def wait_for(what: str, ready, timeout_s: float = 300, every_s: float = 2) -> None:
    deadline = time.monotonic() + timeout_s
    while not ready():
        if time.monotonic() > deadline:
            raise SystemExit(f"k8s: {what}: not within {timeout_s:.0f}s")
        time.sleep(every_s)


def node_ready() -> bool:
    done = kubectl(
        "get", "node", cluster.NODE, "-o",
        'jsonpath={.status.conditions[?(@.type=="Ready")].status}',
        check=False, capture_output=True, text=True,
    )  # fmt: skip
    return done.stdout.strip() == "True"


def volumes() -> str:
    docs = []
    for i in range(VOLUMES):
        path = HOME / "volumes" / f"pv{i}"
        path.mkdir(parents=True, exist_ok=True)
        path.chmod(0o777)  # whichever uid the claiming pod runs as
        docs.append(
            {
                "apiVersion": "v1",
                "kind": "PersistentVolume",
                "metadata": {"name": f"giftflow-node-pv{i}"},
                "spec": {
                    "capacity": {"storage": VOLUME_SIZE},
                    "accessModes": ["ReadWriteOnce"],
                    "persistentVolumeReclaimPolicy": "Retain",
                    "storageClassName": "",
                    "hostPath": {"path": str(path), "type": "Directory"},
                },
            }
        )
    return yaml.safe_dump_all(docs, sort_keys=False)


def addons() -> None:
    addon = ROOT / "scripts/k8s/addons"
    apply((addon / "node.yaml").read_text())
    apply(volumes())
    say("cluster DNS: CoreDNS")
    apply(
        (addon / "coredns.yaml")
        .read_text()
        .replace("@DNS_IP@", cluster.DNS_SERVICE_IP)
        .replace("@COREDNS_TAG@", COREDNS_TAG)
    )
    say(f"Dapr {DAPR_VERSION} control plane: its Helm chart, rendered by helm")
    kubectl("create", "namespace", "dapr-system", check=False, capture_output=True)
    rendered = subprocess.run(
        [
            str(BIN / "helm"), "template", "dapr", str(DAPR_CHART),
            "--namespace", "dapr-system", "--include-crds",
            "--set", "global.registry=localhost/giftflow",
            "--set", f"global.tag={DAPR_VERSION}",
            "--set", "global.imagePullPolicy=Never",
            "--set", "global.logAsJson=true",
            # no scheduler (it cannot be built here: a module it needs is not on the proxy) and no
            # placement: giftflow uses neither Dapr jobs, actor reminders nor actors
            "--set", "global.scheduler.enabled=false",
            "--set", "global.actors.enabled=false",
        ],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    documents = [d for d in yaml.safe_load_all(rendered) if d]
    crds = [d for d in documents if d["kind"] == "CustomResourceDefinition"]
    apply(yaml.safe_dump_all(crds), "--server-side", "--force-conflicts")
    kubectl(
        "wait", "--for=condition=Established", "--timeout=60s",
        *(f"crd/{d['metadata']['name']}" for d in crds), stdout=subprocess.DEVNULL,
    )  # fmt: skip
    rest = [d for d in documents if d["kind"] != "CustomResourceDefinition"]
    apply(yaml.safe_dump_all(rest), "--server-side", "--force-conflicts")
    for deployment, namespace in [
        ("coredns", "kube-system"),
        ("dapr-sentry", "dapr-system"),
        ("dapr-operator", "dapr-system"),
        ("dapr-sidecar-injector", "dapr-system"),
    ]:
        say(f"waiting for {namespace}/{deployment}")
        kubectl(
            "-n", namespace, "rollout", "status", f"deployment/{deployment}", "--timeout=10m",
            stdout=subprocess.DEVNULL,
        )  # fmt: skip


# ---- Kafka (the local overlay's) --------------------------------------------------------------


def kafka() -> None:
    """k8s/overlays/local/kafka, then every KafkaTopic of k8s/kafka/topics.yaml created in it."""
    say("Kafka: k8s/overlays/local/kafka")
    kubectl("apply", "-k", str(ROOT / "k8s/overlays/local/kafka"), stdout=subprocess.DEVNULL)
    kubectl("-n", "kafka", "rollout", "status", "statefulset/giftflow-kafka", "--timeout=10m")
    topics = [
        d["spec"]
        for d in yaml.safe_load_all((ROOT / "k8s/kafka/topics.yaml").read_text())
        if d and d["kind"] == "KafkaTopic"
    ]
    tool = "/opt/kafka/bin/kafka-topics.sh --bootstrap-server localhost:9092"
    wait_for(
        "Kafka answering",
        lambda: kubectl(
            "-n", "kafka", "exec", "giftflow-kafka-0", "--", "sh", "-c", f"{tool} --list",
            check=False, capture_output=True,
        ).returncode == 0,
    )  # fmt: skip
    existing = set(
        kubectl_out(
            "-n", "kafka", "exec", "giftflow-kafka-0", "--", "sh", "-c", f"{tool} --list"
        ).split()
    )
    missing = [t for t in topics if t["topicName"] not in existing]
    if not missing:
        say(f"Kafka: all {len(topics)} topics exist")
        return
    script = "set -e\n" + "".join(
        f"{tool} --create --if-not-exists --topic {t['topicName']} --partitions {t['partitions']}"
        f" --replication-factor {t['replicas']}"
        + "".join(f" --config {k}={v}" for k, v in t.get("config", {}).items())
        + "\n"
        for t in missing
    )
    say(f"Kafka: creating {len(missing)} topics from k8s/kafka/topics.yaml")
    kubectl(
        "-n",
        "kafka",
        "exec",
        "giftflow-kafka-0",
        "--",
        "sh",
        "-c",
        script,
        stdout=subprocess.DEVNULL,
    )


# ---- up / down --------------------------------------------------------------------------------


def up() -> None:
    started = time.monotonic()
    binaries()
    ip = cluster.node_ip()
    HOME.mkdir(parents=True, exist_ok=True)
    say(f"node {cluster.NODE} at {ip}; state in {HOME}")
    cluster.kernel_settings()
    cluster.certificates(ip)
    cluster.kubeconfigs()
    cluster.cni_config()
    cluster.start_containerd()
    load_images(images())
    cluster.start_etcd()
    cluster.start_apiserver(ip)
    cluster.start_controller_manager()
    cluster.start_scheduler()
    cluster.start_kubelet(ip)
    cluster.start_kube_proxy()
    say("waiting for the node to be Ready")
    wait_for("node Ready", node_ready)
    addons()
    kafka()
    seconds = round(time.monotonic() - started, 1)
    say(f"up in {seconds} s. kubectl: export KUBECONFIG={KUBECONFIG}")
    (HOME / "last-up.json").write_text(json.dumps({"k8s_up_seconds": seconds}) + "\n")


COMPONENTS = [
    "kube-proxy", "kubelet", "kube-scheduler", "kube-controller-manager", "kube-apiserver", "etcd",
]  # fmt: skip


def down() -> None:
    if cluster.running("containerd") and (BIN / "crictl").exists():
        cluster.stop_process("kubelet")  # first, or it restarts what is being removed
        say("removing every pod sandbox (their network namespaces and addresses with them)")
        cluster.crictl("stopp", *cluster.crictl("pods", "-q").stdout.split())
        cluster.crictl("rmp", "-a", "-f")
    for name in COMPONENTS:
        cluster.stop_process(name)
    subprocess.run([str(BIN / "kube-proxy"), "--cleanup"], check=False, capture_output=True)
    cluster.stop_process("containerd")
    cluster.unmount_under(HOME)
    cluster.remove_bridge()
    cluster.remove_iptables_chains()
    cluster.remove_log_links()
    say("down")


def status() -> int:
    for name in ["containerd", *reversed(COMPONENTS)]:
        pid = cluster.running(name)
        print(f"  {name:24} {f'running (pid {pid})' if pid else 'stopped'}")
    if cluster.running("kube-apiserver"):
        kubectl("get", "nodes,pods", "-A", "-o", "wide", check=False)
    return 0


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "status"
    if command == "up":
        up()
    elif command == "down":
        down()
    elif command == "status":
        return status()
    elif command == "images":
        cluster.start_containerd()
        load_images(images())
    elif command == "kafka":
        kafka()
    else:
        sys.exit("usage: python -m scripts.k8s up|down|status|images|kafka")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
