"""The route of a stream (shared.streams.StreamRoute) answers every request as FastAPI
would, its own parameters and dependencies read the same way: only what it keeps while the response
runs differs."""

import uuid
from typing import Annotated

import pytest
from fastapi import APIRouter, Depends, FastAPI, Header, Path, Query
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.cursors import MAX_BIGINT
from shared.errors import NotFound, Unauthorized, install_error_handlers
from shared.streams import StreamRoute

KNOWN = uuid.UUID(int=7)


async def caller(authorization: Annotated[str | None, Header()] = None) -> str:
    if not authorization:
        raise Unauthorized("Please sign in.")
    return authorization


async def member(household_id: Annotated[uuid.UUID, Path()], who: Annotated[str, Depends(caller)]):
    if household_id != KNOWN:
        raise NotFound("No such household.")
    return who


async def endpoint(
    who: Annotated[str, Depends(member)],
    since: Annotated[int | None, Query(ge=0, le=MAX_BIGINT)] = None,
    last_event_id: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> JSONResponse:
    return JSONResponse({"who": who, "since": since, "last_event_id": last_event_id})


def client(route_class: type[APIRoute]) -> TestClient:
    router = APIRouter(prefix="/h/{household_id}", route_class=route_class)
    router.get("/stream")(endpoint)
    app = FastAPI()
    app.include_router(router)
    install_error_handlers(app)
    return TestClient(app, raise_server_exceptions=False)


FASTAPI, STREAM = client(APIRoute), client(StreamRoute)

text = st.text(st.characters(blacklist_categories=["Cs", "Cc"]), max_size=12)


@settings(max_examples=300, deadline=None)
@given(
    method=st.sampled_from(["GET", "POST", "DELETE"]),
    household=st.one_of(
        st.just(str(KNOWN)), st.uuids().map(str), text.filter(lambda s: "/" not in s and s)
    ),
    since=st.one_of(st.none(), st.integers(-5, MAX_BIGINT + 5).map(str), text),
    authorization=st.one_of(st.none(), st.just(""), text),
    last_event_id=st.one_of(st.none(), text),
)
def test_every_answer_is_fastapis(method, household, since, authorization, last_event_id):
    headers = {
        k: v.encode()
        for k, v in (("authorization", authorization), ("last-event-id", last_event_id))
        if v is not None
    }
    params = {"since": since} if since is not None else {}
    answers = [
        c.request(method, f"/h/{household}/stream", params=params, headers=headers)
        for c in (FASTAPI, STREAM)
    ]
    expected, got = ((a.status_code, a.json(), a.headers.get("allow")) for a in answers)
    assert got == expected


def test_a_dependency_that_holds_until_the_response_ends_is_refused():
    async def held():
        yield "session"

    async def uses(dep: Annotated[str, Depends(held)]) -> JSONResponse:
        return JSONResponse({})

    router = APIRouter(route_class=StreamRoute)
    with pytest.raises(TypeError, match="cannot use `yield`"):
        router.get("/stream")(uses)
