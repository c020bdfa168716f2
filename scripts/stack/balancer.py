"""The balancer in front of several gateway instances: Debian's haproxy, as a Service or an ingress
would be in a cluster, on the gateway's public port; and, with several notification replicas, in front
of those, where the gateway's proxy to the notification service (REST and the live stream) goes.

It balances each request (not each connection) over the instances that answer `/readyz`, retries a
request whose instance refused the connection or closed it without a word, and passes a response
through as it comes, so an SSE stream is not held back. Its runtime API (a unix socket in the stack's
folder) takes an instance out of rotation and puts it back: how a rolling upgrade replaces one
instance at a time without failing a request (scripts/rehearsal).
"""

import shutil
import socket
import time
from pathlib import Path

from scripts.stack.topology import Topology


def haproxy_binary() -> str | None:
    return shutil.which("haproxy") or next(
        (p for p in ("/usr/sbin/haproxy",) if Path(p).exists()), None
    )


def server_name(instance: int) -> str:
    return f"instance{instance}"


def socket_path(t: Topology) -> Path:
    return t.dir / "haproxy.sock"


def _proxy(t: Topology, service: str, port: int) -> str:
    servers = "".join(
        f"  server {server_name(i)} 127.0.0.1:{t.app_port(service, i)} check\n"
        for i in t.replicas(service)
    )
    return f"""
frontend {service}
  bind 127.0.0.1:{port}
  default_backend {service}

backend {service}
  balance roundrobin
  # alive, not ready: an instance joins the rotation only once it answered /readyz (scripts/rehearsal);
  # a check that is slow on a loaded machine must not take the last instance out with it: a crashed
  # instance is out within seconds, one that is merely busy stays in
  option httpchk GET /healthz
  http-check expect status 200
  timeout check 5s
  default-server inter 2s fall 3 rise 1
{servers}"""


def write_config(t: Topology) -> Path:
    proxies = _proxy(t, "gateway", t.app_port("gateway")) if t.balanced else ""
    if t.notification_balanced:
        proxies += _proxy(t, "notification", t.notification_balancer_port)
    path = t.dir / "haproxy.cfg"
    path.write_text(f"""# written by scripts/stack/balancer.py for stack '{t.name}'
global
  maxconn 8192
  stats socket {socket_path(t)} mode 600 level admin
  log stderr format raw local0 err

defaults
  mode http
  log global
  option dontlognull
  timeout connect 2s
  # an SSE stream is quiet between messages and lives as long as the page: only its own
  # keep-alive comments (every 15 s) are guaranteed; the services keep idle connections 75 s
  timeout client 10m
  timeout server 10m
  timeout http-keep-alive 70s
  timeout queue 10s
  # a request is sent again, to another instance, when its instance refused the connection or closed
  # it before answering anything: the request was not handled there
  retries 3
  option redispatch 1
  retry-on conn-failure empty-response
{proxies}""")
    return path


def command(t: Topology, line: str) -> str:
    """One line to haproxy's runtime API; its answer."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(5)
        s.connect(str(socket_path(t)))
        s.sendall(line.encode() + b"\n")
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks).decode()


def set_state(t: Topology, instance: int, state: str, service: str = "gateway") -> None:
    """`maint`: no new request goes to the instance; `ready`: back in rotation once its check passes."""
    answer = command(t, f"set server {service}/{server_name(instance)} state {state}")
    if answer.strip():
        raise RuntimeError(f"haproxy refused to set {server_name(instance)} {state}: {answer}")


def _stats(t: Topology, service: str) -> dict[str, dict[str, str]]:
    header, *rows = command(t, "show stat").lstrip("# ").splitlines()
    names = header.split(",")
    stats = {}
    for row in rows:
        fields = dict(zip(names, row.split(","), strict=False))
        if fields.get("pxname") == service and fields.get("svname") not in ("FRONTEND", "BACKEND"):
            stats[fields["svname"]] = fields
    return stats


def in_flight(t: Topology, instance: int, service: str = "gateway") -> int:
    """Requests haproxy has open on the instance (open SSE streams among them)."""
    return int(_stats(t, service)[server_name(instance)].get("scur") or 0)


def is_up(t: Topology, instance: int, service: str = "gateway") -> bool:
    return _stats(t, service)[server_name(instance)].get("status", "").startswith("UP")


def wait_until(what: str, ready, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            raise RuntimeError(f"balancer: {what} after {timeout:.0f}s")
        time.sleep(0.1)
