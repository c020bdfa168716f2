"""How a consumer classifies what Dapr delivers, before any database is involved."""

import uuid

from shared.consumer import Outcome, parse
from shared.events import HouseholdCreated


async def _noop(session, envelope):
    return None


HANDLERS = {HouseholdCreated.event_type(): _noop}


def cloudevent(**overrides):
    ce = {
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "source": "giftflow/gateway",
        "type": "giftflow.household.created.v1",
        "data": {
            "household_id": str(uuid.uuid4()),
            "name": "Smiths",
            "created_at": "2026-11-01T10:00:00Z",
        },
    }
    ce.update(overrides)
    return ce


def test_a_valid_event_with_a_handler_is_parsed_into_its_contract():
    outcome, envelope, _ = parse(cloudevent(), HANDLERS)
    assert outcome is Outcome.SUCCESS
    assert isinstance(envelope.event, HouseholdCreated)


def test_an_event_without_an_id_is_poison():
    raw = cloudevent()
    del raw["id"]
    outcome, envelope, reason = parse(raw, HANDLERS)
    assert (outcome, envelope) == (Outcome.DROP, None)
    assert "CloudEvent" in reason


def test_data_that_breaks_the_contract_is_poison():
    outcome, _, reason = parse(cloudevent(data={"household_id": "not-a-uuid"}), HANDLERS)
    assert outcome is Outcome.DROP
    assert "invalid giftflow.household.created.v1" in reason


def test_an_unknown_version_of_a_handled_event_is_poison():
    outcome, _, reason = parse(cloudevent(type="giftflow.household.created.v9"), HANDLERS)
    assert outcome is Outcome.DROP
    assert "v9" in reason


def test_a_known_event_nobody_here_handles_is_acknowledged_and_ignored():
    outcome, envelope, _ = parse(cloudevent(type="giftflow.gift.created.v1"), HANDLERS)
    assert (outcome, envelope) == (Outcome.SUCCESS, None)


def test_a_catch_all_consumer_takes_well_formed_events_without_a_contract():
    outcome, envelope, _ = parse(
        cloudevent(type="giftflow.future.thing.v1", data={"x": 1}), {}, catch_all=True
    )
    assert outcome is Outcome.SUCCESS
    assert envelope.event is None
    assert envelope.cloudevent.data == {"x": 1}


def test_a_body_that_is_not_an_object_is_poison():
    outcome, envelope, _ = parse("garbage", HANDLERS)
    assert (outcome, envelope) == (Outcome.DROP, None)
