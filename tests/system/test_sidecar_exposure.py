"""What a caller holding the Dapr API token can get from the real sidecars: only the APIs each app uses
(dapr/config/<service>.yaml), no secret from any, and no invocation of an app nobody must invoke. The
APIs the apps do use are exercised by every pipeline test."""

import grpc
import httpx
import pytest
from dapr.proto.runtime.v1 import dapr_pb2, dapr_pb2_grpc

from scripts.stack.processes import Stack
from scripts.stack.topology import SERVICES

# an API that is not allowed is not routed at all: the path meets daprd's plain 404, or, on a sidecar
# that may invoke, its catch-all for invocation by header, which finds no app id in it
NOT_ROUTED = ("404 page not found", "failed getting app id")
NEVER_ALLOWED = [
    ("GET", "/v1.0/metadata"),
    ("GET", "/v1.0/secrets/envsecrets/bulk"),
    ("GET", "/v1.0/secrets/kubernetes/bulk"),
    ("GET", "/v1.0/state/statestore/key"),
    ("POST", "/v1.0/publish/pubsub/household"),  # the relays bulk publish
    ("POST", "/v1.0/bindings/anything"),
]
INVOKERS = {"gateway", "recurring", "notification"}  # notification: the week ahead of digests
PUBLISHERS = {"gateway", "reminder"}
NOBODY_INVOKES = ("notification", "recurring")


@pytest.fixture
async def sidecar(stack: Stack):
    clients = {
        s: httpx.AsyncClient(
            base_url=stack.t.dapr_url(s),
            timeout=10,
            headers={"dapr-api-token": stack.t.secrets["DAPR_API_TOKEN"]},
        )
        for s in SERVICES
    }
    yield clients
    for client in clients.values():
        await client.aclose()


@pytest.mark.parametrize("service", SERVICES)
async def test_a_sidecar_does_not_route_what_its_app_does_not_use(sidecar, service: str):
    refused = NEVER_ALLOWED + (
        [] if service in INVOKERS else [("POST", "/v1.0/invoke/audit/method/metrics")]
    )
    refused += (
        [] if service in PUBLISHERS else [("POST", "/v1.0-alpha1/publish/bulk/pubsub/household")]
    )
    for method, path in refused:
        response = await sidecar[service].request(method, path, json=[])
        assert response.status_code == 404, (service, method, path, response.text)
        assert any(answer in response.text for answer in NOT_ROUTED), (
            service,
            method,
            path,
            response.text,
        )


@pytest.mark.parametrize("service", SERVICES)
async def test_a_sidecar_serves_no_dapr_api_over_grpc(stack: Stack, service: str):
    async with grpc.aio.insecure_channel(f"127.0.0.1:{stack.t.dapr_grpc_port(service)}") as channel:
        dapr = dapr_pb2_grpc.DaprStub(channel)
        token = [("dapr-api-token", stack.t.secrets["DAPR_API_TOKEN"])]
        for call, request in (
            (dapr.GetMetadata, dapr_pb2.GetMetadataRequest()),
            (dapr.GetBulkSecret, dapr_pb2.GetBulkSecretRequest(store_name="kubernetes")),
        ):
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                await call(request, metadata=token, timeout=10)
            assert refused.value.code() == grpc.StatusCode.UNIMPLEMENTED


@pytest.mark.parametrize(
    ("caller", "callee"), [(r, e) for r in sorted(INVOKERS) for e in NOBODY_INVOKES if r != e]
)
async def test_an_app_that_nobody_must_invoke_refuses_every_caller(
    sidecar, caller: str, callee: str
):
    for path in ("metrics", "openapi.json", "healthz"):
        response = await sidecar[caller].get(f"/v1.0/invoke/{callee}/method/{path}")
        assert (
            response.status_code == 403 and "access control policy has denied" in response.text
        ), response.text
