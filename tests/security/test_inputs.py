"""Open inputs, property-based, through the real gateway: text with control characters in every string field
of every JSON body the OpenAPI documents describe, ISO 8601 durations, RRULEs, dates and times at the
calendar's edges, and crafted cursors on every paged route. Whatever is sent, the answer comes within the
deadline, is never a 5xx, and a refusal is a 4xx in the one error envelope."""

import base64
import json
from collections.abc import Callable

import httpx
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import example as explicitly
from hypothesis import strategies as st

from tests.security.findings import Findings
from tests.security.households import Household, later, rich_household
from tests.security.openapi import Operation, every_operation, example
from tests.security.probe import DEADLINE_S

pytestmark = pytest.mark.system

# login and refresh failures, and unknown invitation codes, are throttled per client address, which the
# rest of the session shares (tests/integration/test_invitation_preview.py walks those); an import
# fetches pages from the web
LEFT_OUT = (
    "/api/auth/login",
    "/api/auth/refresh",
    "/api/invitations/preview",
    "/api/invitations/accept",
    "/gifts/import",
)


def bounded(examples: int):
    """Few examples, the same on every run (so a failure seen once is seen again), and no shrinking: a
    finding is reported as found, and the suite stays within its time."""
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )


@pytest.fixture(scope="module")
async def fuzzed(client, admin_db) -> Household:
    return await rich_household(client, admin_db)


class Sender:
    """Sends as the household's admin, and keeps what each answer got wrong.

    A request left unanswered may still keep a gateway worker busy: one per `topic` proves the point, so the
    rest of that topic is not sent, and the connections kept open to that worker are dropped (new ones go to
    a worker that answers)."""

    def __init__(self, base_url: str, household: Household) -> None:
        self.base_url, self.household, self.found = base_url, household, Findings()
        self.client = httpx.Client(base_url=base_url, timeout=DEADLINE_S)
        self.hung: set[str] = set()

    def __call__(self, op: Operation, *, body=None, params=None, topic: str = "") -> None:
        topic = topic or op.label
        if topic in self.hung:
            return
        sent = f"{body!r:.200} {params!r:.200}"
        try:
            response = self._send(op, body, params)
        except httpx.TimeoutException:
            self.hung.add(topic)
            self.found.add(op.label, f"no answer within {DEADLINE_S:.0f}s", sent)
            self.client.close()
            self.client = httpx.Client(base_url=self.base_url, timeout=DEADLINE_S)
            return
        except httpx.TransportError as exc:
            self.found.add(op.label, f"no answer: {exc!r}", sent)
            return
        problem = judge(response)
        if problem:
            self.found.add(op.label, problem, f"sent {sent} -> {response.text[:200]!r}")

    def _send(self, op: Operation, body, params) -> httpx.Response:
        url = op.url(self.household.ids)
        content = json.dumps(body) if body is not None else None  # lone surrogates go out escaped
        request = self.client.build_request(
            op.method,
            url,
            content=content,
            params={**op.required_query(), **(params or {})},
            headers={**self.household.admin.headers, "content-type": "application/json"},
        )
        try:
            return self.client.send(request)
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError):
            # a kept-alive connection the server closed after its previous answer: once more, on a new one
            return self.client.send(request)

    def close(self) -> None:
        self.client.close()


@pytest.fixture
def send(stack, fuzzed):
    sender = Sender(stack.t.gateway_url, fuzzed)
    yield sender
    sender.close()


def judge(response: httpx.Response) -> str | None:
    if response.status_code >= 500:
        return f"answered {response.status_code}"
    if response.status_code >= 400:
        try:
            error = response.json()["error"]
            if not (isinstance(error["code"], str) and isinstance(error["message"], str)):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            return f"a {response.status_code} outside the error envelope"
    return None


def operations(documents, keep: Callable[[Operation], bool]) -> list[Operation]:
    return [
        op
        for op in every_operation(documents)
        if not any(x in op.path for x in LEFT_OUT) and keep(op)
    ]


# text -----------------------------------------------------------------------------------------------
NASTY = [
    "\x00",
    "\x01",
    "\x1b[2J",
    "\x7f",
    "\u0085",
    "\u2028",
    "\u202e",
    "\ufeff",
    "\ud800",
    "\udfff",
    "\uffff",
    "\r\n",
    "\t",
    "𝕏",
    "a\x00b",
    "",
]
TEXT = st.one_of(
    st.sampled_from(NASTY),
    st.text(st.characters(codec=None, exclude_categories=()), max_size=60),
    st.lists(st.characters(max_codepoint=0x1F) | st.sampled_from(NASTY), max_size=8).map("".join),
)


def string_fields(schema: dict) -> dict[str, str]:
    """The free-text fields of a body: name -> "text", "texts" (a list) or "map" (names to texts)."""
    fields = {}
    for name, sub in (schema or {}).get("properties", {}).items():
        options = [o for o in (sub.get("anyOf") or [sub]) if o.get("type") != "null"]
        kind = options[0] if options else {}
        if kind.get("type") == "string" and "enum" not in kind and "format" not in kind:
            fields[name] = "text"
        elif (
            kind.get("type") == "array"
            and kind.get("items", {}).get("type") == "string"
            and "format" not in kind["items"]
        ):
            fields[name] = "texts"
        elif kind.get("type") == "object" and isinstance(kind.get("additionalProperties"), dict):
            fields[name] = "map"
    return fields


def shaped(kind: str, text: str):
    return {"text": text, "texts": [text], "map": {text or "k": text}}[kind]


def test_control_characters_in_any_text_field_are_kept_or_refused(documents, send, fuzzed):
    for op in operations(documents, lambda op: op.body is not None):
        base = example(op.body, fuzzed.ids)
        for name, kind in string_fields(op.body).items():

            @given(text=TEXT)
            @bounded(5)
            def fuzz(text):
                send(op, body={**base, name: shaped(kind, text)})

            fuzz()
    assert not send.found, send.found.report()


# durations, recurrence, calendar edges -----------------------------------------------------------------
DURATIONS = [
    "P0D",
    "PT0S",
    "-P1D",
    "P-1D",
    "P1.5D",
    "PT0.5S",
    "P",
    "PT",
    "P1Y2M3W4DT5H6M7S",
    "p1d",
    " P1D ",
    "P99999999999999999999D",
    "PT9999999999999999H",
    "P10000Y",
    "P1E3D",
    "P１D",
    "P٣D",
    "P1D\x00",
    "P1DT",
]
DURATION = st.one_of(
    st.from_regex(
        r"\AP(\d{1,20}Y)?(\d{1,20}M)?(\d{1,20}W)?(\d{1,20}D)?(T(\d{1,20}H)?(\d{1,20}M)?(\d{1,20}S)?)?\Z"
    ),
    st.sampled_from(DURATIONS),
    TEXT,
)
RRULE_PARTS = {
    "FREQ": [
        "YEARLY",
        "MONTHLY",
        "WEEKLY",
        "DAILY",
        "HOURLY",
        "MINUTELY",
        "SECONDLY",
        "FORTNIGHTLY",
        "",
    ],
    "INTERVAL": ["1", "0", "-1", "999999999999", "1.5", "x"],
    "COUNT": ["1", "0", "-3", "99999999999999999999"],
    "UNTIL": ["00010101", "99991231T235959Z", "20000101", "20991231T000000", "nope"],
    "BYDAY": ["MO", "+53MO", "-1FR", "0MO", "+99TU", "XX"],
    "BYMONTHDAY": ["31", "-31", "0", "32", "30"],
    "BYMONTH": ["2", "13", "0", "-1"],
    "BYYEARDAY": ["366", "-366", "367", "0"],
    "BYWEEKNO": ["53", "-53", "54"],
    "BYSETPOS": ["1", "-1", "0", "367"],
    "BYHOUR": ["0", "23", "24"],
    "WKST": ["SU", "ZZ"],
}
RRULE = st.one_of(
    st.fixed_dictionaries(
        {"FREQ": st.sampled_from(RRULE_PARTS["FREQ"])},
        optional={k: st.sampled_from(v) for k, v in RRULE_PARTS.items() if k != "FREQ"},
    ).map(lambda parts: ";".join(f"{k}={v}" for k, v in parts.items())),
    TEXT,
)
# sent every run, besides what is drawn: rules no day satisfies (a search for the next one never ends),
# prefixed and multi-line rules, one that ended before it starts
RULES = [
    "FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30",
    "FREQ=MINUTELY;BYMONTH=2;BYMONTHDAY=31",
    "FREQ=HOURLY;BYYEARDAY=366;BYMONTH=2",
    "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
    "FREQ=SECONDLY;BYWEEKNO=53;BYMONTH=1;BYMONTHDAY=31;BYDAY=MO",
    "RRULE:FREQ=DAILY",
    "FREQ=DAILY\nDTSTART:20200101T000000",
    "FREQ=DAILY;UNTIL=20000101",
]
EDGE_DATES = [
    "0001-01-01",
    "9999-12-31",
    "1899-12-31",
    "1900-01-01",
    "2999-12-31",
    "3000-01-01",
    "2024-02-29",
    "2023-02-29",
    "10000-01-01",
    "0000-01-01",
    "-0001-01-01",
    "2031-13-01",
]
EDGE_TIMES = [
    "9999-12-31T23:59:59-14:00",
    "9999-12-31T23:59:59+14:00",
    "0001-01-01T00:00:00+14:00",
    "0001-01-01T00:00:00-14:00",
    "2031-05-17T10:00:00+14:01",
    "2031-05-17T10:00:00-23:59",
    "2031-05-17T10:00:00",
    "2031-05-17T24:00:00Z",
    "2031-05-17T10:00:60Z",
    "9999-12-31T23:59:59.999999Z",
    "2031-05-17T10:00:00+14:00",
    "2031-05-17T10:00:00-12:00",
    "1970-01-01T00:00:00Z",
]
DATE = st.one_of(st.sampled_from(EDGE_DATES), st.dates().map(str))
TIME = st.one_of(
    st.sampled_from(EDGE_TIMES),
    st.builds(
        lambda d, minutes: (
            f"{d.isoformat(timespec='seconds')}{'+' if minutes >= 0 else '-'}"
            f"{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
        ),
        st.datetimes(),
        st.integers(-14 * 60, 14 * 60),
    ),
)


TOPICS = {DURATION: "durations", RRULE: "recurrence rules", TIME: "times", DATE: "dates"}
# what each kind of value is always tried with: the calendar's edges, and the inputs known to be hard
ALWAYS = {DURATION: DURATIONS, RRULE: RULES, TIME: EDGE_TIMES, DATE: EDGE_DATES}


def always(values: list):
    """Each of `values` as an explicit example of the test."""

    def add(test):
        for value in values:
            test = explicitly(value=value)(test)
        return test

    return add


def find(documents, method: str, suffix: str) -> Operation:
    [op] = [
        op for op in every_operation(documents) if op.method == method and op.path.endswith(suffix)
    ]
    return op


def test_durations_rrules_and_calendar_edges_are_kept_or_refused(documents, send):
    create_task, update_task = (
        find(documents, "POST", "/tasks"),
        find(documents, "PATCH", "/tasks/{task_id}"),
    )
    snooze = find(documents, "POST", "/snooze")
    due = {"title": "Fuzzed", "due_at": later(30)}
    cases = [
        (create_task, DURATION, lambda v: {"body": {**due, "reminders": [v]}}),
        (update_task, DURATION, lambda v: {"body": {"reminders": [v], "due_at": later(30)}}),
        (snooze, DURATION, lambda v: {"body": {"for": v}}),
        (
            create_task,
            TIME,
            lambda v: {"body": {**due, "due_at": v, "reminders": ["P1D"], "rrule": "FREQ=YEARLY"}},
        ),
        (update_task, TIME, lambda v: {"body": {"due_at": v}}),
        (snooze, TIME, lambda v: {"body": {"until": v}}),
        (
            find(documents, "POST", "/occasions"),
            DATE,
            lambda v: {"body": {"name": "Edge", "date": v, "recurs_yearly": True}},
        ),
        (
            find(documents, "PATCH", "/occasions/{occasion_id}"),
            DATE,
            lambda v: {"body": {"date": v}},
        ),
        (
            find(documents, "GET", "/tasks"),
            TIME,
            lambda v: {"params": {"due_after": v, "due_before": v}},
        ),
        (find(documents, "GET", "/my-tasks"), TIME, lambda v: {"params": {"due_after": v}}),
        (find(documents, "GET", "/audit"), TIME, lambda v: {"params": {"since": v, "until": v}}),
        # last: a rule whose next date is searched for without end keeps a gateway worker busy after the answer
        # is given up on, which would slow every case after it
        (update_task, RRULE, lambda v: {"body": {"rrule": v, "due_at": later(30)}}),
        (create_task, RRULE, lambda v: {"body": {**due, "rrule": v}}),
    ]
    for op, values, request in cases:

        @given(value=values)
        @always(ALWAYS[values])
        @bounded(8)
        def fuzz(value):
            send(op, **request(value), topic=TOPICS[values])

        fuzz()
    assert not send.found, send.found.report()


# cursors -------------------------------------------------------------------------------------------
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=8,
)


def encoded(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


CURSOR = st.one_of(
    JSON.map(lambda v: encoded(json.dumps(v).encode())),
    st.lists(
        st.sampled_from(
            [
                "",
                "x",
                "2031-05-17",
                "9999-12-31T23:59:59+14:00",
                "0001-01-01",
                "1e999",
                "-1",
                "00000000-0000-0000-0000-000000000000",
                "NaN",
                "\x00",
                "\ud800",
            ]
        ),
        max_size=3,
    ).map(lambda v: encoded(json.dumps(v).encode())),
    st.binary(max_size=40).map(encoded),
    st.sampled_from(["n-1", "n99999999999999999999999", "bjE", "bi0x", "n1e9"]).map(
        lambda v: encoded(v.encode())
    ),
    TEXT,
)


def test_crafted_cursors_on_every_paged_route_are_refused(documents, send):
    for op in operations(documents, lambda op: op.paged and op.method == "GET"):

        @given(cursor=CURSOR, limit=st.sampled_from([1, 2, 200]))
        @bounded(10)
        def fuzz(cursor, limit):
            send(op, params={"cursor": cursor, "limit": limit})

        fuzz()
    assert not send.found, send.found.report()
