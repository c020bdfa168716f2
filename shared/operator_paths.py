"""What only operators and the cluster may reach: metrics, health and the API documentation.

Prometheus, the kubelet's probes and a developer on the machine call a service directly; the public
reaches the gateway only through the ingress, which forwards every path. So a request for one of these
paths that came through a trusted proxy (TRUSTED_PROXIES) is answered 404, as if the route did not
exist: the public sees neither the metrics (who uses the product, how much, which routes fail) nor a
map of the API. With no trusted proxies (the local stack), nothing is hidden.
"""

from collections.abc import Sequence

from starlette.types import ASGIApp, Receive, Scope, Send

from shared.errors import envelope
from shared.forwarded import IPNetwork, through_proxy

OPERATOR_PATHS = ("/metrics", "/healthz", "/readyz", "/docs", "/redoc", "/openapi.json")


def operator_only(path: str) -> bool:
    return any(path == p or path.startswith(f"{p}/") for p in OPERATOR_PATHS)


class OperatorPathsGuard:
    def __init__(self, app: ASGIApp, trusted_proxies: Sequence[IPNetwork]) -> None:
        self.app = app
        self.trusted_proxies = tuple(trusted_proxies)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and operator_only(scope["path"])
            and through_proxy(scope, self.trusted_proxies)
        ):
            answer = envelope(404, "not_found", "There is nothing at this address.")
            await answer(scope, receive, send)
            return
        await self.app(scope, receive, send)
