"""Where everything of one local stack lives: ports, folders, environment of each process.

Ports are offsets from one base so two stacks (`make run` on 8000, the tests on 18000) can
run side by side on one machine.

A stack may run several copies of a service (`replicas`): copy 0 keeps the service's own ports and
process names, copy r > 0 gets ports from the slots at base + 500 + 10·r and names ending in `-r`.
Gateway instances sit behind a balancer (scripts/stack/balancer.py) that takes the gateway's public port;
each consumer replica is an app with its own daprd under the same app id, so Kafka's consumer group shares
the topics' partitions between them.
"""

import os
import secrets
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from scripts.stack.mailcatcher import notification_env

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".stack"
BIN = CACHE / "bin"
KAFKA_LIBS = CACHE / "kafka" / "libs"
VENV_PYTHON = Path(os.environ.get("UV_PROJECT_ENVIRONMENT", CACHE / "venv")) / "bin" / "python"

MAX_COPIES = 8  # of one service: the port slots hold 9
SERVICES = ("gateway", "notification", "reminder", "recurring", "audit")
CONSUMERS = SERVICES[1:]
DATABASE = "giftflow"


@dataclass(frozen=True)
class Topology:
    name: str  # "run" or "test": the folder under .stack/ and the stack's identity
    base_port: int
    # gateway processes behind the balancer; at 1 there is no balancer and the gateway serves its port
    gateway_instances: int = 1
    consumer_replicas: int = 1  # of each consumer, each with its own daprd
    # uvicorn workers in each gateway process (None: processes.WORKERS' default)
    gateway_workers: int | None = None

    def __post_init__(self) -> None:
        if not (
            1 <= self.gateway_instances <= MAX_COPIES and 1 <= self.consumer_replicas <= MAX_COPIES
        ):
            raise ValueError(f"from 1 to {MAX_COPIES} gateway instances and consumer replicas")

    @property
    def balanced(self) -> bool:
        """Whether the gateway's port belongs to the balancer, with the gateway's instances behind it."""
        return self.gateway_instances > 1

    @property
    def notification_balanced(self) -> bool:
        """Whether the gateway reaches the notification replicas through the balancer (as through a
        Service in a cluster), so a stream or a notification call finds whichever replica is up."""
        return self.consumer_replicas > 1

    def replicas(self, service: str) -> range:
        """The copies of a service this stack runs: their numbers, for the `replica` arguments below.
        The gateway's instances behind a balancer are 1..n (0 is the balancer's port)."""
        if service == "gateway":
            return range(1, self.gateway_instances + 1) if self.balanced else range(1)
        return range(self.consumer_replicas)

    @property
    def partitions(self) -> int:
        """Partitions of each aggregate's topic: enough for every consumer replica to have a share."""
        return max(int(os.environ.get("KAFKA_PARTITIONS", "1")), self.consumer_replicas)

    @property
    def dir(self) -> Path:
        return CACHE / self.name

    # ports -------------------------------------------------------------------------------
    def _port(self, offset: int, service: str, replica: int) -> int:
        if replica == 0:
            return self.base_port + offset + SERVICES.index(service)
        # copies: app at +500, daprd's http, grpc, metrics and internal ports at +600..+900
        return self.base_port + 500 + offset + 10 * replica + SERVICES.index(service)

    def app_port(self, service: str, replica: int = 0) -> int:
        return self._port(0, service, replica)

    def dapr_http_port(self, service: str, replica: int = 0) -> int:
        return self._port(100, service, replica)

    def dapr_grpc_port(self, service: str, replica: int = 0) -> int:
        return self._port(200, service, replica)

    def dapr_metrics_port(self, service: str, replica: int = 0) -> int:
        return self._port(300, service, replica)

    def dapr_internal_port(self, service: str, replica: int = 0) -> int:
        return self._port(400, service, replica)

    @property
    def postgres_port(self) -> int:
        return self.base_port + 432

    @property
    def kafka_port(self) -> int:
        return self.base_port + 92

    @property
    def kafka_controller_port(self) -> int:
        return self.base_port + 93

    @property
    def prometheus_port(self) -> int:
        return self.base_port + 90

    @property
    def kafka_exporter_port(self) -> int:
        return self.base_port + 91

    @property
    def notification_balancer_port(self) -> int:
        return self.base_port + 94

    # addresses ---------------------------------------------------------------------------
    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.app_port('gateway')}"

    def app_url(self, service: str, replica: int = 0) -> str:
        return f"http://127.0.0.1:{self.app_port(service, replica)}"

    def dapr_url(self, service: str, replica: int = 0) -> str:
        return f"http://127.0.0.1:{self.dapr_http_port(service, replica)}"

    @property
    def prometheus_url(self) -> str:
        return f"http://127.0.0.1:{self.prometheus_port}"

    @property
    def kafka_bootstrap(self) -> str:
        return f"127.0.0.1:{self.kafka_port}"

    @property
    def admin_dsn(self) -> str:
        return f"postgresql://postgres:{self.secrets['ADMIN_DB_PASSWORD']}@127.0.0.1:{self.postgres_port}/postgres"

    def database_dsn(self, database: str = DATABASE) -> str:
        """Superuser DSN of a giftflow database: for tests and benchmarks that look across schemas."""
        return self.admin_dsn.rsplit("/", 1)[0] + f"/{database}"

    def service_database_url(self, service: str, database: str = DATABASE) -> str:
        password = self.secrets[f"{service.upper()}_DB_PASSWORD"]
        return (
            f"postgresql+asyncpg://{service}:{password}@127.0.0.1:{self.postgres_port}/{database}"
        )

    # secrets: made once per stack folder, random, never committed --------------------------
    @cached_property
    def secrets(self) -> dict[str, str]:
        path = self.dir / "secrets.env"
        if not path.exists():
            self.dir.mkdir(parents=True, exist_ok=True)
            names = ["ADMIN_DB_PASSWORD", "DAPR_API_TOKEN", "APP_API_TOKEN", "JWT_SECRET"]
            names += [f"{s.upper()}_DB_PASSWORD" for s in SERVICES]
            path.write_text("".join(f"{n}={secrets.token_urlsafe(24)}\n" for n in names))
            path.chmod(0o600)
        return dict(line.split("=", 1) for line in path.read_text().split())

    # process environments -------------------------------------------------------------------
    def service_env(self, service: str, replica: int = 0) -> dict[str, str]:
        # the gateway's instances share one sidecar, whose app channel is the balancer (processes.py)
        sidecar = 0 if service == "gateway" else replica
        return {
            "SERVICE_NAME": service,
            "DATABASE_URL": self.service_database_url(service),
            "DAPR_HTTP_ENDPOINT": self.dapr_url(service, sidecar),
            "DAPR_API_TOKEN": self.secrets["DAPR_API_TOKEN"],
            "APP_API_TOKEN": self.secrets["APP_API_TOKEN"],
            "JWT_SECRET": self.secrets["JWT_SECRET"],
            "NOTIFICATION_URL": (
                f"http://127.0.0.1:{self.notification_balancer_port}"
                if self.notification_balanced
                else self.app_url("notification")
            ),
            "PYTHONUNBUFFERED": "1",
            **(self.behind_gateway_env() if service == "notification" else {}),
            **(self.test_gateway_env() if service == "gateway" and self.name != "run" else {}),
            **(
                notification_env(self.base_port, self.gateway_url)
                if service == "notification"
                else {}
            ),
        }

    def test_gateway_env(self) -> dict[str, str]:
        """A test stack's gateway wraps up occasions (services/gateway/wrap_up.py) every second, so a test
        waits for the history a moment, not the production interval."""
        return {"WRAP_UP_INTERVAL_S": "1"}

    def behind_gateway_env(self) -> dict[str, str]:
        """A service the gateway passes browsers' requests on to: the gateway (on loopback) is its trusted
        proxy, and the browser's Origin is the gateway's (shared/origin.py)."""
        port = self.app_port("gateway")
        return {
            "TRUSTED_PROXIES": '["127.0.0.0/8", "::1"]',
            "ALLOWED_ORIGINS": f'["http://127.0.0.1:{port}", "http://localhost:{port}"]',
        }

    def sidecar_env(self) -> dict[str, str]:
        return {
            "DAPR_API_TOKEN": self.secrets["DAPR_API_TOKEN"],
            "APP_API_TOKEN": self.secrets["APP_API_TOKEN"],
            "KAFKA_BROKERS": self.kafka_bootstrap,
        }

    def migration_env(self, database: str = DATABASE) -> dict[str, str]:
        env = {"ADMIN_DATABASE_URL": self.admin_dsn, "DATABASE_NAME": database}
        for service in SERVICES:
            env[f"{service.upper()}_DB_PASSWORD"] = self.secrets[f"{service.upper()}_DB_PASSWORD"]
            env[f"{service.upper()}_DATABASE_URL"] = self.service_database_url(service, database)
        return env


RUN = Topology("run", int(os.environ.get("GIFTFLOW_PORT_BASE", "8000")))
# the tests' own stack; another name and base let several test runs share one machine
TEST = Topology(
    os.environ.get("GIFTFLOW_TEST_STACK", "test"),
    int(os.environ.get("GIFTFLOW_TEST_PORT_BASE", "18000")),
)
