"""Every path of the gateway's OpenAPI document, walked from the document itself: a method it does not
list answers 405 with an `Allow` header naming exactly the ones it does, in the error envelope; every
operation documents the envelope's client errors and 503 (and never a 500)."""

import re
import uuid

import pytest
from fastapi.testclient import TestClient

from services.gateway.main import app

METHODS = {"get", "post", "put", "patch", "delete"}
DOCUMENT = app.openapi()


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", lambda _: str(uuid.uuid4()), path)


def documented_methods(path: str) -> set[str]:
    """What the document lists for this path, and for every other template the path is also an
    instance of (`/gifts/import` is also `/gifts/{gift_id}`)."""
    methods = set()
    for template, operations in DOCUMENT["paths"].items():
        if re.fullmatch(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)), path):
            methods |= {m.upper() for m in operations if m in METHODS}
    return methods


@pytest.mark.parametrize("path", sorted(DOCUMENT["paths"]))
def test_a_method_the_document_does_not_list_is_refused_with_the_ones_it_does(path: str):
    client = TestClient(app)
    target = concrete(path)
    documented = documented_methods(target)
    for method in sorted({m.upper() for m in METHODS} - documented):
        response = client.request(method, target)
        assert response.status_code == 405, (method, path, response.status_code)
        assert set(response.headers["allow"].split(", ")) >= documented, (method, path)
        assert response.json()["error"]["code"] == "method_not_allowed"


@pytest.mark.parametrize("path", sorted(DOCUMENT["paths"]))
def test_every_operation_documents_client_errors_and_unavailability_but_no_server_error(path: str):
    for method, operation in DOCUMENT["paths"][path].items():
        if method not in METHODS:
            continue
        responses = operation["responses"]
        assert "4XX" in responses and "503" in responses, (method, path)
        assert "500" not in responses, (method, path)


def test_an_unknown_api_path_is_a_404_in_the_envelope():
    response = TestClient(app).get("/api/no-such-thing")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
