"""Starting and stopping the local stack's processes, each tracked by a pid file.

Order matters: Postgres and Kafka first, then each service and its sidecar; on the way down,
services and sidecars before Kafka, Kafka before Postgres.
"""

import asyncio
import base64
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx

from scripts.stack import mailcatcher
from scripts.stack.topology import BIN, DATABASE, KAFKA_LIBS, ROOT, SERVICES, VENV_PYTHON, Topology

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
UNPRIVILEGED_USER = "postgres"  # Postgres refuses to run as root
# The gateway serves every REST call: one process per core. Its outbox relay runs in each worker, which
# is safe (they take turns under an advisory lock, see shared.relay). Their metrics are added up into one
# /metrics (PROMETHEUS_MULTIPROC_DIR, shared/metrics.py).
WORKERS = {"gateway": 2}
# each process's log is rotated by size (scripts/stack/logpipe.py): NAME.log and up to this many older ones
LOG_MAX_BYTES = int(os.environ.get("GIFTFLOW_LOG_MAX_BYTES", str(20 * 1024 * 1024)))
LOG_BACKUPS = int(os.environ.get("GIFTFLOW_LOG_BACKUPS", "3"))


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _wait(
    what: str, ready, timeout: float, proc: subprocess.Popen | None = None, log: Path | None = None
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        if proc is not None and proc.poll() is not None:
            tail = log.read_text()[-3000:] if log and log.exists() else ""
            raise RuntimeError(f"{what} exited with {proc.returncode} while starting:\n{tail}")
        time.sleep(0.1)
    tail = log.read_text()[-3000:] if log and log.exists() else ""
    raise RuntimeError(f"{what} was not ready after {timeout:.0f}s:\n{tail}")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie child still answers kill(0); reap it if it is ours
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
        return done == 0
    except ChildProcessError:
        return True


def _running(pid: int) -> bool:
    """Alive and not a zombie: a process whose parent died is a zombie until init reaps it, and some
    inits (a sandbox's, a container's) never do."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def uvicorn_argv(app: str, port: int, workers: int = 1) -> list[str]:
    """How every giftflow app (and a benchmark's stand-in for one) is served."""
    return [
        str(VENV_PYTHON),
        "-m",
        "uvicorn",
        app,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
        # the services read X-Forwarded-* themselves, from TRUSTED_PROXIES only (shared/forwarded.py)
        "--no-proxy-headers",
        "--timeout-graceful-shutdown",
        "5",
        # an idle connection outlives its client's (or proxy's) idea of it: closing it at
        # uvicorn's default 5 s races a request sent on it just then (a reset, not an answer)
        "--timeout-keep-alive",
        "75",
        *(["--workers", str(workers)] if workers > 1 else []),
    ]


class Stack:
    def __init__(self, topology: Topology) -> None:
        self.t = topology
        self.pids = topology.dir / "pids"
        self.logs = topology.dir / "logs"
        self.procs: dict[str, subprocess.Popen] = {}

    # generic process handling ---------------------------------------------------------------
    def _spawn(
        self,
        name: str,
        args: list[str],
        env: dict[str, str] | None = None,
        user: str | None = None,
        cwd: Path = ROOT,
    ) -> subprocess.Popen:
        self.pids.mkdir(parents=True, exist_ok=True)
        self.logs.mkdir(parents=True, exist_ok=True)
        if user and os.geteuid() == 0:
            args = ["runuser", "-u", user, "--", *args]
        # the process writes into a pipe; its log pipe keeps NAME.log under LOG_MAX_BYTES, with LOG_BACKUPS
        # older files beside it, and ends by itself once the process (and all it forked) is gone
        log = subprocess.Popen(
            [
                str(VENV_PYTHON),
                "-m",
                "scripts.stack.logpipe",
                str(self.log_path(name)),
                str(LOG_MAX_BYTES),
                str(LOG_BACKUPS),
            ],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            proc = subprocess.Popen(
                args,
                cwd=cwd,
                env={**os.environ, **(env or {})},
                stdout=log.stdin,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        finally:
            log.stdin.close()  # the process holds the only writing end now
        self.procs[name] = proc
        (self.pids / f"{name}.pid").write_text(str(proc.pid))
        return proc

    def pid_of(self, name: str) -> int | None:
        path = self.pids / f"{name}.pid"
        if not path.exists():
            return None
        pid = int(path.read_text())
        return pid if _pid_alive(pid) else None

    def stop(self, name: str, sig: int = signal.SIGTERM, timeout: float = 20) -> None:
        """Stop one process by its pid (its whole process group); SIGKILL if it does not go in time."""
        pid = self.pid_of(name)
        if pid is not None:
            try:
                os.killpg(pid, sig)
            except ProcessLookupError:
                pass
            deadline = time.monotonic() + timeout
            while _pid_alive(pid) and time.monotonic() < deadline:
                time.sleep(0.05)
            if _pid_alive(pid):
                os.killpg(pid, signal.SIGKILL)
                while _pid_alive(pid):
                    time.sleep(0.05)
        self.procs.pop(name, None)
        (self.pids / f"{name}.pid").unlink(missing_ok=True)

    def kill(self, name: str) -> None:
        """As a crash would: no chance to clean up."""
        self.stop(name, sig=signal.SIGKILL)

    def log_path(self, name: str) -> Path:
        return self.logs / f"{name}.log"

    # Postgres ---------------------------------------------------------------------------------
    def start_postgres(self) -> None:
        if self.pid_of("postgres"):
            return
        data = self.t.dir / "postgres"
        run = self.t.dir / "pgrun"
        run.mkdir(parents=True, exist_ok=True)
        self._forget_crashed_postmaster(
            data / "postmaster.pid", run / f".s.PGSQL.{self.t.postgres_port}.lock"
        )
        if not (data / "PG_VERSION").exists():
            data.mkdir(parents=True, exist_ok=True)
            pwfile = self.t.dir / "pgpass.tmp"
            pwfile.write_text(self.t.secrets["ADMIN_DB_PASSWORD"] + "\n")
            self._chown(data, run, pwfile)
            subprocess.run(
                self._as_postgres(
                    [
                        str(PG_BIN / "initdb"),
                        "-D",
                        str(data),
                        "-U",
                        "postgres",
                        "--pwfile",
                        str(pwfile),
                        "--auth-local=trust",
                        "--auth-host=scram-sha-256",
                        "-E",
                        "UTF8",
                        "--no-sync",
                    ]
                ),
                check=True,
                stdout=subprocess.DEVNULL,
            )
            pwfile.unlink()
        self._chown(run)
        proc = self._spawn(
            "postgres",
            [
                str(PG_BIN / "postgres"),
                "-D",
                str(data),
                "-p",
                str(self.t.postgres_port),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                f"unix_socket_directories={run}",
                "-c",
                "max_connections=300",
                "-c",
                "shared_buffers=256MB",
                # a commit is acknowledged only once it is on disk: a crash loses nothing a client or Dapr was told
                "-c",
                "synchronous_commit=on",
                "-c",
                "fsync=on",
            ],
            user=UNPRIVILEGED_USER,
        )
        _wait(
            "postgres",
            lambda: _port_open(self.t.postgres_port),
            60,
            proc,
            self.log_path("postgres"),
        )

    def crash_postgres(self) -> None:
        """SIGKILL the whole server at once, as a crash would: the postmaster and every process it
        forked (each in a session of its own, so killing the process group would miss them)."""
        postmaster = self._lock_holder(self.t.dir / "postgres" / "postmaster.pid")
        if postmaster is not None:
            for pid in [postmaster, *_children(postmaster)]:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        self.kill("postgres")

    @staticmethod
    def _lock_holder(lock: Path) -> int | None:
        try:
            return int(lock.read_text().split("\n", 1)[0])
        except (FileNotFoundError, ValueError):
            return None

    def _forget_crashed_postmaster(self, *locks: Path) -> None:
        """A server that was killed leaves its lock files behind; Postgres itself ignores them once
        that process is gone, but not while it lingers as a zombie nobody reaps."""
        for lock in locks:
            pid = self._lock_holder(lock)
            if pid is not None and not _running(pid):
                lock.unlink(missing_ok=True)

    def _as_postgres(self, args: list[str]) -> list[str]:
        return ["runuser", "-u", UNPRIVILEGED_USER, "--", *args] if os.geteuid() == 0 else args

    def _chown(self, *paths: Path) -> None:
        if os.geteuid() == 0:
            subprocess.run(["chown", "-R", f"{UNPRIVILEGED_USER}:", *map(str, paths)], check=True)

    def migrate(self, database: str = DATABASE) -> None:
        """Roles, schemas and every service's migrations, in `database` (created if missing)."""
        env = {**os.environ, **self.t.migration_env(database)}
        subprocess.run(
            [str(VENV_PYTHON), "-m", "shared.migrate", "all"],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )

    # Kafka ------------------------------------------------------------------------------------
    def start_kafka(self, wait: bool = True) -> Callable[[], None]:
        if self.pid_of("kafka"):
            return lambda: None
        data = self.t.dir / "kafka"
        config = self.t.dir / "kafka.properties"
        self.t.dir.mkdir(parents=True, exist_ok=True)
        config.write_text(f"""
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:{self.t.kafka_controller_port}
listeners=PLAINTEXT://127.0.0.1:{self.t.kafka_port},CONTROLLER://127.0.0.1:{self.t.kafka_controller_port}
advertised.listeners=PLAINTEXT://127.0.0.1:{self.t.kafka_port}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs={data}
num.partitions=1
auto.create.topics.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
log.retention.hours=168
""")
        java = [
            "java",
            "-Xms256m",
            "-Xmx768m",
            "-XX:+UseG1GC",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={ROOT / 'scripts/stack/kafka-log4j2.properties'}",
            f"-Dkafka.logs.dir={self.logs}",
            "-cp",
            f"{KAFKA_LIBS}/*",
        ]
        if not (data / "meta.properties").exists():
            cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
            subprocess.run(
                [
                    *java,
                    "kafka.tools.StorageTool",
                    "format",
                    f"--cluster-id={cluster_id}",
                    "-c",
                    str(config),
                ],
                check=True,
                stdout=subprocess.DEVNULL,
            )
        proc = self._spawn("kafka", [*java, "kafka.Kafka", str(config)])
        return self._waiter(wait, "kafka", lambda: _port_open(self.t.kafka_port), 90, proc)

    def start_kafka_exporter(self, interval_s: float = 5) -> None:
        """Consumer lag and topic offsets under the names Strimzi's Kafka exporter uses in a cluster."""
        if self.pid_of("kafka-exporter"):
            return
        port = self.t.kafka_exporter_port
        proc = self._spawn(
            "kafka-exporter",
            [
                str(VENV_PYTHON),
                "-m",
                "scripts.stack.kafka_exporter",
                self.t.kafka_bootstrap,
                str(port),
                str(interval_s),
            ],
        )
        _wait("kafka-exporter", lambda: _port_open(port), 30, proc, self.log_path("kafka-exporter"))

    def create_topics(self) -> None:
        from scripts.stack.topics import ensure_topics

        asyncio.run(ensure_topics(self.t.kafka_bootstrap, self.t.partitions))

    # services and sidecars ----------------------------------------------------------------------
    @staticmethod
    def app_name(service: str, replica: int = 0) -> str:
        return f"app-{service}" + (f"-{replica}" if replica else "")

    @staticmethod
    def sidecar_name(service: str, replica: int = 0) -> str:
        return f"daprd-{service}" + (f"-{replica}" if replica else "")

    def _workers(self, service: str) -> int:
        if service != "gateway":
            return WORKERS.get(service, 1)
        # behind the balancer, the instances are the gateway's processes: one worker each unless told
        return self.t.gateway_workers or (1 if self.t.balanced else WORKERS["gateway"])

    def start_app(
        self,
        service: str,
        extra_env: dict[str, str] | None = None,
        name: str | None = None,
        port: int | None = None,
        wait: bool = True,
        workers: int | None = None,
        replica: int = 0,
        cwd: Path = ROOT,
        within_s: float | None = None,
    ) -> Callable[[], None]:
        """Start a service (unless running); returns the wait for it, already done if `wait`.
        `cwd` is the checkout whose code it runs (another build of it, for a rolling upgrade);
        `within_s` how long it may take to open its port."""
        name = name or self.app_name(service, replica)
        port = port or self.t.app_port(service, replica)
        if self.pid_of(name):
            return lambda: None
        workers = workers or self._workers(service)
        metrics_env = {}
        if workers > 1:  # one /metrics for all of them (shared/metrics.py), begun afresh each start
            metrics_dir = self.t.dir / "metrics" / name
            shutil.rmtree(metrics_dir, ignore_errors=True)
            metrics_dir.mkdir(parents=True)
            metrics_env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
        proc = self._spawn(
            name,
            uvicorn_argv(f"services.{service}.main:app", port, workers),
            env={**self.t.service_env(service, replica), **metrics_env, **(extra_env or {})},
            cwd=cwd,
        )
        # several workers import the app side by side, and the port opens only once one of them has
        within_s = within_s or (60 if workers == 1 else 180)
        return self._waiter(wait, name, lambda: _port_open(port), within_s, proc)

    def _waiter(self, now: bool, name: str, ready, timeout: float, proc) -> Callable[[], None]:
        def wait() -> None:
            _wait(name, ready, timeout, proc, self.log_path(name))

        if now:
            wait()
        return wait

    def start_sidecar(
        self,
        service: str,
        wait: bool = True,
        resiliency: Path | None = None,
        config: Path | None = None,
        replica: int = 0,
    ) -> Callable[[], None]:
        """Start a service's daprd (unless running); `resiliency` is a folder in place of dapr/resiliency,
        `config` a Configuration file in place of the service's own (see sidecar_config).

        A consumer's replica has a daprd of its own under the same app id: one consumer group. The
        gateway's instances share one, whose app channel is the balancer's port."""
        name = self.sidecar_name(service, replica)
        if self.pid_of(name):
            return lambda: None
        dapr = ROOT / "dapr"
        proc = self._spawn(
            name,
            [
                str(BIN / "daprd"),
                "--app-id",
                service,
                "--app-port",
                str(self.t.app_port(service, replica)),
                "--app-protocol",
                "http",
                "--app-channel-address",
                "127.0.0.1",
                "--dapr-listen-addresses",
                "127.0.0.1",
                "--dapr-http-port",
                str(self.t.dapr_http_port(service, replica)),
                "--dapr-grpc-port",
                str(self.t.dapr_grpc_port(service, replica)),
                "--dapr-internal-grpc-port",
                str(self.t.dapr_internal_port(service, replica)),
                "--metrics-port",
                str(self.t.dapr_metrics_port(service, replica)),
                "--resources-path",
                str(dapr / "components"),
                "--resources-path",
                str(dapr / "subscriptions"),
                "--resources-path",
                str(resiliency or dapr / "resiliency"),
                "--config",
                str(config or self.sidecar_config(service)),
                # deliveries pause while the app cannot write to its database (shared/health.py)
                "--enable-app-health-check",
                "--app-health-check-path",
                "/healthz/database",
                "--app-health-probe-interval",
                "1",
                "--app-health-probe-timeout",
                "1000",
                "--app-health-threshold",
                "2",
                "--placement-host-address",
                "",
                "--scheduler-host-address",
                "",
                "--log-level",
                "warn",
                "--log-as-json",
            ],
            env=self.t.sidecar_env(),
        )
        return self._waiter(wait, name, lambda: self._sidecar_healthy(service, replica), 60, proc)

    def short_retry_resiliency(self, max_retries: int, max_interval: str) -> Path:
        """dapr/resiliency with fewer, shorter event-delivery retries, for tests that must outlast the
        retry window without waiting minutes; the folder to pass to start_sidecar."""
        import yaml

        resiliency = yaml.safe_load((ROOT / "dapr" / "resiliency" / "resiliency.yaml").read_text())
        resiliency["spec"]["policies"]["retries"]["eventDelivery"].update(
            maxRetries=max_retries, maxInterval=max_interval
        )
        folder = self.t.dir / "resiliency-short-retries"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "resiliency.yaml").write_text(yaml.safe_dump(resiliency, sort_keys=False))
        return folder

    def sidecar_config(self, service: str) -> Path:
        """The service's dapr/config/<service>.yaml plus name resolution for this stack alone.

        daprd's default, mDNS, works here but is machine-wide: every stack on the machine announces an
        app called `gateway`, and service invocation would reach any of them. Instead the sidecars of
        this stack find each other by a fixed table of this stack's ports, through the stable
        `kubernetes` resolver's address template (it only formats the address; no cluster is asked).
        Kubernetes itself keeps its default resolver: k8s/dapr/config.yaml does not set one.
        """
        import yaml

        config = yaml.safe_load((ROOT / "dapr" / "config" / f"{service}.yaml").read_text())
        ports = "".join(
            f'{"if" if i == 0 else "else if"} eq .ID "{s}"}}}}{self.t.dapr_internal_port(s)}{{{{'
            for i, s in enumerate(SERVICES)
        )
        config["spec"]["nameResolution"] = {
            "component": "kubernetes",
            "configuration": {"template": "127.0.0.1:{{" + ports + "else}}0{{end}}"},
        }
        path = self.t.dir / f"dapr-config-{service}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(config, sort_keys=False))
        return path

    def _sidecar_healthy(self, service: str, replica: int = 0) -> bool:
        try:
            url = f"{self.t.dapr_url(service, replica)}/v1.0/healthz"
            return httpx.get(url, timeout=0.5).status_code == 204
        except httpx.HTTPError:
            return False

    def wait_ready(self, service: str, timeout: float = 60, replica: int = 0) -> None:
        def ready() -> bool:
            try:
                url = f"{self.t.app_url(service, replica)}/readyz"
                return httpx.get(url, timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        name = self.app_name(service, replica)
        _wait(f"{name} readiness", ready, timeout, None, self.log_path(name))

    # the balancer in front of the gateway's instances ---------------------------------------------
    def start_balancer(self) -> None:
        """haproxy on the gateway's port over its instances, and over the notification replicas
        (scripts/stack/balancer.py)."""
        from scripts.stack import balancer

        if self.pid_of("balancer"):
            return
        binary = balancer.haproxy_binary()
        if binary is None:
            raise RuntimeError(
                "several gateway instances need haproxy as their balancer: `make install` installs it"
            )
        config = balancer.write_config(self.t)
        balancer.socket_path(self.t).unlink(missing_ok=True)
        proc = self._spawn("balancer", [binary, "-db", "-f", str(config)])
        port = self.t.app_port("gateway") if self.t.balanced else self.t.notification_balancer_port
        _wait(
            "balancer",
            lambda: _port_open(port) and balancer.socket_path(self.t).exists(),
            30,
            proc,
            self.log_path("balancer"),
        )

    # Prometheus ----------------------------------------------------------------------------------
    def start_prometheus(self, interval: str = "5s", rules: dict | None = None) -> bool:
        """Prometheus over this stack with the shipped alert rules (or `rules`, a rule file's content),
        its data in the stack's folder; False if it is not installed (`make install` installs it)."""
        from scripts.stack.prometheus import write_config

        binary = shutil.which("prometheus") or "/usr/bin/prometheus"
        if not Path(binary).exists():
            return False
        if self.pid_of("prometheus"):
            return True
        self.start_kafka_exporter()
        config = write_config(self.t, interval, rules)
        proc = self._spawn(
            "prometheus",
            [
                binary,
                f"--config.file={config}",
                f"--storage.tsdb.path={self.t.dir / 'prometheus'}",
                "--storage.tsdb.retention.time=7d",
                f"--web.listen-address=127.0.0.1:{self.t.prometheus_port}",
                "--log.level=warn",
            ],
        )
        _wait("prometheus", self._prometheus_ready, 60, proc, self.log_path("prometheus"))
        return True

    def _prometheus_ready(self) -> bool:
        try:
            return httpx.get(f"{self.t.prometheus_url}/-/ready", timeout=0.5).status_code == 200
        except httpx.HTTPError:
            return False

    # the whole stack --------------------------------------------------------------------------
    def up(self, say=print) -> None:
        t0 = time.monotonic()
        say(f"starting postgres on :{self.t.postgres_port} and kafka on :{self.t.kafka_port}")
        kafka_ready = self.start_kafka(wait=False)  # the JVM starts while Postgres is migrated
        self.start_postgres()
        self.migrate()
        kafka_ready()
        self.create_topics()
        say(
            "starting "
            + ", ".join(f"{s} :{self.t.app_port(s)}" for s in SERVICES)
            + f" (sidecars :{self.t.dapr_http_port(SERVICES[0])}…)"
            + (
                f"; {self.t.gateway_instances} gateway instances behind a balancer"
                if self.t.balanced
                else ""
            )
            + (
                f"; {self.t.consumer_replicas} replicas of each consumer"
                if self.t.consumer_replicas > 1
                else ""
            )
        )
        mailcatcher.start(self)  # where the notification service's mail goes (README: "Mail")
        copies = [(s, r) for s in SERVICES for r in self.t.replicas(s)]
        for wait in [self.start_app(s, wait=False, replica=r) for s, r in copies]:
            wait()
        if self.t.balanced or self.t.notification_balanced:
            self.start_balancer()
        sidecars = [(s, r) for s, r in copies if s != "gateway"] + [("gateway", 0)]
        for wait in [self.start_sidecar(s, wait=False, replica=r) for s, r in sidecars]:
            wait()
        for service, replica in copies:
            self.wait_ready(service, replica=replica)
        if self.t.balanced:
            self.wait_ready("gateway")  # through the balancer
        if not self.start_prometheus():
            say(
                "prometheus is not installed, so nothing scrapes the stack: `make install` installs it"
            )
        say(f"stack '{self.t.name}' up in {time.monotonic() - t0:.1f}s")

    def wipe(self) -> None:
        """Forget all data of this stack (its secrets stay): the next start begins empty."""
        import shutil

        for part in ("postgres", "kafka", "pgrun", "prometheus"):
            shutil.rmtree(self.t.dir / part, ignore_errors=True)

    def down(self, say=print) -> None:
        """Stop whatever this stack's pid files name: services and sidecars together, then Kafka,
        then Postgres."""
        names = [p.stem for p in self.pids.glob("*.pid")] if self.pids.exists() else []
        rank = {"kafka": 1, "postgres": 2}
        for level in sorted({rank.get(n, 0) for n in names}):
            group = sorted(n for n in names if rank.get(n, 0) == level)
            say("stopping " + ", ".join(group))
            for name in group:  # signal the whole group first, so they wind down side by side
                pid = self.pid_of(name)
                if pid:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(pid, signal.SIGTERM)
            for name in group:
                self.stop(name)
