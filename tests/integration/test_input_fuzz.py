"""The task and audit APIs against Postgres, fed whatever hypothesis makes of text, durations, times,
rules and cursors: every answer is a 2xx or a 4xx in the error envelope, never a 5xx."""

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta, timezone

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.audit.config import Settings as AuditSettings
from services.audit.main import create_app as create_audit_app
from tests.integration.accounts import Account, new_household, sign_up
from tests.integration.test_audit_log import SECRET, Household, bearer, household  # noqa: F401 (a fixture)

FUZZ = settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

TEXT = st.text(max_size=50) | st.sampled_from(["a\x00b", "\x1b[31m", "line\nbreak", "x" * 5000])
BODY_TEXT = TEXT | st.just("half a pair \ud83d")  # a lone surrogate survives JSON, not a URL
OFFSETS = st.integers(min_value=-14 * 60, max_value=14 * 60).map(
    lambda m: timezone(timedelta(minutes=m))
)
TIMES = (
    st.datetimes(timezones=OFFSETS).map(datetime.isoformat)
    | st.sampled_from(
        [
            "9999-12-31T23:59:59-14:00",
            "0001-01-01T00:00:00+14:00",
            "9999-12-31T20:00:00Z",
            "2026-12-24T18:00:00",
            "2199-12-31T23:59:59+14:00",
            "1900-01-01T00:00:00Z",
            "not a time",
        ]
    )
    | TEXT
)
DURATIONS = (
    st.builds(
        lambda n, unit: f"P{n}{unit}" if unit in "YMWD" else f"PT{n}{unit}",
        st.integers(min_value=0, max_value=10**25),
        st.sampled_from("YMWDHS"),
    )
    | TEXT
)
RULES = (
    st.builds(
        lambda freq, extra: f"FREQ={freq}{extra}",
        st.sampled_from(["DAILY", "WEEKLY", "MONTHLY", "YEARLY", "SECONDLY", "HOURLY"]),
        st.sampled_from(
            [
                "",
                ";INTERVAL=0",
                ";INTERVAL=2",
                ";BYMONTH=2;BYMONTHDAY=30",
                ";COUNT=3",
                ";BYDAY=5MO",
                ";BYSETPOS=3;BYDAY=MO",
                ";UNTIL=99991231T000000Z",
                ";BYMONTHDAY=1,2,3;BYDAY=MO;BYSETPOS=2",
            ]
        ),
    )
    | TEXT
)
JSON_VALUES = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30) | TIMES
CURSORS = (
    st.lists(JSON_VALUES, max_size=3).map(
        lambda values: base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")
    )
    | TEXT
)


def in_the_envelope(response: httpx.Response, unavailable_is_ok: bool = False) -> None:
    """A 2xx, or a 4xx in the envelope; a 503 too where a service this test does not run is asked."""
    if unavailable_is_ok and response.status_code == 503:
        assert response.json()["error"]["code"] == "service_unavailable", response.text
        return
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert response.json()["error"]["message"], response.text


def as_json(body: dict) -> dict:
    """The body as JSON with non-ASCII escaped, as a browser may send it: a lone surrogate gets through."""
    return {"content": json.dumps(body), "headers": {"content-type": "application/json"}}


@pytest.fixture
async def member(gateway_client) -> tuple[httpx.AsyncClient, Account, str]:
    ann = await sign_up(gateway_client, name="Ann")
    return (
        gateway_client,
        ann,
        await new_household(gateway_client, ann, timezone="Pacific/Kiritimati"),
    )


@FUZZ
@given(
    title=BODY_TEXT,
    notes=BODY_TEXT,
    due_at=TIMES,
    reminders=st.lists(DURATIONS, max_size=3),
    rrule=st.none() | RULES,
    mode=st.sampled_from(["from_due", "from_completion", "sometimes"]),
)
async def test_creating_a_task_from_anything_never_answers_a_server_error(
    member, title, notes, due_at, reminders, rrule, mode
):
    client, ann, household_id = member
    body = {
        "title": title,
        "notes": notes,
        "due_at": due_at,
        "reminders": reminders,
        "rrule": rrule,
        "recurrence_mode": mode,
    }
    request = as_json(body)
    in_the_envelope(
        await client.post(
            f"/api/households/{household_id}/tasks",
            content=request["content"],
            headers={**ann.headers, **request["headers"]},
        )
    )


@FUZZ
@given(
    due_at=TIMES,
    rrule=st.none() | RULES,
    title=BODY_TEXT,
    snooze=st.fixed_dictionaries({}, optional={"for": DURATIONS, "until": TIMES}),
)
async def test_changing_a_task_or_snoozing_from_anything_never_answers_a_server_error(
    member, due_at, rrule, title, snooze
):
    client, ann, household_id = member
    tasks = f"/api/households/{household_id}/tasks"
    due = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    task = await client.post(tasks, json={"title": "Bake", "due_at": due}, headers=ann.headers)
    assert task.status_code == 201, task.text
    change = as_json({"due_at": due_at, "rrule": rrule, "title": title})
    in_the_envelope(
        await client.patch(
            f"{tasks}/{task.json()['id']}",
            content=change["content"],
            headers={**ann.headers, **change["headers"]},
        )
    )
    snoozed = await client.post(
        f"/api/households/{household_id}/reminders/{uuid.uuid4()}/snooze",
        json=snooze,
        headers=ann.headers,
    )
    in_the_envelope(
        snoozed, unavailable_is_ok=True
    )  # what passes validation is sent to the reminder service


@FUZZ
@given(
    cursor=CURSORS,
    due_after=st.none() | TIMES,
    due_before=st.none() | TIMES,
    limit=st.integers(-5, 500),
)
async def test_listing_tasks_from_anything_never_answers_a_server_error(
    member, cursor, due_after, due_before, limit
):
    client, ann, household_id = member
    params = {
        k: v
        for k, v in {
            "cursor": cursor,
            "due_after": due_after,
            "due_before": due_before,
            "limit": limit,
        }.items()
        if v is not None
    }
    in_the_envelope(
        await client.get(
            f"/api/households/{household_id}/tasks", params=params, headers=ann.headers
        )
    )


@pytest.fixture
async def audit_api(service_url):
    app = create_audit_app(
        AuditSettings(database_url=service_url("audit"), db_pool_size=2, jwt_secret=SECRET)
    )
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://audit.test") as client:
        yield client
    await app.state.engine.dispose()


@FUZZ
@given(
    subject=st.none() | TEXT,
    types=st.lists(TEXT, max_size=3),
    since=st.none() | TIMES,
    until=st.none() | TIMES,
    cursor=st.none() | CURSORS,
    actor=st.none() | TEXT | st.uuids().map(str),
)
async def test_reading_the_audit_log_from_anything_never_answers_a_server_error(
    audit_api, household: Household, subject, types, since, until, cursor, actor
):
    params = [
        (k, v)
        for k, v in (
            ("subject", subject),
            ("since", since),
            ("until", until),
            ("cursor", cursor),
            ("actor_id", actor),
        )
        if v is not None
    ] + [("type", t) for t in types]
    in_the_envelope(
        await audit_api.get(household.audit_url(), params=params, headers=bearer(household.ann))
    )
