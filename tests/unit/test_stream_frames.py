"""A stream message is encoded once, by the hub, for every open stream of its members: the bytes must be
exactly what sse-starlette writes for the same message, so a stream's messages all look alike."""

import pytest
from sse_starlette import ServerSentEvent

from services.notification.stream_messages import _Bodies, event_body, frame


@pytest.mark.parametrize(
    "data",
    [
        '{"entity": "gift", "id": "7", "change": "created"}',
        '{"text": "Ann added the gift \\u201cLego\\u201d"}',
        "first line\nsecond\r\nthird\rlast",
        "",
    ],
)
def test_a_frame_is_what_sse_starlette_writes_for_the_message(data: str):
    expected = ServerSentEvent(data=data, event="entity_changed", id="42").encode()
    assert frame(42, event_body("entity_changed", data)) == expected


def test_one_message_to_many_members_is_encoded_once_and_numbered_per_member():
    bodies = _Bodies()
    first = bodies.message(3, "entity_changed", '{"id": "1"}')
    second = bodies.message(9, "entity_changed", '{"id": "1"}')
    other = bodies.message(4, "entity_changed", '{"id": "2"}')

    assert len(bodies) == 2
    assert first.frame.startswith(b"id: 3\r\n") and second.frame.startswith(b"id: 9\r\n")
    assert first.frame[len(b"id: 3\r\n") :] == second.frame[len(b"id: 9\r\n") :]
    assert other.frame != first.frame
