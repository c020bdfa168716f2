"""The HTTP RED metrics count what people and the sidecar's deliveries ask for, never probes and scrapes:
a database blip fails every health check at once, and counted those alone would page as a 5xx storm."""

from fastapi import HTTPException
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from shared.app import create_service_app
from shared.settings import ServiceSettings

# nothing listens there: the checks that need the database or the sidecar fail at once
SETTINGS = ServiceSettings(
    service_name="metrics-probe-test",
    database_url="postgresql+asyncpg://nobody@127.0.0.1:1/none",
    dapr_http_endpoint="http://127.0.0.1:1",
)


def client() -> TestClient:
    app = create_service_app(SETTINGS, title="probe test")

    @app.get("/api/broken")
    async def broken() -> dict:
        raise HTTPException(503, "down for the test")

    return TestClient(app)


def requests_counted(route: str) -> float:
    total = 0.0
    for metric in REGISTRY.collect():
        for sample in metric.samples:
            if (
                sample.name == "giftflow_http_requests_total"
                and sample.labels["service"] == SETTINGS.service_name
                and sample.labels["route"] == route
            ):
                total += sample.value
    return total


def test_probes_and_scrapes_are_not_counted_even_when_they_fail():
    http = client()
    assert http.get("/healthz").status_code == 200
    assert http.get("/healthz/database").status_code == 503
    assert http.get("/readyz").status_code == 503
    assert http.get("/metrics").status_code == 200
    for route in ("/healthz", "/healthz/database", "/readyz", "/metrics"):
        assert requests_counted(route) == 0, route


def test_user_requests_are_counted_with_their_status():
    http = client()
    before = requests_counted("/api/broken")
    assert http.get("/api/broken").status_code == 503
    assert requests_counted("/api/broken") == before + 1
