"""Connection draining for an instance on its way out.

Behind a Kubernetes Service a client keeps its keep-alive connection to the pod it first reached, even
after the pod has left the Service's endpoints. When that pod then stops, uvicorn closes its idle
connections, and a request the client sends at that very moment fails on a connection closed under it.
So the pod's preStop hook touches a file (DRAINING_FILE, k8s/base/service-defaults.yaml) and waits a
few seconds before the stop; from that moment every answer says `Connection: close`, so each client
leaves the pod after its current request and its next one opens a connection the Service sends to a
pod that stays.
"""

from pathlib import Path

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class CloseWhenDraining:
    """Pure ASGI: answers with `Connection: close` once `flag` exists (no flag configured: a no-op)."""

    def __init__(self, app: ASGIApp, flag: Path | None) -> None:
        self.app, self.flag = app, flag

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.flag is None or not self.flag.exists():
            await self.app(scope, receive, send)
            return

        async def send_closing(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v) for k, v in message.get("headers", []) if k.lower() != b"connection"
                ]
                message = {**message, "headers": [*headers, (b"connection", b"close")]}
            await send(message)

        await self.app(scope, receive, send_closing)
