"""The single-node cluster's processes and their configuration: certificates, kubeconfigs, containerd,
the CNI bridge, etcd, the Kubernetes control plane, the kubelet and kube-proxy.

Everything lives under .stack/k8s/cluster (state, logs, pid files) and talks on its own ports and
sockets, so nothing of the machine's own containerd or podman is touched. Each process is started
detached with its pid in a file; `stop()` ends them in the reverse order.
"""

import contextlib
import json
import os
import signal
import socket
import ssl
import subprocess
import time
import urllib.request
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / ".stack" / "k8s"
BIN = K8S / "bin"
HOME = (
    K8S / "cluster"
).resolve()  # resolved: the kubelet's mounts are unmounted by their real path
PKI = HOME / "pki"
LOGS = HOME / "logs"
KUBECONFIG = (
    K8S / "kubeconfig"
)  # the administrator's: `KUBECONFIG=.stack/k8s/kubeconfig kubectl ...`

NODE = "giftflow-node"
CLUSTER_DOMAIN = "cluster.local"
SERVICE_CIDR = "10.96.0.0/16"
KUBERNETES_SERVICE_IP = "10.96.0.1"
DNS_SERVICE_IP = "10.96.0.10"
POD_CIDR = "10.244.0.0/24"
BRIDGE = "gfk8s0"
# every port in the 24xxx range, away from the defaults another cluster or stack may hold
ETCD_CLIENT, ETCD_PEER = 24379, 24380
APISERVER = 24443
KUBELET, KUBELET_HEALTHZ = 24250, 24248
CONTROLLER_MANAGER, SCHEDULER = 24257, 24259
PROXY_METRICS, PROXY_HEALTHZ = 24249, 24256
CONTAINERD_SOCKET = HOME / "containerd.sock"


STARTED = time.monotonic()


def say(message: str) -> None:
    print(f"k8s [{time.monotonic() - STARTED:4.0f} s]: {message}", flush=True)


def write(path: Path, text: str) -> None:
    """Writes a configuration file only when it changes: kube-proxy exits when its file is rewritten."""
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


def node_ip() -> str:
    """The address the node is known by (the source of the default route)."""
    route = subprocess.run(
        ["ip", "-4", "route", "get", "1.1.1.1"], capture_output=True, text=True, check=True
    ).stdout.split()
    return route[route.index("src") + 1]


# ---- certificates and kubeconfigs -------------------------------------------------------------


def _openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True)


def _certificate(name: str, subject: str, sans: list[str] | None = None) -> None:
    """A key and a certificate signed by the cluster CA (kept if already there)."""
    key, crt = PKI / f"{name}.key", PKI / f"{name}.crt"
    if crt.exists():
        return
    _openssl("genrsa", "-out", str(key), "2048")
    csr = PKI / f"{name}.csr"
    _openssl("req", "-new", "-key", str(key), "-subj", subject, "-out", str(csr))
    ext = PKI / f"{name}.ext"
    lines = [
        "basicConstraints=CA:FALSE",
        "keyUsage=critical,digitalSignature,keyEncipherment",
        "extendedKeyUsage=serverAuth,clientAuth",
    ]
    if sans:
        lines.append("subjectAltName=" + ",".join(sans))
    ext.write_text("\n".join(lines) + "\n")
    _openssl(
        "x509", "-req", "-in", str(csr), "-CA", str(PKI / "ca.crt"), "-CAkey", str(PKI / "ca.key"),
        "-CAcreateserial", "-days", "3650", "-sha256", "-extfile", str(ext), "-out", str(crt),
    )  # fmt: skip
    csr.unlink()
    ext.unlink()


# name -> (subject, whom it is for); O= is the group RBAC sees
CLIENTS = {
    "admin": "/CN=giftflow-admin/O=system:masters",
    "controller-manager": "/CN=system:kube-controller-manager",
    "scheduler": "/CN=system:kube-scheduler",
    "kubelet": f"/CN=system:node:{NODE}/O=system:nodes",
    "kube-proxy": "/CN=system:kube-proxy",
    # the API server's identity towards the kubelet (logs, exec, port-forward)
    "apiserver-kubelet-client": "/CN=kube-apiserver-kubelet-client/O=system:masters",
}


def certificates(ip: str) -> None:
    """The cluster CA, the API server's serving certificate, one client certificate per component
    and the service-account signing key: generated once with openssl, then reused."""
    PKI.mkdir(parents=True, exist_ok=True)
    if not (PKI / "ca.crt").exists():
        _openssl("genrsa", "-out", str(PKI / "ca.key"), "2048")
        _openssl(
            "req", "-x509", "-new", "-nodes", "-key", str(PKI / "ca.key"), "-subj",
            "/CN=giftflow-cluster-ca", "-days", "3650", "-sha256", "-out", str(PKI / "ca.crt"),
        )  # fmt: skip
    names = ["kubernetes", "kubernetes.default", "kubernetes.default.svc"]
    names += [f"kubernetes.default.svc.{CLUSTER_DOMAIN}", "localhost", NODE]
    sans = [f"DNS:{n}" for n in names] + [
        f"IP:{a}" for a in (KUBERNETES_SERVICE_IP, "127.0.0.1", ip)
    ]
    _certificate("apiserver", "/CN=kube-apiserver", sans)
    for name, subject in CLIENTS.items():
        _certificate(name, subject)
    if not (PKI / "sa.key").exists():
        _openssl("genrsa", "-out", str(PKI / "sa.key"), "2048")
        _openssl("rsa", "-in", str(PKI / "sa.key"), "-pubout", "-out", str(PKI / "sa.pub"))
    for key in PKI.glob("*.key"):
        key.chmod(0o600)


def kubeconfig(name: str, path: Path) -> None:
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {
                "name": "giftflow",
                "cluster": {
                    "server": f"https://127.0.0.1:{APISERVER}",
                    "certificate-authority": str(PKI / "ca.crt"),
                },
            }
        ],
        "users": [
            {
                "name": name,
                "user": {
                    "client-certificate": str(PKI / f"{name}.crt"),
                    "client-key": str(PKI / f"{name}.key"),
                },
            }
        ],
        "contexts": [{"name": "giftflow", "context": {"cluster": "giftflow", "user": name}}],
        "current-context": "giftflow",
    }
    write(path, yaml.safe_dump(config, sort_keys=False))


def kubeconfigs() -> None:
    for name in CLIENTS:
        if name != "apiserver-kubelet-client":
            kubeconfig(name, HOME / f"{name}.kubeconfig")
    kubeconfig("admin", KUBECONFIG)


# ---- configuration files ----------------------------------------------------------------------


def containerd_config() -> Path:
    template = (ROOT / "scripts/k8s/containerd.toml.in").read_text()
    path = HOME / "containerd.toml"
    write(path, template.replace("@K8S@", str(HOME)))
    return path


def cni_config() -> None:
    """The pod network: one Linux bridge, addresses from host-local (its leases kept under our home),
    masqueraded when they leave the node; hairpin so a pod reaches itself through its Service."""
    conf = HOME / "cni" / "net.d"
    conf.mkdir(parents=True, exist_ok=True)
    conflist = {
        "cniVersion": "1.0.0",
        "name": "giftflow",
        "plugins": [
            {
                "type": "bridge",
                "bridge": BRIDGE,
                "isGateway": True,
                "ipMasq": True,
                "hairpinMode": True,
                "ipam": {
                    "type": "host-local",
                    "dataDir": str(HOME / "cni" / "ipam"),
                    "ranges": [[{"subnet": POD_CIDR}]],
                    "routes": [{"dst": "0.0.0.0/0"}],
                },
            },
            {"type": "portmap", "capabilities": {"portMappings": True}},
            {"type": "loopback"},
        ],
    }
    write(conf / "10-giftflow.conflist", json.dumps(conflist, indent=2) + "\n")


def kubelet_config() -> Path:
    config = {
        "apiVersion": "kubelet.config.k8s.io/v1beta1",
        "kind": "KubeletConfiguration",
        "containerRuntimeEndpoint": f"unix://{CONTAINERD_SOCKET}",
        "cgroupDriver": "cgroupfs",  # no systemd here
        "failSwapOn": False,
        "port": KUBELET,
        "healthzPort": KUBELET_HEALTHZ,
        "healthzBindAddress": "127.0.0.1",
        "readOnlyPort": 0,
        # who may call the kubelet: certificates of the cluster CA (the API server), authorised by RBAC
        "authentication": {
            "anonymous": {"enabled": False},
            "webhook": {"enabled": True},
            "x509": {"clientCAFile": str(PKI / "ca.crt")},
        },
        "authorization": {"mode": "Webhook"},
        # pod logs under our home too (the kubelet still links each into /var/log/containers)
        "podLogsDir": str(LOGS / "pods"),
        "clusterDNS": [DNS_SERVICE_IP],
        "clusterDomain": CLUSTER_DOMAIN,
        "resolvConf": "/etc/resolv.conf",
        "evictionHard": {
            "memory.available": "200Mi",
            "nodefs.available": "2%",
            "imagefs.available": "2%",
        },
        # the images are imported, not pulled: never garbage-collect them
        "imageGCHighThresholdPercent": 100,
        "imageGCLowThresholdPercent": 99,
        "serializeImagePulls": False,
    }
    path = HOME / "kubelet.yaml"
    write(path, yaml.safe_dump(config, sort_keys=False))
    return path


def kube_proxy_config() -> Path:
    config = {
        "apiVersion": "kubeproxy.config.k8s.io/v1alpha1",
        "kind": "KubeProxyConfiguration",
        "clientConnection": {"kubeconfig": str(HOME / "kube-proxy.kubeconfig")},
        "mode": "iptables",
        "clusterCIDR": POD_CIDR,
        "hostnameOverride": NODE,
        "metricsBindAddress": f"127.0.0.1:{PROXY_METRICS}",
        "healthzBindAddress": f"127.0.0.1:{PROXY_HEALTHZ}",
        # leave the machine's conntrack table sizes as they are
        "conntrack": {"maxPerCore": 0, "min": 0},
    }
    path = HOME / "kube-proxy.yaml"
    write(path, yaml.safe_dump(config, sort_keys=False))
    return path


# ---- processes --------------------------------------------------------------------------------


def _pidfile(name: str) -> Path:
    return HOME / "run" / f"{name}.pid"


def running(name: str) -> int | None:
    path = _pidfile(name)
    if not path.exists():
        return None
    pid = int(path.read_text() or 0)
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):
        return None
    return pid


def start(name: str, argv: list[str], ready, timeout: float = 90) -> None:
    """Starts one component (unless it already runs) and waits until `ready()` holds."""
    if running(name):
        say(f"{name}: already running")
    else:
        LOGS.mkdir(parents=True, exist_ok=True)
        _pidfile(name).parent.mkdir(parents=True, exist_ok=True)
        with open(LOGS / f"{name}.log", "ab") as log:
            proc = subprocess.Popen(
                argv, stdout=log, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True
            )
        _pidfile(name).write_text(str(proc.pid))
        say(f"{name}: started (pid {proc.pid}, log {LOGS / (name + '.log')})")
    deadline = time.monotonic() + timeout
    while not ready():
        if not running(name):
            tail = (LOGS / f"{name}.log").read_text(errors="replace")[-3000:]
            raise SystemExit(f"k8s: {name} exited while starting:\n{tail}")
        if time.monotonic() > deadline:
            tail = (LOGS / f"{name}.log").read_text(errors="replace")[-3000:]
            raise SystemExit(f"k8s: {name} not ready after {timeout:.0f}s:\n{tail}")
        time.sleep(0.5)


def stop_process(name: str, grace_s: float = 20) -> None:
    pid = running(name)
    if pid is None:
        _pidfile(name).unlink(missing_ok=True)
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    while running(name) and time.monotonic() < deadline:
        time.sleep(0.2)
    if running(name):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
    _pidfile(name).unlink(missing_ok=True)
    say(f"{name}: stopped")


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.3)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _healthz(url: str, tls: bool = True) -> bool:
    context = ssl.create_default_context(cafile=str(PKI / "ca.crt")) if tls else None
    if context is not None:
        context.load_cert_chain(str(PKI / "admin.crt"), str(PKI / "admin.key"))
        context.check_hostname = False
        context.verify_mode = (
            ssl.CERT_NONE
        )  # the components' own serving certificates are self-signed
    try:
        with urllib.request.urlopen(url, timeout=3, context=context) as response:
            return response.status == 200
    except OSError:
        return False


def start_containerd() -> None:
    config = containerd_config()
    start(
        "containerd",
        ["containerd", "--config", str(config)],
        lambda: CONTAINERD_SOCKET.exists() and _ctr_ok(),
    )


def _ctr_ok() -> bool:
    return ctr("version", check=False, quiet=True).returncode == 0


def ctr(*args: str, check: bool = True, quiet: bool = False, **kw) -> subprocess.CompletedProcess:
    out = subprocess.DEVNULL if quiet else None
    return subprocess.run(
        ["ctr", "--address", str(CONTAINERD_SOCKET), "--namespace", "k8s.io", *args],
        check=check,
        stdout=kw.pop("stdout", out),
        stderr=kw.pop("stderr", out),
        **kw,
    )


def start_etcd() -> None:
    start(
        "etcd",
        [
            str(BIN / "etcd"),
            "--name",
            "giftflow",
            "--data-dir",
            str(HOME / "etcd"),
            "--listen-client-urls",
            f"http://127.0.0.1:{ETCD_CLIENT}",
            "--advertise-client-urls",
            f"http://127.0.0.1:{ETCD_CLIENT}",
            "--listen-peer-urls",
            f"http://127.0.0.1:{ETCD_PEER}",
            "--initial-advertise-peer-urls",
            f"http://127.0.0.1:{ETCD_PEER}",
            "--initial-cluster",
            f"giftflow=http://127.0.0.1:{ETCD_PEER}",
            "--listen-metrics-urls",
            "http://127.0.0.1:24381",
            "--quota-backend-bytes",
            str(2 * 1024**3),
        ],  # fmt: skip
        lambda: _healthz(f"http://127.0.0.1:{ETCD_CLIENT}/health", tls=False),
    )


def start_apiserver(ip: str) -> None:
    start(
        "kube-apiserver",
        [
            str(BIN / "kube-apiserver"),
            f"--etcd-servers=http://127.0.0.1:{ETCD_CLIENT}",
            f"--secure-port={APISERVER}",
            f"--advertise-address={ip}",
            f"--service-cluster-ip-range={SERVICE_CIDR}",
            f"--client-ca-file={PKI / 'ca.crt'}",
            f"--tls-cert-file={PKI / 'apiserver.crt'}",
            f"--tls-private-key-file={PKI / 'apiserver.key'}",
            f"--kubelet-client-certificate={PKI / 'apiserver-kubelet-client.crt'}",
            f"--kubelet-client-key={PKI / 'apiserver-kubelet-client.key'}",
            f"--service-account-key-file={PKI / 'sa.pub'}",
            f"--service-account-signing-key-file={PKI / 'sa.key'}",
            f"--service-account-issuer=https://kubernetes.default.svc.{CLUSTER_DOMAIN}",
            "--authorization-mode=Node,RBAC",
            "--enable-admission-plugins=NodeRestriction",
            "--allow-privileged=true",
            # the node's name is not in any DNS: reach the kubelet (logs, exec, port-forward) by address
            "--kubelet-preferred-address-types=InternalIP",
            "--profiling=false",
        ],
        lambda: _healthz(f"https://127.0.0.1:{APISERVER}/readyz"),
        timeout=120,
    )


def start_controller_manager() -> None:
    config = str(HOME / "controller-manager.kubeconfig")
    start(
        "kube-controller-manager",
        [
            str(BIN / "kube-controller-manager"),
            f"--kubeconfig={config}",
            f"--authentication-kubeconfig={config}",
            f"--authorization-kubeconfig={config}",
            f"--secure-port={CONTROLLER_MANAGER}",
            "--bind-address=127.0.0.1",
            "--leader-elect=false",
            "--use-service-account-credentials=true",
            f"--service-account-private-key-file={PKI / 'sa.key'}",
            f"--root-ca-file={PKI / 'ca.crt'}",
            f"--cluster-signing-cert-file={PKI / 'ca.crt'}",
            f"--cluster-signing-key-file={PKI / 'ca.key'}",
            f"--service-cluster-ip-range={SERVICE_CIDR}",
            "--profiling=false",
        ],
        lambda: _healthz(f"https://127.0.0.1:{CONTROLLER_MANAGER}/healthz"),
    )


def start_scheduler() -> None:
    config = str(HOME / "scheduler.kubeconfig")
    start(
        "kube-scheduler",
        [
            str(BIN / "kube-scheduler"),
            f"--kubeconfig={config}",
            f"--authentication-kubeconfig={config}",
            f"--authorization-kubeconfig={config}",
            f"--secure-port={SCHEDULER}",
            "--bind-address=127.0.0.1",
            "--leader-elect=false",
            "--profiling=false",
        ],
        lambda: _healthz(f"https://127.0.0.1:{SCHEDULER}/healthz"),
    )


def start_kubelet(ip: str) -> None:
    start(
        "kubelet",
        [
            str(BIN / "kubelet"),
            f"--config={kubelet_config()}",
            f"--kubeconfig={HOME / 'kubelet.kubeconfig'}",
            f"--root-dir={HOME / 'kubelet'}",
            f"--cert-dir={HOME / 'kubelet' / 'pki'}",
            f"--hostname-override={NODE}",
            f"--node-ip={ip}",
        ],
        lambda: _healthz(f"http://127.0.0.1:{KUBELET_HEALTHZ}/healthz", tls=False),
    )


def start_kube_proxy() -> None:
    start(
        "kube-proxy",
        [str(BIN / "kube-proxy"), f"--config={kube_proxy_config()}"],
        lambda: _healthz(f"http://127.0.0.1:{PROXY_HEALTHZ}/healthz", tls=False),
    )


def kernel_settings() -> None:
    """What a node needs of the kernel: forwarding, and bridged pod traffic seen by iptables (the
    Services' rules). Both are usually on already where podman runs."""
    for key in ("net/ipv4/ip_forward", "net/bridge/bridge-nf-call-iptables"):
        path = Path("/proc/sys") / key
        if path.exists() and path.read_text().strip() != "1":
            path.write_text("1\n")


def crictl(*args: str, check: bool = False) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "crictl"), "--runtime-endpoint", f"unix://{CONTAINERD_SOCKET}", *args],
        check=check,
        capture_output=True,
        text=True,
        timeout=300,
    )


def unmount_under(path: Path) -> None:
    """Unmounts whatever is mounted below `path` (the kubelet's volumes), deepest first."""
    prefix = str(path) + "/"
    mounts = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        point = line.split()[4].replace("\\040", " ")
        if point.startswith(prefix) or point == str(path):
            mounts.append(point)
    for point in sorted(set(mounts), key=len, reverse=True):
        subprocess.run(["umount", "-l", point], check=False, capture_output=True)


def remove_bridge() -> None:
    subprocess.run(["ip", "link", "delete", BRIDGE], check=False, capture_output=True)


def remove_iptables_chains() -> None:
    """The chains the kubelet keeps in every table (KUBE-FIREWALL, the canaries) and whatever of
    kube-proxy's `--cleanup` left: the jumps to them from the built-in chains, then the chains."""
    for tool in ("iptables", "ip6tables"):
        for table in ("filter", "nat", "mangle"):
            listed = subprocess.run(
                [tool, "-w", "-t", table, "-S"], capture_output=True, text=True, check=False
            ).stdout.splitlines()
            chains = [line.split()[1] for line in listed if line.startswith("-N KUBE-")]
            for line in listed:
                words = line.split()
                if words[:1] == ["-A"] and not words[1].startswith("KUBE-") and "KUBE-" in line:
                    subprocess.run([tool, "-w", "-t", table, "-D", *words[1:]], check=False)
            for verb in ("-F", "-X"):
                for chain in chains:
                    subprocess.run(
                        [tool, "-w", "-t", table, verb, chain], check=False, capture_output=True
                    )


def remove_log_links() -> None:
    """The kubelet's links in /var/log/containers to our pods' logs."""
    links = Path("/var/log/containers")
    if links.is_dir():
        for link in links.iterdir():
            if link.is_symlink() and os.readlink(link).startswith(str(LOGS)):
                link.unlink()
