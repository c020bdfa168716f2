"""Talking to the Dapr sidecar: bulk publish out, token-checked event delivery in."""

import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated

import httpx
from fastapi import Depends, Header, HTTPException, Request

CLOUDEVENTS_JSON = "application/cloudevents+json"


@dataclass(frozen=True)
class OutgoingEvent:
    entry_id: str
    partition_key: str
    cloudevent: dict


class DaprError(Exception):
    """The sidecar could not be reached or refused the whole request."""


class DaprClient:
    """The few sidecar calls giftflow makes, over Dapr's HTTP API with the Dapr API token.

    Not the Dapr SDK, nor gRPC: only the HTTP bulk publish API names the entries Kafka refused when it
    takes the rest of a batch (README, "Dependencies left out")."""

    def __init__(
        self,
        endpoint: str,
        api_token: str,
        pubsub: str = "pubsub",
        transport: httpx.AsyncBaseTransport | None = None,  # a stand-in sidecar, in tests
    ) -> None:
        headers = {"dapr-api-token": api_token} if api_token else {}
        self.pubsub = pubsub
        self.http = httpx.AsyncClient(
            base_url=endpoint, headers=headers, timeout=10.0, transport=transport
        )

    async def aclose(self) -> None:
        await self.http.aclose()

    async def publish_bulk(
        self, topic: str, events: Sequence[OutgoingEvent], traceparent: str | None = None
    ) -> set[str]:
        """Publish a batch to one topic; returns the entry ids Dapr did NOT accept."""
        body = [
            {
                "entryId": e.entry_id,
                "event": e.cloudevent,
                "contentType": CLOUDEVENTS_JSON,
                # Kafka message key = aggregate id, so one aggregate's events stay in order
                "metadata": {"partitionKey": e.partition_key},
            }
            for e in events
        ]
        try:
            response = await self.http.post(
                f"/v1.0-alpha1/publish/bulk/{self.pubsub}/{topic}",
                json=body,
                headers={"traceparent": traceparent} if traceparent else None,
            )
        except httpx.HTTPError as exc:
            raise DaprError(f"sidecar unreachable: {exc!r}") from exc
        if response.status_code == 204 or (response.status_code == 200 and not response.content):
            return set()
        payload = response.json() if response.content else {}
        failed = {entry["entryId"] for entry in payload.get("failedEntries", [])}
        if response.status_code >= 400 and not failed:
            raise DaprError(f"bulk publish refused: {response.status_code} {response.text[:300]}")
        return failed

    async def is_healthy(self) -> bool:
        try:
            response = await self.http.get("/v1.0/healthz/outbound", timeout=2.0)
        except httpx.HTTPError:
            return False
        return response.status_code < 300

    async def invoke(
        self, app_id: str, method: str, json: dict, headers: dict | None = None
    ) -> httpx.Response:
        """Service invocation through the sidecars (`dapr-app-id` routing)."""
        return await self.http.post(
            f"/v1.0/invoke/{app_id}/method/{method.lstrip('/')}", json=json, headers=headers or {}
        )


def verify_sidecar(
    request: Request, dapr_api_token: Annotated[str | None, Header()] = None
) -> None:
    """Only the sidecar, which holds the app API token, may push events into a service."""
    expected: str = request.app.state.settings.app_api_token.get_secret_value()
    if not expected or not dapr_api_token or not hmac.compare_digest(dapr_api_token, expected):
        raise HTTPException(
            status_code=401, detail="event delivery requires the sidecar's app token"
        )


SidecarOnly = Depends(verify_sidecar)
