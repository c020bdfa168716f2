"""The gateway passes on exactly the routes the notification and audit services serve, and sends each
to a path built from its template and the UUIDs it matched — never from the path the caller sent."""

import uuid

import pytest
from fastapi.routing import iter_route_contexts

from services.audit import routes as audit_routes
from services.gateway.deps import get_current_member
from services.gateway.dot_segments import has_dot_segment
from services.gateway.main import create_app
from services.gateway.routes.proxy import AUDIT, NOTIFICATION, ROUTES, ProxiedRoute
from services.notification import routes as notification_routes
from services.notification import sse as notification_stream
from services.notification.mail import routes as mail_routes

SERVED_BY = {
    NOTIFICATION: [notification_routes.router, notification_stream.router, mail_routes.router],
    AUDIT: [audit_routes.router],
}


def served(routers) -> set[tuple[str, str]]:
    return {
        (method, c.path_format)
        for r in routers
        for c in iter_route_contexts(r.routes)
        for method in c.methods
    }


def proxied(upstream) -> set[tuple[str, str]]:
    return {
        (method, f"/api{r.path}") for r in ROUTES if r.upstream is upstream for method in r.methods
    }


@pytest.mark.parametrize("upstream", SERVED_BY, ids=lambda u: u.what)
def test_the_gateway_passes_on_exactly_what_the_owning_service_serves(upstream):
    assert proxied(upstream) == served(SERVED_BY[upstream])


def test_every_proxied_route_is_scoped_to_a_household_but_the_mail_unsubscribe():
    assert [r.path for r in ROUTES if r.public] == ["/mail/unsubscribe"]
    for route in ROUTES:
        if route.public:
            continue
        assert route.path.startswith("/households/{household_id}/"), route.path


def test_the_gateway_routes_each_proxied_path_only_for_uuids_and_only_for_members():
    contexts = {c.path: c for c in iter_route_contexts(create_app().routes)}
    for route in ROUTES:
        if route.public:
            continue
        context = contexts[f"/api{route.route}"]
        assert context.methods == set(route.methods)
        assert ":uuid}" in context.path and "{household_id:uuid}" in context.path
        assert get_current_member in [d.call for d in context.dependant.dependencies]
        assert context.include_in_schema is False  # documented by the service that owns it


def test_the_upstream_path_is_the_template_filled_in_with_the_matched_uuids():
    household, notification = uuid.uuid4(), uuid.uuid4()
    read = next(r for r in ROUTES if r.path.endswith("{notification_id}/read"))
    assert read.upstream_path({"household_id": household, "notification_id": notification}) == (
        f"/api/households/{household}/notifications/{notification}/read"
    )
    audit = next(r for r in ROUTES if r.upstream is AUDIT)
    assert audit.upstream_path({"household_id": household}) == (
        f"/v1.0/invoke/audit/method/api/households/{household}/audit"
    )


def test_the_upstream_path_is_canonical_whatever_case_the_uuid_came_in():
    household = uuid.UUID("A1B2C3D4-E5F6-4711-8899-AABBCCDDEEFF")
    audit = next(r for r in ROUTES if r.upstream is AUDIT)
    assert audit.upstream_path({"household_id": household}).endswith(
        "/a1b2c3d4-e5f6-4711-8899-aabbccddeeff/audit"
    )


@pytest.mark.parametrize(
    "value",
    [
        "../../../../v1.0/metadata",
        "%2e%2e",
        "..",
        "x",
        str(uuid.uuid4()),
        b"\x00",
    ],
)
def test_anything_but_a_uuid_never_becomes_part_of_an_upstream_path(value):
    for route in ROUTES:
        if not route.parameters:  # nothing of the path it matched is sent on
            assert route.upstream_path({"household_id": value}) == f"/api{route.path}"
            continue
        params = {name: uuid.uuid4() for name in route.parameters} | {"household_id": value}
        with pytest.raises(TypeError):
            route.upstream_path(params)


def test_extra_matched_values_are_not_used():
    route = ProxiedRoute("/households/{household_id}/audit", ("GET",), AUDIT)
    household = uuid.uuid4()
    assert route.upstream_path({"household_id": household, "path": "../../v1.0/metadata"}) == (
        f"/v1.0/invoke/audit/method/api/households/{household}/audit"
    )


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        (
            "/api/households/x/audit/../../v1.0/metadata",
            True,
        ),  # as the server hands it over: decoded once
        ("/api/households/x/audit/..", True),
        ("/./api", True),
        (
            "/api/households/x/audit/%2e%2e/v1.0",
            True,
        ),  # was double-encoded: a second decoding makes it `..`
        ("/api/households/x/audit/%252e%252e/v1.0", True),
        ("/api/households/x/audit/..;/v1.0", True),  # a `;` parameter some servers drop
        ("/api/households/x/audit/..\\..\\v1.0", True),  # backslashes some servers read as slashes
        ("/api/households/x/audit", False),
        ("/api/households/x/audit;x=y", False),
        ("/app.js", False),
        ("/js/views/gift.view.js", False),
        ("/.well-known/x", False),
        ("/api/households/x/...", False),
    ],
)
def test_only_dot_segments_are_refused_before_routing(path, refused):
    assert has_dot_segment(path) is refused
