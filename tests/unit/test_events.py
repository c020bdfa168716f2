import uuid
from datetime import UTC, datetime

import pytest

from shared.events import EVENT_TYPES, Event, HouseholdCreated, split_type
from shared.outbox import to_cloudevent


def test_event_type_is_past_tense_and_versioned():
    assert HouseholdCreated.event_type() == "giftflow.household.created.v1"
    assert EVENT_TYPES["giftflow.household.created.v1"] is HouseholdCreated


def test_split_type_reads_name_and_version():
    assert split_type("giftflow.list_item.status_changed.v2") == ("list_item.status_changed", 2)


def test_split_type_rejects_foreign_or_unversioned_types():
    assert split_type("com.example.thing.v1") is None
    assert split_type("giftflow.gift.claimed") is None
    assert split_type("giftflow.gift.claimed.vX") is None


def test_cloudevent_id_subject_and_household_come_from_the_outbox_row_and_event():
    household_id = uuid.uuid4()
    event = HouseholdCreated(household_id=household_id, name="Smiths", created_at=datetime.now(UTC))
    event_id = uuid.uuid4()
    ce = to_cloudevent(event, event_id, datetime.now(UTC))
    assert ce["id"] == str(event_id)
    assert ce["type"] == "giftflow.household.created.v1"
    assert ce["subject"] == str(household_id)
    assert ce["household"] == str(household_id)
    assert ce["data"]["name"] == "Smiths"
    assert ce["specversion"] == "1.0"


def test_consumers_ignore_fields_they_do_not_know():
    data = {
        "household_id": str(uuid.uuid4()),
        "name": "A",
        "created_at": "2026-01-01T00:00:00Z",
        "new": 1,
    }
    assert HouseholdCreated.model_validate(data).name == "A"


@pytest.mark.parametrize(
    "contract",
    sorted(EVENT_TYPES.values(), key=lambda c: c.event_type()),
    ids=lambda c: c.event_type(),
)
def test_every_contract_resolves_its_aggregate_id_from_its_own_fields(contract):
    values = {
        name: uuid.uuid4() for name in contract.model_fields
    }  # stand-ins: only ids matter here
    event = contract.model_construct(**values)
    assert event.aggregate_id() in values.values()
    if (
        contract.aggregate_id is Event.aggregate_id
    ):  # not one of the few keyed by more than one field
        assert contract.model_fields[contract.aggregate_field].annotation is uuid.UUID
