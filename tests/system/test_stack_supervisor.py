"""The local stack's supervisor (`python -m scripts.stack run`) as a developer meets it from two shells:
a second `run` refuses while one is running and leaves it alone; `stop` from another shell brings the
running one down and frees every port it held.

It starts a whole stack of its own beside the tests' stack (one start for the whole test)."""

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from scripts.stack.processes import Stack
from scripts.stack.topology import ROOT, SERVICES, TEST, Topology

pytestmark = pytest.mark.system

# its own name and ports, so neither it nor the tests' stack can disturb the other. The ports stay below
# Linux's ephemeral range (32768-60999): there any outgoing connection, even the start's own readiness
# probes, may hold one of them as its source port, and a sidecar then fails to bind it.
SUPERVISED = Topology(f"{TEST.name}-supervisor", 28000)
ENV = {
    **os.environ,
    "GIFTFLOW_TEST_STACK": SUPERVISED.name,
    "GIFTFLOW_TEST_PORT_BASE": str(SUPERVISED.base_port),
}
# ceilings for a hung command, never a measure of speed: a cold start includes Kafka's and Postgres's
START_PATIENCE_S = 900
COMMAND_PATIENCE_S = 180
# Prometheus and the Kafka exporter it scrapes, where Prometheus is installed (`make install` does)
MONITORING = ["kafka-exporter", "prometheus"] if shutil.which("prometheus") else []
PROCESSES = [
    "postgres",
    "kafka",
    *(f"{p}-{s}" for s in SERVICES for p in ("app", "daprd")),
    *MONITORING,
]


def supervisor(command: str) -> list[str]:
    return [sys.executable, "-m", "scripts.stack", command, "--test"]


def ports(t: Topology) -> list[int]:
    per_service = [
        t.app_port,
        t.dapr_http_port,
        t.dapr_grpc_port,
        t.dapr_metrics_port,
        t.dapr_internal_port,
    ]
    stack_wide = [t.postgres_port, t.kafka_port, t.kafka_controller_port]
    if MONITORING:
        stack_wide += [t.prometheus_port, t.kafka_exporter_port]
    return [port(s) for s in SERVICES for port in per_service] + stack_wide


def listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def wait_for_line(log: Path, text: str, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_PATIENCE_S
    while time.monotonic() < deadline:
        if text in log.read_text():
            return
        if proc.poll() is not None:
            raise AssertionError(
                f"`run` exited with {proc.returncode} before {text!r}:\n{log.read_text()[-3000:]}"
            )
        time.sleep(0.5)
    raise AssertionError(f"not within {START_PATIENCE_S}s: {text!r}\n{log.read_text()[-3000:]}")


@pytest.fixture
def clean_stack():
    """The supervised stack's folder, emptied of whatever an interrupted run left; emptied again after."""
    stack = Stack(SUPERVISED)
    subprocess.run(
        supervisor("stop"),
        cwd=ROOT,
        env=ENV,
        capture_output=True,
        timeout=COMMAND_PATIENCE_S,
        check=False,
    )
    stack.wipe()
    yield stack
    stack.down(say=lambda _: None)
    stack.wipe()


def test_a_second_run_is_refused_and_stop_from_another_shell_frees_every_port(
    clean_stack: Stack, tmp_path: Path
):
    log = tmp_path / "run.log"
    with open(log, "wb") as out:
        first = subprocess.Popen(
            supervisor("run"),
            cwd=ROOT,
            env=ENV,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    try:
        wait_for_line(log, f"open {SUPERVISED.gateway_url}", first)
        running = {name: clean_stack.pid_of(name) for name in PROCESSES}
        assert None not in running.values(), running

        second = subprocess.run(
            supervisor("run"),
            cwd=ROOT,
            env=ENV,
            capture_output=True,
            text=True,
            timeout=COMMAND_PATIENCE_S,
            check=False,
        )
        assert second.returncode != 0
        assert "already running" in second.stdout

        assert first.poll() is None
        assert {name: clean_stack.pid_of(name) for name in PROCESSES} == running
        assert httpx.get(f"{SUPERVISED.gateway_url}/readyz", timeout=10).status_code == 200

        stopper = subprocess.Popen(
            supervisor("stop"),
            cwd=ROOT,
            env=ENV,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
        )
        # reaping the supervisor is its shell's part; `stop` waits until it is gone
        assert first.wait(timeout=COMMAND_PATIENCE_S) == 0
        assert stopper.wait(timeout=COMMAND_PATIENCE_S) == 0
    finally:
        if first.poll() is None:  # as Ctrl-C would; the fixture takes down what is left
            first.terminate()
            first.wait(timeout=COMMAND_PATIENCE_S)

    assert "giftflow: stopped" in log.read_text()
    if MONITORING:  # it said where to open Prometheus
        assert f"Prometheus at {SUPERVISED.prometheus_url}" in log.read_text()
    assert [port for port in ports(SUPERVISED) if listening(port)] == []
    assert {name: clean_stack.pid_of(name) for name in PROCESSES} == dict.fromkeys(PROCESSES)
    assert not (SUPERVISED.dir / "supervisor.pid").exists()
