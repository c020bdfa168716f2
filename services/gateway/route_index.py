"""A quick "not here" from each router the app tries, with one regular expression over all its paths.

FastAPI (0.165) matches a request against an included router by trying each of the router's routes in
turn, with some bookkeeping per route, and the app tries its routers in order: a request to the
dashboard paid for every route of the twenty routers before it, about a sixth of a read's CPU. Each
router the app includes now tests the path first against one pattern made of all its routes' patterns.
A path none of them can match is refused in that one call; a path one can is matched by FastAPI as
before, so which route wins, a 405 for the wrong method and the order of the routers are unchanged.

It reads FastAPI's private `_IncludedRouter` (the version is pinned by uv.lock); the unit test
`test_route_index` compares every path of the API with FastAPI's own matching, and the security suite
walks every route through the served app.
"""

import re

from fastapi import FastAPI
from fastapi.routing import APIRoute, _IncludedRouter
from starlette._utils import get_route_path
from starlette.routing import Match
from starlette.types import Scope

# the routes' patterns name their parameters; in one pattern the same name cannot appear twice
_NAMED_GROUP = re.compile(r"\(\?P<\w+>")


def any_path_of(router: _IncludedRouter) -> re.Pattern[str] | None:
    """One pattern matching every path a route of `router` (or of a router it includes) matches;
    None if one of them is not a plain API route (a mount, say), whose paths a pattern cannot say."""
    patterns = _patterns(router)
    return re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None


def _patterns(router: _IncludedRouter) -> list[str] | None:
    patterns: list[str] = []
    for candidate in router.effective_candidates():
        if isinstance(candidate, _IncludedRouter):
            inner = _patterns(candidate)
            if inner is None:
                return None
            patterns += inner
        elif isinstance(candidate.original_route, APIRoute):
            patterns.append(_NAMED_GROUP.sub("(?:", candidate.path_regex.pattern))
        else:
            return None
    return patterns


def index_routers(app: FastAPI) -> None:
    """Give each router `app` includes the quick refusal. Called once every route is included: a
    route added to a router later would not be in its pattern."""
    for route in app.router.routes:
        if isinstance(route, _IncludedRouter) and (any_path := any_path_of(route)) is not None:
            route.matches = _refusing_others(route.matches, any_path)  # type: ignore[method-assign]


def _refusing_others(matches, any_path: re.Pattern[str]):
    def quick(scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] == "http" and any_path.match(get_route_path(scope)) is None:
            return Match.NONE, {}
        return matches(scope)

    return quick
