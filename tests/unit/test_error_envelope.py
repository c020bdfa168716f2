"""Every error a client sees has the same shape; no route needs a database to fail validation."""

import uuid
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from services.gateway.config import Settings
from services.gateway.main import create_app
from shared.tokens import create_access_token

SETTINGS = Settings(database_url="postgresql+asyncpg://nobody@127.0.0.1:1/none")


def client() -> TestClient:
    # no `with`: the lifespan (database, relay) is not started; validation fails before it matters
    return TestClient(create_app(SETTINGS))


def signed_in() -> dict[str, str]:
    # access tokens are checked without the database, so a signed-in caller needs none either
    token = create_access_token(uuid.uuid4(), SETTINGS.jwt_secret.get_secret_value(), datetime.now(UTC),
                                timedelta(minutes=5))
    return {"Authorization": f"Bearer {token}"}


def test_validation_errors_name_the_field_and_the_problem():
    response = client().post("/api/households", json={"name": ""}, headers=signed_in())
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    assert error["details"][0]["field"] == "name"
    assert "at least 1 character" in error["details"][0]["problem"]


def test_an_unknown_route_answers_with_the_envelope():
    response = client().get("/api/nothing-here")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_event_routes_refuse_callers_without_the_sidecar_token():
    from services.audit.config import Settings as AuditSettings
    from services.audit.main import create_app as create_audit

    app = create_audit(AuditSettings(app_api_token="s3cret"))
    c = TestClient(app)
    assert c.post("/events", json={"entries": []}).status_code == 401
    assert c.post("/events", json={"entries": []}, headers={"dapr-api-token": "wrong"}).status_code == 401
