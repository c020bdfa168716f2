"""A stream message is encoded once, by the hub, for every open stream of its members; the stream's own
messages (`ready`, `resync`) and heartbeats are encoded beside them. Each must read, to an EventSource,
as the message it was made from: checked with the event-stream interpretation of the HTML standard
(https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation)."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.notification.event_stream import HEARTBEAT, control
from services.notification.stream_messages import _Bodies, event_body, frame


def interpret(stream: bytes) -> tuple[list[dict], int | None]:
    """What an EventSource dispatches from `stream`: each event's type, data and last event id, and
    the reconnection time it was told, as the standard's algorithm says."""
    events: list[dict] = []
    data, event_type, last_id, retry = "", "", "", None
    for line in re.split(r"\r\n|\r|\n", stream.decode())[:-1]:  # an unfinished last line is dropped
        if line == "":
            if data:
                events.append({"type": event_type or "message", "data": data[:-1], "id": last_id})
            data, event_type = "", ""
            continue
        if line.startswith(":"):
            continue
        name, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if name == "data":
            data += value + "\n"
        elif name == "event":
            event_type = value
        elif name == "id" and "\0" not in value:
            last_id = value
        elif name == "retry" and value.isdigit():
            retry = int(value)
    return events, retry


def _normalized(data: str) -> str:
    return re.sub(r"\r\n|\r", "\n", data)


@pytest.mark.parametrize(
    "data",
    [
        '{"entity": "gift", "id": "7", "change": "created"}',
        '{"text": "Ann added the gift \\u201cLego\\u201d"}',
        "first line\nsecond\r\nthird\rlast",
    ],
)
def test_a_frame_reads_as_its_message(data: str):
    events, _ = interpret(frame(42, event_body("entity_changed", data)))
    assert events == [{"type": "entity_changed", "data": _normalized(data), "id": "42"}]


@given(
    event=st.sampled_from(["notification", "entity_changed", "history"]),
    data=st.text(st.characters(blacklist_categories=("Cs",)), min_size=1),
    seq=st.integers(min_value=0, max_value=2**63 - 1),
)
def test_any_message_reads_back_as_sent_and_ends_where_the_next_begins(
    event: str, data: str, seq: int
):
    first = frame(seq, event_body(event, data))
    second = frame(seq + 1, event_body("entity_changed", "{}"))
    events, _ = interpret(first + HEARTBEAT + second)
    assert events == [
        {"type": event, "data": _normalized(data), "id": str(seq)},
        {"type": "entity_changed", "data": "{}", "id": str(seq + 1)},
    ]


def test_the_streams_own_messages_carry_their_position_and_the_reconnection_time():
    events, retry = interpret(control("ready", '{"position": 5, "unread": 2}', 5, 2000))
    assert events == [{"type": "ready", "data": '{"position": 5, "unread": 2}', "id": "5"}]
    assert retry == 2000
    events, retry = interpret(control("resync", '{"position": 9}', 9))
    assert events == [{"type": "resync", "data": '{"position": 9}', "id": "9"}] and retry is None


def test_a_heartbeat_is_a_comment_that_dispatches_nothing():
    assert interpret(HEARTBEAT) == ([], None)
    assert HEARTBEAT.startswith(b":")


def test_one_message_to_many_members_is_encoded_once_and_numbered_per_member():
    bodies = _Bodies()
    first = bodies.message(3, "entity_changed", '{"id": "1"}')
    second = bodies.message(9, "entity_changed", '{"id": "1"}')
    other = bodies.message(4, "entity_changed", '{"id": "2"}')

    assert len(bodies) == 2
    assert first.frame.startswith(b"id: 3\r\n") and second.frame.startswith(b"id: 9\r\n")
    assert first.frame[len(b"id: 3\r\n") :] == second.frame[len(b"id: 9\r\n") :]
    assert other.frame != first.frame
