"""The routers' quick refusal (services/gateway/route_index.py) changes no answer: for any path, the
API's own or made up, every router the app tries matches it as FastAPI itself would."""

import re
import uuid

from fastapi.routing import _IncludedRouter
from hypothesis import given, settings
from hypothesis import strategies as st

from services.gateway.main import create_app

APP = create_app()
ROUTERS = [r for r in APP.router.routes if isinstance(r, _IncludedRouter)]
TEMPLATES = sorted(APP.openapi()["paths"])
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
PARAM = re.compile(r"\{[^}]+\}")

segment = st.one_of(
    st.uuids().map(str),
    st.text(st.characters(blacklist_characters="/", blacklist_categories=["Cs"]), min_size=1),
)


@st.composite
def paths(draw) -> str:
    """A path of the API with any values in its parameters, maybe with something added or cut off."""
    template = draw(st.sampled_from(TEMPLATES))
    path = PARAM.sub(lambda _: draw(segment), template)
    change = draw(st.sampled_from(["none", "slash", "more", "cut"]))
    if change == "slash":
        path += "/"
    elif change == "more":
        path += "/" + draw(segment)
    elif change == "cut":
        path = path[: draw(st.integers(0, len(path)))]
    return path


def answers(path: str, method: str) -> list[tuple[str, str]]:
    scope = {"type": "http", "path": path, "root_path": "", "method": method, "headers": []}
    return [
        (route.matches(dict(scope))[0].name, type(route).matches(route, dict(scope))[0].name)
        for route in ROUTERS
    ]


def test_every_router_the_app_includes_has_the_quick_refusal():
    assert ROUTERS and all(r.matches.__name__ == "quick" for r in ROUTERS)


def test_each_path_of_the_api_is_still_found_by_its_router():
    for template in TEMPLATES:
        path = PARAM.sub(str(uuid.uuid4()), template)
        found = [quick for quick, own in answers(path, "GET") if quick != "NONE"]
        assert found, f"{path}: no router takes it"


@settings(max_examples=400, deadline=None)
@given(
    path=st.one_of(paths(), st.text(max_size=80).map(lambda t: "/" + t)),
    method=st.sampled_from(METHODS),
)
def test_any_path_is_matched_by_each_router_as_fastapi_would(path, method):
    for quick, own in answers(path, method):
        assert quick == own, f"{method} {path}: {quick} against FastAPI's {own}"
