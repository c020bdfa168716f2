"""Metrics, health and the API's documentation are for operators and the cluster: through the public
ingress they do not exist, called directly (Prometheus, probes, a developer) they answer."""

import ipaddress

import httpx
import pytest
from fastapi import FastAPI

from shared.operator_paths import OPERATOR_PATHS, OperatorPathsGuard

INGRESS = "10.0.3.7"  # the ingress controller's pod
PROMETHEUS = "10.0.9.1"  # another pod of the cluster, calling directly
TRUSTED = [ipaddress.ip_network("10.0.0.0/8")]


def app() -> FastAPI:
    app = FastAPI()
    for path in OPERATOR_PATHS:
        if path not in ("/docs", "/redoc", "/openapi.json"):  # FastAPI serves those itself
            app.add_api_route(path, lambda: {"ok": True})
    app.add_api_route("/api/households", lambda: {"items": []})
    app.add_middleware(OperatorPathsGuard, trusted_proxies=TRUSTED)
    return app


async def get(path: str, peer: str, headers: dict[str, str] | None = None) -> httpx.Response:
    transport = httpx.ASGITransport(app=app(), client=(peer, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        return await client.get(path, headers=headers or {})


@pytest.mark.parametrize("path", [*OPERATOR_PATHS, "/docs/oauth2-redirect", "/metrics/"])
async def test_through_the_ingress_they_do_not_exist(path):
    answer = await get(path, INGRESS, {"X-Forwarded-For": "203.0.113.9"})
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("path", OPERATOR_PATHS)
async def test_called_directly_they_answer(path):
    assert (await get(path, PROMETHEUS)).status_code == 200


async def test_a_forwarded_header_from_outside_the_proxies_hides_nothing_and_proves_nothing():
    # a client that is not one of our proxies cannot make itself look forwarded, nor is it hidden from
    assert (
        await get("/metrics", "198.51.100.4", {"X-Forwarded-For": "1.2.3.4"})
    ).status_code == 200


async def test_the_api_itself_is_reached_through_the_ingress():
    answer = await get("/api/households", INGRESS, {"X-Forwarded-For": "203.0.113.9"})
    assert answer.status_code == 200
