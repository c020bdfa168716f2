"""Bad input through the real APIs against Postgres: every malformed request is a 4xx in the error
envelope with a message a person can act on, never a 500 and never a hang."""

import asyncio
import base64
import json
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from services.audit.config import Settings as AuditSettings
from services.audit.main import create_app as create_audit_app
from services.notification.config import Settings as NotificationSettings
from services.notification.main import create_app as create_notification_app
from shared.validation.query import MAX_QUERY_LENGTH
from tests.integration.accounts import Account, new_household, sign_up
from tests.integration.gifting import Gifting
from tests.integration.test_audit_log import SECRET, Household, bearer, household  # noqa: F401 (a fixture)
from tests.integration.test_notification_fanout import Family, family  # noqa: F401 (a fixture)

NUL = "a\u0000b"
HANG_GUARD_S = (
    60  # not a timing assertion: a request that never answers fails instead of hanging the suite
)


def forged(values) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


# every gateway page is keyed by (a time, a date or a name; an id)
NOT_A_GATEWAY_KEY = [
    forged(["2026-01-01T00:00:00+00:00", -1]),  # an id that is a number
    forged(["2026-01-01T00:00:00+00:00", 10**30]),
    forged(["a\u0000b", "not an id"]),
]
# times whose UTC time is off Python's calendar: a name could be spelled so, a time cannot
OFF_THE_CALENDAR = [
    forged(["9999-12-31T23:59:59-14:00", str(uuid.uuid4())]),
    forged(["0001-01-01T00:00:00+14:00", str(uuid.uuid4())]),
]
NOT_AN_AUDIT_KEY = [  # the audit log's is (recorded at, entry id)
    forged(["2026-01-01T00:00:00+00:00", 10**30]),
    forged(["9999-12-31T23:59:59-14:00", 1]),
    forged(["0001-01-01T00:00:00+14:00", 1]),
    forged(["a\u0000b", 1]),
]
NOT_A_NOTIFICATION_KEY = [forged([2**63]), forged([10**30]), forged(["12"]), forged([1.5])]
GAVE_OUT = "is not a cursor this list gave out; start again without one"


def refused(response: httpx.Response, field: str, status: int = 422) -> str:
    """The problem the envelope names for `field`, after checking it is a 4xx in the envelope."""
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_failed" and error["message"]
    problems = [d["problem"] for d in error["details"] if d["field"] == field]
    assert problems, error
    return problems[0]


async def answer(request) -> httpx.Response:
    return await asyncio.wait_for(request, HANG_GUARD_S)


@pytest.fixture
async def member(gateway_client) -> tuple[Account, str]:
    ann = await sign_up(gateway_client, name="Ann")
    return ann, await new_household(gateway_client, ann)


def tasks_url(household_id: str) -> str:
    return f"/api/households/{household_id}/tasks"


def soon() -> str:
    return (datetime.now(UTC) + timedelta(days=2)).isoformat()


# recurrence rules --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("rule", "says"),
    [
        ("FREQ=DAILY;INTERVAL=0", "INTERVAL"),
        ("FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30", "more often than once a day"),
        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "can never happen"),
        (
            "FREQ=MONTHLY;BYMONTHDAY=1,2,3;BYDAY=MO;BYSETPOS=2",
            "",
        ),  # refused by expanding it, within its deadline
    ],
)
async def test_a_rule_that_would_hold_a_worker_is_answered_with_a_422(
    gateway_client, member, rule, says
):
    ann, household_id = member
    response = await answer(
        gateway_client.post(
            tasks_url(household_id),
            headers=ann.headers,
            json={"title": "Water the plants", "due_at": soon(), "rrule": rule},
        )
    )
    assert says in refused(response, "rrule")


async def test_a_daily_rule_at_the_end_of_the_calendar_is_refused_in_the_zone_furthest_ahead(
    gateway_client,
):
    ann = await sign_up(gateway_client, name="Ann")
    household_id = await new_household(gateway_client, ann, timezone="Pacific/Kiritimati")
    for due_at, field in (("9999-12-31T20:00:00Z", "due_at"), ("2199-12-31T20:00:00Z", "rrule")):
        response = await gateway_client.post(
            tasks_url(household_id),
            headers=ann.headers,
            json={"title": "T", "due_at": due_at, "rrule": "FREQ=DAILY"},
        )
        refused(response, field)


# text -----------------------------------------------------------------------------------------------
async def test_a_nul_in_any_name_or_note_is_a_422_naming_the_field(gateway_client, member):
    ann, household_id = member
    response = await gateway_client.post(
        "/api/auth/signup",
        json={
            "email": f"nul-{uuid.uuid4().hex[:8]}@example.com",
            "password": "correct horse battery",
            "display_name": NUL,
        },
    )
    assert "control characters" in refused(response, "display_name")
    response = await gateway_client.post("/api/households", json={"name": NUL}, headers=ann.headers)
    assert "control characters" in refused(response, "name")
    response = await gateway_client.patch(
        f"/api/households/{household_id}", json={"name": NUL}, headers=ann.headers
    )
    assert "control characters" in refused(response, "name")
    for body, field in (
        ({"title": NUL}, "title"),
        ({"title": "T", "notes": NUL}, "notes"),
        ({"title": "Line\nbreak"}, "title"),
    ):
        refused(
            await gateway_client.post(tasks_url(household_id), json=body, headers=ann.headers),
            field,
        )
    task = (
        await gateway_client.post(tasks_url(household_id), json={"title": "T"}, headers=ann.headers)
    ).json()
    for body, field in (({"title": NUL}, "title"), ({"notes": "\x1b[2J"}, "notes")):
        refused(
            await gateway_client.patch(
                f"{tasks_url(household_id)}/{task['id']}", json=body, headers=ann.headers
            ),
            field,
        )
    ok = await gateway_client.patch(
        f"{tasks_url(household_id)}/{task['id']}",
        json={"notes": "one\ntwo\tthree"},
        headers=ann.headers,
    )
    assert ok.status_code == 200, ok.text


async def test_a_control_character_in_a_query_parameter_is_a_422(gateway_client, member):
    ann, household_id = member
    response = await gateway_client.get(
        f"/api/households/{household_id}/people?q=a%00b", headers=ann.headers
    )
    assert "control characters" in refused(response, "query.q")


# durations ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("duration", ["P9000Y", "P9999999Y", "PT99999999999999999999S"])
async def test_a_duration_past_a_year_is_refused_for_reminders_and_snoozes(
    gateway_client, member, duration
):
    ann, household_id = member
    response = await gateway_client.post(
        tasks_url(household_id),
        headers=ann.headers,
        json={"title": "T", "due_at": soon(), "reminders": ["P1D", duration]},
    )
    assert "longer than a year" in refused(response, "reminders.1")
    response = await gateway_client.post(
        f"/api/households/{household_id}/reminders/{uuid.uuid4()}/snooze",
        json={"for": duration},
        headers=ann.headers,
    )
    assert "longer than a year" in refused(response, "for")


# the calendar's edges -------------------------------------------------------------------------------
async def test_times_off_the_calendar_are_refused_in_bodies_and_query_windows(
    gateway_client, member
):
    ann, household_id = member
    response = await gateway_client.post(
        tasks_url(household_id),
        headers=ann.headers,
        json={"title": "T", "due_at": "9999-12-31T23:59:59-14:00"},
    )
    assert "between 1900" in refused(response, "due_at")
    task = (
        await gateway_client.post(tasks_url(household_id), json={"title": "T"}, headers=ann.headers)
    ).json()
    response = await gateway_client.patch(
        f"{tasks_url(household_id)}/{task['id']}",
        headers=ann.headers,
        json={"due_at": "0001-01-01T00:00:00+14:00"},
    )
    refused(response, "due_at")
    for window in ("due_after", "due_before"):
        for edge in ("9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00"):
            response = await gateway_client.get(
                tasks_url(household_id), params={window: edge}, headers=ann.headers
            )
            refused(response, f"query.{window}")
    response = await gateway_client.post(
        f"/api/households/{household_id}/reminders/{uuid.uuid4()}/snooze",
        json={"until": "9999-12-31T23:59:59-14:00"},
        headers=ann.headers,
    )
    refused(response, "until")
    response = await gateway_client.post(
        f"/api/households/{household_id}/occasions",
        headers=ann.headers,
        json={"name": "Gran", "date": "2999-01-01"},
    )
    refused(response, "date")


# cursors --------------------------------------------------------------------------------------------
async def paged_gateway_paths(
    client: httpx.AsyncClient, ann: Account, household_id: str
) -> list[str]:
    """Every GET route of the gateway's API that takes a cursor, with its ids filled in with real ones."""
    g = Gifting(client, household_id)
    person = await g.person(ann, "Sam")
    list_id = await g.new_list(ann, person)
    item = await g.add_item(ann, list_id, "Kite")
    task = (
        await client.post(tasks_url(household_id), json={"title": "T"}, headers=ann.headers)
    ).json()
    ids = {
        "household_id": household_id,
        "list_id": list_id,
        "gift_id": item["gift_id"],
        "item_id": item["id"],
        "task_id": task["id"],
        "person_id": person,
    }
    spec = (await client.get("/openapi.json")).json()
    paths = []
    for path, operations in spec["paths"].items():
        parameters = operations.get("get", {}).get("parameters", [])
        if any(p["name"] == "cursor" for p in parameters):
            paths.append(path.format(**ids))
    return paths


async def test_a_crafted_cursor_is_a_422_on_every_paged_gateway_route(gateway_client, member):
    ann, household_id = member
    paths = await paged_gateway_paths(gateway_client, ann, household_id)
    assert len(paths) >= 10
    for path in paths:
        for cursor in NOT_A_GATEWAY_KEY:
            response = await gateway_client.get(
                path, params={"cursor": cursor}, headers=ann.headers
            )
            assert refused(response, "query.cursor") == GAVE_OUT, path
        for cursor in OFF_THE_CALENDAR:
            response = await gateway_client.get(
                path, params={"cursor": cursor}, headers=ann.headers
            )
            assert response.status_code in (200, 422), (
                f"{path}: {response.text}"
            )  # 200 for a page keyed by name
        # what the schema documents is answered the same way: a 422 naming the cursor
        response = await gateway_client.get(
            path, params={"cursor": "not a cursor!"}, headers=ann.headers
        )
        refused(response, "query.cursor")
    for cursor in OFF_THE_CALENDAR:  # the tasks page is keyed by a time
        response = await gateway_client.get(
            tasks_url(household_id), params={"cursor": cursor}, headers=ann.headers
        )
        assert refused(response, "query.cursor") == GAVE_OUT


@pytest.fixture
async def audit_api(service_url):
    app = create_audit_app(
        AuditSettings(database_url=service_url("audit"), db_pool_size=2, jwt_secret=SECRET)
    )
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://audit.test") as client:
        yield client
    await app.state.engine.dispose()


async def test_the_audit_log_refuses_crafted_cursors_times_and_subjects(
    audit_api, household: Household
):
    url, admin = household.audit_url(), bearer(household.ann)
    for cursor in NOT_AN_AUDIT_KEY:
        assert (
            refused(
                await audit_api.get(url, params={"cursor": cursor}, headers=admin), "query.cursor"
            )
            == GAVE_OUT
        )
    for name in ("since", "until"):
        for edge in (
            "9999-12-31T23:59:59-14:00",
            "0001-01-01T00:00:00+14:00",
            "2026-01-01T00:00:00",
        ):
            refused(await audit_api.get(url, params={name: edge}, headers=admin), f"query.{name}")
    assert "control characters" in refused(
        await audit_api.get(f"{url}?subject=a%00b", headers=admin), "query.subject"
    )
    refused(await audit_api.get(url, params={"subject": "x" * 20_000}, headers=admin), "query")
    refused(await audit_api.get(url, params={"subject": "x" * 101}, headers=admin), "query.subject")


async def test_a_long_query_to_the_audit_log_through_the_gateway_is_a_422_not_a_plain_431(
    gateway_client, member
):
    ann, household_id = member
    response = await gateway_client.get(
        f"/api/households/{household_id}/audit",
        params={"subject": "x" * 20_000},
        headers=ann.headers,
    )
    assert f"longer than {MAX_QUERY_LENGTH} characters" in refused(response, "query")


@pytest.fixture
async def notification_api(service_url):
    app = create_notification_app(
        NotificationSettings(
            database_url=service_url("notification"), db_pool_size=2, jwt_secret=SECRET
        )
    )
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://notification.test"
    ) as client:
        yield client
    await app.state.engine.dispose()


async def test_notifications_refuse_crafted_cursors_and_positions(notification_api, family: Family):
    url = f"/api/households/{family.household_id}/notifications"
    headers = bearer(family.ben)
    for cursor in NOT_A_NOTIFICATION_KEY:
        assert (
            refused(
                await notification_api.get(url, params={"cursor": cursor}, headers=headers),
                "query.cursor",
            )
            == GAVE_OUT
        )
    refused(
        await notification_api.post(f"{url}/read-all", params={"up_to": 2**63}, headers=headers),
        "query.up_to",
    )
    refused(
        await notification_api.get(f"{url}/stream", params={"since": 10**30}, headers=headers),
        "query.since",
    )


async def test_text_kept_from_before_the_rules_were_tightened_still_reads(
    gateway_client, member, admin_db
):
    ann, household_id = member
    task = (
        await gateway_client.post(tasks_url(household_id), json={"title": "T"}, headers=ann.headers)
    ).json()
    person = await Gifting(gateway_client, household_id).person(ann, "Sam")
    await admin_db.execute(
        "UPDATE gateway.task SET title = $1, notes = $2 WHERE id = $3",
        "two\nlines",
        "a\x1bb",
        uuid.UUID(task["id"]),
    )
    await admin_db.execute(
        "UPDATE gateway.person SET name = $1 WHERE id = $2", "tab\there", uuid.UUID(person)
    )
    await admin_db.execute(
        "UPDATE gateway.household SET name = $1 WHERE id = $2", "Smiths\n", uuid.UUID(household_id)
    )
    for path in (
        f"{tasks_url(household_id)}/{task['id']}",
        tasks_url(household_id),
        f"/api/households/{household_id}/people",
        f"/api/households/{household_id}",
        "/api/households",
    ):
        response = await gateway_client.get(path, headers=ann.headers)
        assert response.status_code == 200, f"{path}: {response.text}"
