"""How a consumer cuts a delivered batch into runs for handlers that take several events at once."""

import uuid

from shared.consumer import BulkConsumer, Envelope, Together, parse
from shared.events import HouseholdCreated
from shared.events.household import HouseholdUpdated, MemberJoined


async def _each(session, envelope):
    return None


async def _many(session, envelopes):
    return None


households, members = Together(_many), Together(_many)
HANDLERS = {
    HouseholdCreated.event_type(): households,
    HouseholdUpdated.event_type(): households,
    MemberJoined.event_type(): members,
}
CATCH_ALL = _each


def envelope(event_type: str) -> Envelope:
    household_id = str(uuid.uuid4())
    data = {
        "household_id": household_id,
        "name": "Smiths",
        "created_at": "2026-11-01T10:00:00Z",
        "timezone": "UTC",
        "changed": ["timezone"],
        "user_id": str(uuid.uuid4()),
        "display_name": "Ben",
        "role": "adult",
        "joined_at": "2026-11-01T10:00:00Z",
    }
    raw = {"id": str(uuid.uuid4()), "type": event_type, "source": "giftflow/gateway", "data": data}
    _, parsed, _ = parse(raw, HANDLERS, catch_all=True)
    return parsed


def runs(batch: list[Envelope], fresh=None):
    consumer = BulkConsumer("test", None, None, HANDLERS, catch_all=CATCH_ALL)
    fresh = {e.cloudevent.id for e in batch} if fresh is None else fresh
    return [
        (handler, [e.cloudevent.id for e in run])
        for handler, run in consumer._runs([(str(i), e) for i, e in enumerate(batch)], fresh)
    ]


CREATED, UPDATED, JOINED = (
    HouseholdCreated.event_type(),
    HouseholdUpdated.event_type(),
    MemberJoined.event_type(),
)
OTHER = "giftflow.sample.noted.v1"  # no contract: the catch-all takes it as it is


def test_consecutive_events_for_one_together_handler_are_one_run_in_delivery_order():
    batch = [envelope(t) for t in (CREATED, UPDATED, CREATED, JOINED, JOINED, CREATED)]
    ids = [e.cloudevent.id for e in batch]
    assert runs(batch) == [
        (households, ids[0:3]),
        (members, ids[3:5]),
        (households, ids[5:6]),  # after another handler's run: order across runs is kept
    ]


def test_an_event_for_a_one_at_a_time_handler_is_a_run_of_its_own_and_splits_a_run():
    batch = [envelope(t) for t in (CREATED, OTHER, OTHER, CREATED)]
    ids = [e.cloudevent.id for e in batch]
    assert runs(batch) == [
        (households, ids[0:1]),
        (_each, ids[1:2]),
        (_each, ids[2:3]),
        (households, ids[3:4]),
    ]


def test_a_redelivered_event_and_a_repeat_in_the_batch_are_left_out_of_the_runs():
    first, seen_before, second = (envelope(CREATED) for _ in range(3))
    batch = [first, seen_before, first, second]
    fresh = {first.cloudevent.id, second.cloudevent.id}
    assert runs(batch, fresh) == [(households, [first.cloudevent.id, second.cloudevent.id])]
