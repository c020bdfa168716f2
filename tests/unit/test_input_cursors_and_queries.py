"""Cursors and query strings as clients send them back: a crafted one is a 422 naming what is wrong,
never a value the database cannot take."""

import base64
import json
import uuid
from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.cursors import MAX_BIGINT, InvalidCursor, decode_cursor, encode_cursor
from shared.validation.query import MAX_QUERY_LENGTH, query_problem

TASKS = (datetime, uuid.UUID)  # a task list's key: due time, id
AUDIT = (datetime, int)  # the audit log's: recorded at, entry id


def forged(values) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def test_a_cursor_round_trips():
    key = [datetime(9999, 12, 31, tzinfo=UTC), uuid.uuid4()]  # a task without a due time sorts last
    assert decode_cursor(encode_cursor(key), TASKS) == key
    assert decode_cursor(encode_cursor(["Zoë 🎁", uuid.UUID(int=1)]), (str, uuid.UUID)) == [
        "Zoë 🎁",
        uuid.UUID(int=1),
    ]
    assert decode_cursor(encode_cursor([date(2026, 2, 28), 7]), (date, int)) == [
        date(2026, 2, 28),
        7,
    ]


@pytest.mark.parametrize(
    ("cursor", "kinds"),
    [
        (forged(["2026-01-01T00:00:00+00:00", -1]), TASKS),  # an id that is a number
        (
            forged(["9999-12-31T23:59:59-14:00", str(uuid.uuid4())]),
            TASKS,
        ),  # its UTC time is in the year 10000
        (
            forged(["0001-01-01T00:00:00+14:00", str(uuid.uuid4())]),
            TASKS,
        ),  # and this one in the year 0
        (forged(["2026-01-01T00:00:00", str(uuid.uuid4())]), TASKS),  # no offset
        (forged(["2026-01-01T00:00:00+00:00", 10**30]), AUDIT),  # beyond a bigint
        (forged(["2026-01-01T00:00:00+00:00", True]), AUDIT),
        (forged(["2026-01-01T00:00:00+00:00", 1.5]), AUDIT),
        (forged(["2026-01-01T00:00:00+00:00", "12"]), AUDIT),
        (forged([["nested"], 1]), AUDIT),
        (forged({"not": "a list"}), AUDIT),
        (forged(["only one"]), AUDIT),
        (forged(["a\x00b", str(uuid.uuid4())]), (str, uuid.UUID)),
        ("not-a-cursor", AUDIT),
        ("!!!", AUDIT),
        ("", AUDIT),
        ("W" * 2000, AUDIT),
        (base64.urlsafe_b64encode(b"[" * 10000).decode(), AUDIT),
    ],
)
def test_a_crafted_cursor_is_a_field_error(cursor, kinds):
    with pytest.raises(InvalidCursor) as refused:
        decode_cursor(cursor, kinds)
    assert refused.value.status_code == 422
    assert refused.value.details == [
        {
            "field": "query.cursor",
            "problem": "is not a cursor this list gave out; start again without one",
        }
    ]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        (b"subject=a%00b", "query.subject"),
        (b"q=%1b%5b31m", "query.q"),
        (b"a%00=1", "query"),
        (b"subject=" + b"x" * 20_000, "query"),
    ],
)
def test_a_query_string_no_route_should_read_is_named(query, field):
    assert query_problem(query)[0] == field


def test_an_ordinary_query_string_passes():
    assert (
        query_problem(
            b"type=claim&type=gift.created&since=2026-01-01T00%3A00%3A00%2B01%3A00&limit=50"
        )
        is None
    )
    assert query_problem(b"q=caf%C3%A9+cr%C3%A8me") is None
    assert query_problem(b"x" * MAX_QUERY_LENGTH) is None


# properties ----------------------------------------------------------------------------------------
KEYS = st.tuples(st.datetimes(timezones=st.timezones()), st.uuids()) | st.tuples(
    st.datetimes(timezones=st.just(UTC)), st.integers(min_value=-MAX_BIGINT, max_value=MAX_BIGINT)
)


@settings(max_examples=300, deadline=None)
@given(
    cursor=st.text(max_size=80)
    | st.binary(max_size=60).map(lambda b: base64.urlsafe_b64encode(b).decode())
    | st.lists(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30), max_size=3
    ).map(forged),
    kinds=st.sampled_from([TASKS, AUDIT, (str, uuid.UUID), (date, uuid.UUID), (int,)]),
)
def test_any_cursor_decodes_to_values_of_its_kinds_or_is_a_field_error(cursor, kinds):
    try:
        values = decode_cursor(cursor, kinds)
    except InvalidCursor:
        return
    for kind, value in zip(kinds, values, strict=True):
        assert isinstance(value, kind)
        if kind is int:
            assert -MAX_BIGINT <= value <= MAX_BIGINT
        if kind is datetime:
            assert value.tzinfo is not None and 1 <= value.astimezone(UTC).year <= 9999


@settings(max_examples=200, deadline=None)
@given(key=KEYS)
def test_every_key_a_page_ends_on_round_trips(key):
    kinds = (datetime, uuid.UUID) if isinstance(key[1], uuid.UUID) else AUDIT
    try:
        key[0].astimezone(UTC)
    except OverflowError:
        return  # not an instant PostgreSQL could have given out
    at, key_id = decode_cursor(encode_cursor(list(key)), kinds)
    # the same instant (compared in UTC: PEP 495 makes a repeated wall time unequal across zones)
    assert (at.astimezone(UTC), key_id) == (key[0].astimezone(UTC), key[1])


@settings(max_examples=300, deadline=None)
@given(query=st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_any_query_string_is_passed_or_named(query):
    problem = query_problem(query)
    assert problem is None or problem[0].startswith("query")
