"""Replacing a running service with another build, one copy at a time, as a rolling update does.

A gateway instance leaves the balancer's rotation first, so no new request reaches it; once its open
requests are answered it is stopped (uvicorn answers what it holds, then closes its streams, which
reconnect through the balancer to another instance), its replacement starts on the same port, and it
rejoins the rotation when its readiness check passes. A consumer replica is its app and its daprd: both
stop (the consumer group hands its partitions to the other replicas) and both start again on the new
build.
"""

import time
from collections.abc import Callable
from pathlib import Path

from scripts.stack import balancer
from scripts.stack.processes import Stack

DRAIN_TIMEOUT_S = 10
# how long a replacement may take to start and be ready: minutes on a machine shared with others
START_WITHIN_S = 300


def replace_gateway_instance(stack: Stack, instance: int, build: Path) -> None:
    _leave_rotation(stack, "gateway", instance)
    stack.stop(stack.app_name("gateway", instance))
    stack.start_app("gateway", replica=instance, cwd=build, within_s=START_WITHIN_S)
    stack.wait_ready("gateway", START_WITHIN_S, replica=instance)
    _rejoin_rotation(stack, "gateway", instance)


def _leave_rotation(stack: Stack, service: str, instance: int) -> None:
    t = stack.t
    balancer.set_state(t, instance, "maint", service)
    # every request still open is an open stream, or a request being answered: the first end when
    # the instance closes them, the second are answered before it stops (uvicorn's graceful shutdown)
    deadline = time.monotonic() + DRAIN_TIMEOUT_S
    while balancer.in_flight(t, instance, service) and time.monotonic() < deadline:
        time.sleep(0.1)


def _rejoin_rotation(stack: Stack, service: str, instance: int) -> None:
    balancer.set_state(stack.t, instance, "ready", service)
    balancer.wait_until(
        f"{service} #{instance} is not back in rotation",
        lambda: balancer.is_up(stack.t, instance, service),
        30,
    )


def replace_consumer_replica(stack: Stack, service: str, replica: int, build: Path) -> None:
    # the notification replicas also answer the gateway's proxy (REST, streams) through the balancer
    behind_balancer = service == "notification" and stack.t.notification_balanced
    if behind_balancer:
        _leave_rotation(stack, service, replica)
    stack.stop(stack.sidecar_name(service, replica))
    stack.stop(stack.app_name(service, replica))
    stack.start_app(service, replica=replica, cwd=build, within_s=START_WITHIN_S)
    stack.start_sidecar(service, replica=replica)
    stack.wait_ready(service, START_WITHIN_S, replica=replica)
    if behind_balancer:
        _rejoin_rotation(stack, service, replica)


def roll(
    stack: Stack, service: str, build: Path, say: Callable[[str], None] = print
) -> list[float]:
    """Every copy of `service` onto `build`, one after the other; how long each replacement took."""
    took = []
    for replica in stack.t.replicas(service):
        t0 = time.monotonic()
        if service == "gateway":
            replace_gateway_instance(stack, replica, build)
        else:
            replace_consumer_replica(stack, service, replica, build)
        took.append(time.monotonic() - t0)
        say(f"{service} #{replica} now runs {build.name} ({took[-1]:.1f}s)")
    return took
