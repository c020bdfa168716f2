"""The local stack, without Docker.

python -m scripts.stack run     # start everything, print the URL, stay until Ctrl-C
python -m scripts.stack stop    # stop a running stack from another shell
python -m scripts.stack status  # what is running
python -m scripts.stack up|down [--test]
python -m scripts.stack replay-deadletters SERVICE [--test]   # deadletter.SERVICE back into SERVICE
"""

import os
import signal
import sys
import time

from scripts.stack.processes import Stack, _pid_alive
from scripts.stack.topology import RUN, SERVICES, TEST


def _say(message: str) -> None:
    print(f"giftflow: {message}", flush=True)


def run(stack: Stack) -> int:
    lock = stack.t.dir / "supervisor.pid"
    if lock.exists() and _pid_alive(int(lock.read_text() or 0)):
        _say(
            f"already running (pid {lock.read_text()}) at {stack.t.gateway_url} — `make stop` stops it"
        )
        return 1
    stack.t.dir.mkdir(parents=True, exist_ok=True)
    lock.write_text(str(os.getpid()))
    stopping = False

    def on_signal(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        stack.down(say=lambda m: None)  # leftovers of a run that was killed
        stack.up(say=_say)
        _say(
            f"open {stack.t.gateway_url}  (API docs: {stack.t.gateway_url}/docs) — Ctrl-C stops everything"
        )
        if stack.pid_of("prometheus"):
            _say(
                f"metrics and alerts: Prometheus at {stack.t.prometheus_url}"
                f"  (alerts: {stack.t.prometheus_url}/alerts)"
            )
        while not stopping:
            time.sleep(0.5)
        return 0
    except Exception as exc:  # noqa: BLE001 - report and stop what was started
        _say(f"failed to start: {exc}")
        return 1
    finally:
        _say("stopping")
        stack.down(say=_say)
        lock.unlink(missing_ok=True)
        _say("stopped")


def stop(stack: Stack) -> int:
    lock = stack.t.dir / "supervisor.pid"
    if lock.exists() and _pid_alive(pid := int(lock.read_text() or 0)):
        os.kill(pid, signal.SIGTERM)
        while _pid_alive(pid):
            time.sleep(0.2)
    stack.down(say=_say)
    return 0


def status(stack: Stack) -> int:
    names = ["postgres", "kafka", *(f"{p}-{s}" for s in SERVICES for p in ("app", "daprd"))]
    names += ["kafka-exporter", "prometheus"]
    # replicas and the balancer, when this stack runs them (scripts/stack/topology.py)
    running = sorted(p.stem for p in stack.pids.glob("*.pid")) if stack.pids.exists() else []
    names += [n for n in running if n not in names]
    for name in names:
        pid = stack.pid_of(name)
        print(f"{name:22} {f'running (pid {pid})' if pid else 'stopped'}")
    return 0


def replay_deadletters(stack: Stack, service: str) -> int:
    """What `python -m shared.deadletters` does next to a service, with this stack's addresses and token."""
    import asyncio

    from shared.deadletters import dead_letter_topic, replay

    report = asyncio.run(
        replay(
            service,
            stack.t.kafka_bootstrap,
            stack.t.app_url(service),
            stack.t.secrets["APP_API_TOKEN"],
        )
    )
    _say(f"{dead_letter_topic(service)}: {report}")
    return 0 if report.stopped_at is None else 1


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "run"
    stack = Stack(TEST if "--test" in argv else RUN)
    if command == "run":
        return run(stack)
    if command == "stop":
        return stop(stack)
    if command == "status":
        return status(stack)
    if command == "replay-deadletters" and len(argv) > 1 and argv[1] in SERVICES[1:]:
        return replay_deadletters(stack, argv[1])
    if command == "up":
        stack.up(say=_say)
        return 0
    if command == "down":
        stack.down(say=_say)
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
