"""Pure gifting rules: the status pipeline, when occasions come next, event contracts."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest

from services.gateway.models.lists import GiftList, ItemStatus
from services.gateway.surprise import Viewer
from services.gateway.use_cases.items import TRANSITIONS, check_priority_setter, check_transition
from services.gateway.use_cases.occasions import next_occurrence
from shared.errors import Conflict, Forbidden
from shared.events import EVENT_TYPES, TOPICS
from shared.events.gifting import (
    ClaimAdded,
    ListItemStatusChanged,
    ListItemUpdated,
    OccasionCreated,
    PledgeAdded,
)

S = ItemStatus


@pytest.mark.parametrize(
    "current,new",
    [
        (S.IDEA, S.SELECTED),
        (S.SELECTED, S.PURCHASED),
        (S.PURCHASED, S.WRAPPED),
        (S.WRAPPED, S.GIVEN),
        (S.PURCHASED, S.SELECTED),
    ],
)
def test_the_pipeline_moves_one_step_at_a_time(current, new):
    check_transition(current, new)


@pytest.mark.parametrize(
    "current,new",
    [
        (S.IDEA, S.PURCHASED),
        (S.IDEA, S.GIVEN),
        (S.SELECTED, S.WRAPPED),
        (S.GIVEN, S.WRAPPED),
        (S.IDEA, S.IDEA),
    ],
)
def test_a_skipped_or_final_move_is_refused_naming_what_is_allowed(current, new):
    with pytest.raises(Conflict) as refused:
        check_transition(current, new)
    assert refused.value.details["allowed"] == [s.value for s in TRANSITIONS[current]]
    for allowed in TRANSITIONS[current]:
        assert allowed.value in refused.value.message


def test_every_status_is_reachable_from_idea_and_given_is_final():
    reached, frontier = {S.IDEA}, [S.IDEA]
    while frontier:
        for nxt in TRANSITIONS[frontier.pop()]:
            if nxt not in reached:
                reached.add(nxt)
                frontier.append(nxt)
    assert reached == set(S) and TRANSITIONS[S.GIVEN] == ()


def test_a_yearly_occasion_comes_next_this_year_or_next():
    today = dt.date(2026, 6, 15)
    assert next_occurrence(dt.date(1990, 6, 15), True, today) == dt.date(2026, 6, 15)
    assert next_occurrence(dt.date(1990, 3, 1), True, today) == dt.date(2027, 3, 1)
    assert next_occurrence(dt.date(2030, 1, 1), True, today) == dt.date(2030, 1, 1)


def test_a_leap_day_birthday_falls_on_the_28th_in_other_years():
    assert next_occurrence(dt.date(2000, 2, 29), True, dt.date(2026, 1, 1)) == dt.date(2026, 2, 28)
    assert next_occurrence(dt.date(2000, 2, 29), True, dt.date(2028, 1, 1)) == dt.date(2028, 2, 29)


def test_a_one_off_occasion_has_no_next_date_once_past():
    assert next_occurrence(dt.date(2026, 6, 1), False, dt.date(2026, 6, 15)) is None
    assert next_occurrence(dt.date(2026, 7, 1), False, dt.date(2026, 6, 15)) == dt.date(2026, 7, 1)


def test_gifting_events_are_past_tense_versioned_and_on_known_topics():
    gifting = {t: c for t, c in EVENT_TYPES.items() if c.__module__ == "shared.events.gifting"}
    assert {
        "giftflow.claim.added.v1",
        "giftflow.claim.removed.v1",
        "giftflow.list_item.status_changed.v1",
        "giftflow.gift.created.v1",
        "giftflow.occasion.created.v1",
        "giftflow.pledge.added.v1",
        "giftflow.comment.added.v1",
        "giftflow.person.deleted.v1",
    } <= set(gifting)
    assert all(c.topic in TOPICS for c in gifting.values())


def test_claims_are_keyed_by_their_item_and_carry_whom_to_hide_them_from():
    hid, item, cleo = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    event = ClaimAdded(
        household_id=hid,
        hidden_from=(cleo,),
        claim_id=uuid.uuid4(),
        list_item_id=item,
        list_id=uuid.uuid4(),
        gift_id=uuid.uuid4(),
        user_id=uuid.uuid4(),
        quantity=1,
        claimed_quantity=1,
        wanted_quantity=1,
    )
    assert event.aggregate_id() == item and event.topic == "claim"
    assert event.model_dump(mode="json")["hidden_from"] == [str(cleo)]
    status = ListItemStatusChanged(
        household_id=hid,
        list_item_id=item,
        list_id=uuid.uuid4(),
        gift_id=uuid.uuid4(),
        gift_title="Kite",
        previous_status="idea",
        status="selected",
    )
    assert status.aggregate_id() == item


def test_money_and_dates_travel_as_strings():
    pledge = PledgeAdded(
        household_id=uuid.uuid4(),
        pledge_id=uuid.uuid4(),
        gift_id=uuid.uuid4(),
        user_id=uuid.uuid4(),
        amount=Decimal("12.50"),
        currency="EUR",
    )
    assert pledge.model_dump(mode="json")["amount"] == "12.50"
    occasion = OccasionCreated(
        household_id=uuid.uuid4(),
        occasion_id=uuid.uuid4(),
        name="Xmas",
        kind="christmas",
        date=dt.date(2026, 12, 25),
        recurs_yearly=True,
    )
    assert occasion.model_dump(mode="json")["date"] == "2026-12-25"


def _wish_list(kind: str = "wish") -> GiftList:
    return GiftList(
        household_id=uuid.uuid4(),
        name="Wishes",
        kind=kind,
        visibility="household",
        person_id=uuid.uuid4(),
    )


def test_only_the_wisher_ranks_a_members_wish_list():
    wisher, giver = Viewer(uuid.uuid4()), Viewer(uuid.uuid4())
    check_priority_setter(wisher, _wish_list(), wisher.user_id)
    with pytest.raises(Forbidden):
        check_priority_setter(giver, _wish_list(), wisher.user_id)
    check_priority_setter(giver, _wish_list(), None)  # someone without an account: the keepers rank
    check_priority_setter(giver, _wish_list("idea"), wisher.user_id)  # ideas are the givers' own


def test_an_item_event_from_before_priorities_reads_as_normal():
    ids = {k: uuid.uuid4() for k in ("household_id", "list_item_id", "list_id", "gift_id")}
    assert ListItemUpdated(**ids, quantity=1).priority == "normal"
