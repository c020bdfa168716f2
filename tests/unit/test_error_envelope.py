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
    token = create_access_token(
        uuid.uuid4(),
        SETTINGS.jwt_secret.get_secret_value(),
        datetime.now(UTC),
        timedelta(minutes=5),
    )
    return {"Authorization": f"Bearer {token}"}


def test_validation_errors_name_the_field_and_the_problem():
    response = client().post("/api/households", json={"name": ""}, headers=signed_in())
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    assert error["details"][0]["field"] == "name"
    assert error["details"][0]["problem"] == "cannot be empty"


def test_validation_problems_are_in_words_not_the_validators():
    response = client().post(
        "/api/households", json={"name": "x" * 500, "timezone": 7}, headers=signed_in()
    )
    problems = {d["field"]: d["problem"] for d in response.json()["error"]["details"]}
    assert problems["name"] == "is too long: at most 120 characters"
    assert "should" not in " ".join(problems.values())


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
    assert (
        c.post("/events", json={"entries": []}, headers={"dapr-api-token": "wrong"}).status_code
        == 401
    )


def test_a_currency_must_be_one_iso_4217_knows():
    from pydantic import ValidationError

    from services.gateway.models.gifts import GiftCreate

    assert GiftCreate(title="Kite", price="12.50", currency=" gbp ").currency == "GBP"
    for code in ("XYZ", "EURO", "€"):
        try:
            GiftCreate(title="Kite", price="12.50", currency=code)
        except ValidationError as error:
            assert "currency code" in str(error)
        else:
            raise AssertionError(f"{code} was taken as a currency")
