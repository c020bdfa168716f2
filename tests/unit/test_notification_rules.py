"""Who hears of what: the audience and surprise rules of the notification service, and what it says."""

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

from services.notification.audience import (
    Notice,
    Preferences,
    notification_audience,
    stream_audience,
)
from services.notification.wording import Names, describe, entity_change
from shared.events import gifting as g
from shared.events import tasks as t

HOUSEHOLD = uuid.uuid4()
ANN, BEN, CLEO, DAD = (uuid.uuid4() for _ in range(4))
FAMILY = [ANN, BEN, CLEO, DAD]
NAMES = Names(members={ANN: "Ann", BEN: "Ben", CLEO: "Cleo", DAD: "Dad"})


def claim(actor=ANN, hidden_from=(CLEO,), list_id=None) -> g.ClaimAdded:
    return g.ClaimAdded(
        household_id=HOUSEHOLD,
        actor_id=actor,
        hidden_from=hidden_from,
        claim_id=uuid.uuid4(),
        list_item_id=uuid.uuid4(),
        list_id=list_id or uuid.uuid4(),
        gift_id=uuid.uuid4(),
        user_id=actor,
        quantity=1,
        claimed_quantity=1,
        wanted_quantity=1,
    )


def notice_of(event) -> Notice:
    notice = describe(event, NAMES)
    assert notice is not None
    return notice


def test_a_claim_is_notified_to_everyone_but_the_claimer_and_the_recipient():
    event = claim(actor=ANN, hidden_from=(CLEO,))
    assert notification_audience(FAMILY, event, notice_of(event), {}) == [BEN, DAD]


def test_the_recipient_does_not_even_hear_that_something_changed():
    event = claim(actor=ANN, hidden_from=(CLEO,))
    assert CLEO not in stream_audience(FAMILY, event)


def test_the_actor_hears_of_the_change_on_their_other_pages_but_gets_no_notification():
    event = claim(actor=ANN, hidden_from=(CLEO,))
    assert ANN in stream_audience(FAMILY, event)
    assert ANN not in notification_audience(FAMILY, event, notice_of(event), {})


def test_everyone_hidden_means_nobody_hears():
    event = claim(actor=ANN, hidden_from=(BEN, CLEO, DAD))
    assert notification_audience(FAMILY, event, notice_of(event), {}) == []
    assert stream_audience(FAMILY, event) == [ANN]


def test_a_member_who_turned_a_kind_off_is_not_notified_of_it_but_still_sees_the_change():
    event = claim(hidden_from=())
    prefs = {BEN: Preferences(disabled_kinds=frozenset({"claim"}))}
    assert BEN not in notification_audience(FAMILY, event, notice_of(event), prefs)
    assert BEN in stream_audience(FAMILY, event)


def test_a_muted_list_is_silent_for_who_muted_it_only():
    muted = uuid.uuid4()
    event = claim(hidden_from=(), list_id=muted)
    prefs = {BEN: Preferences(muted_list_ids=frozenset({muted}))}
    assert notification_audience(FAMILY, event, notice_of(event), prefs) == [CLEO, DAD]


def test_a_task_given_to_someone_notifies_only_them():
    event = t.TaskCreated(
        household_id=HOUSEHOLD,
        actor_id=ANN,
        task_id=uuid.uuid4(),
        revision=1,
        title="Order the cake",
        status="open",
        assignee_id=DAD,
    )
    notice = notice_of(event)
    assert notification_audience(FAMILY, event, notice, {}) == [DAD]
    assert notice.text == "Ann gave you a task: “Order the cake”"


def next_time(**facts) -> t.TaskCreated:
    return t.TaskCreated(
        household_id=HOUSEHOLD,
        actor_id=None,
        task_id=uuid.uuid4(),
        revision=1,
        title="Water the plants",
        status="open",
        series_id=uuid.uuid4(),
        occurrence_at=datetime(2027, 1, 8, 8, tzinfo=UTC),
        due_at=datetime(2027, 1, 8, 8, tzinfo=UTC),
        timezone="Europe/Berlin",
        rrule="FREQ=DAILY;INTERVAL=3",
        recurrence_mode="from_completion",
        **facts,
    )


def test_the_next_time_of_a_repeating_chore_is_announced_as_the_next_one_with_its_due_time():
    event = next_time(assignee_id=DAD)
    notice = notice_of(event)
    # due at 08:00 UTC is 09:00 at home in Berlin in January
    assert notice.text == "Next: “Water the plants”, due Fri 8 Jan at 09:00, assigned to Dad"
    assert "Someone" not in notice.text and "gave you" not in notice.text
    assert notification_audience(FAMILY, event, notice, {}) == [DAD]


def test_the_next_turn_of_a_rotating_chore_is_everyones_news_and_an_open_one_is_up_for_grabs():
    rotating = next_time(assignee_id=BEN, rotation=(ANN, BEN), rotation_mode="round_robin")
    notice = notice_of(rotating)
    assert notice.text.endswith(", assigned to Ben")
    assert set(notification_audience(FAMILY, rotating, notice, {})) == set(FAMILY)

    open_one = next_time()
    notice = notice_of(open_one)
    assert notice.text.endswith(", open for anyone to take")
    assert set(notification_audience(FAMILY, open_one, notice, {})) == set(FAMILY)


def test_a_task_given_back_is_up_for_grabs_for_everyone_but_whoever_gave_it_back():
    event = t.TaskUpdated(
        household_id=HOUSEHOLD,
        actor_id=BEN,
        task_id=uuid.uuid4(),
        revision=3,
        title="Mow the lawn",
        status="open",
        assignee_id=None,
        changed=("assignee_id",),
    )
    notice = notice_of(event)
    assert notice.text == "“Mow the lawn” is up for grabs"
    assert set(notification_audience(FAMILY, event, notice, {})) == {ANN, CLEO, DAD}
    # taken: it is the taker's, and nobody needs telling
    taken = event.model_copy(update={"assignee_id": BEN})
    assert notification_audience(FAMILY, taken, notice_of(taken), {}) == []


def test_a_reminder_goes_to_whom_it_names_but_never_to_a_hidden_member():
    event = t.ReminderTriggered(
        household_id=HOUSEHOLD,
        reminder_id=uuid.uuid4(),
        occasion_id=uuid.uuid4(),
        title="Cleo's birthday",
        occasion_date=date(2026, 12, 3),
        offset="P7D",
        remind_at=datetime.now(UTC),
        fired_at=datetime.now(UTC),
        notify_user_ids=(ANN, CLEO),
        hidden_from=(CLEO,),
    )
    notice = notice_of(event)
    assert notification_audience(FAMILY, event, notice, {}) == [ANN]
    assert notice.kind == "reminder" and notice.text == "Reminder: Cleo's birthday is on 3 December"


def test_a_claim_notification_names_who_claimed_and_the_gift():
    event = claim(actor=BEN)
    names = Names(members=NAMES.members, things={event.gift_id: "Lego castle"})
    notice = describe(event, names)
    assert notice.text == "Ben claimed “Lego castle”"
    assert (notice.kind, notice.entity, notice.entity_id, notice.list_id) == (
        "claim",
        "list_item",
        event.list_item_id,
        event.list_id,
    )


def test_unknown_names_read_naturally():
    event = g.PledgeAdded(
        household_id=HOUSEHOLD,
        actor_id=uuid.uuid4(),
        pledge_id=uuid.uuid4(),
        gift_id=uuid.uuid4(),
        user_id=ANN,
        amount=Decimal("20.00"),
        currency="EUR",
    )
    assert describe(event, Names()).text == "Someone pledged 20.00 EUR toward a gift"


def test_edits_and_deletions_change_pages_without_notifying():
    event = g.ListItemUpdated(
        household_id=HOUSEHOLD,
        actor_id=ANN,
        list_item_id=uuid.uuid4(),
        list_id=uuid.uuid4(),
        gift_id=uuid.uuid4(),
        quantity=2,
    )
    assert describe(event, NAMES) is None
    assert entity_change(
        event.event_type(), event.model_dump(mode="json"), str(event.list_item_id)
    ) == {
        "entity": "list_item",
        "id": str(event.list_item_id),
        "change": "updated",
        "list_id": str(event.list_id),
        "gift_id": str(event.gift_id),
    }


def test_entity_changed_messages_carry_ids_only():
    event = g.ListItemStatusChanged(
        household_id=HOUSEHOLD,
        actor_id=ANN,
        list_item_id=uuid.uuid4(),
        list_id=uuid.uuid4(),
        gift_id=uuid.uuid4(),
        gift_title="Bike",
        previous_status="selected",
        status="purchased",
    )
    message = entity_change(
        event.event_type(), event.model_dump(mode="json"), str(event.list_item_id)
    )
    assert message["change"] == "status_changed"
    assert "Bike" not in str(message) and "purchased" not in str(message)


def test_a_member_change_names_the_member_and_invitations_stay_quiet():
    user = uuid.uuid4()
    assert entity_change("giftflow.member.joined.v1", {"user_id": str(user)}, str(HOUSEHOLD)) == {
        "entity": "member",
        "id": str(user),
        "change": "joined",
    }
    assert (
        entity_change(
            "giftflow.invitation.created.v1", {"invitation_id": str(user)}, str(HOUSEHOLD)
        )
        is None
    )


def _pick(only_for, as_proxy=False):
    from shared.events.exchanges import ExchangePickDrawn

    return ExchangePickDrawn(
        household_id=HOUSEHOLD,
        actor_id=ANN,
        only_for=only_for,
        exchange_id=uuid.uuid4(),
        name="Cousins",
        draw_round=1,
        giver_person_id=uuid.uuid4(),
        giver_name="Grandpa" if as_proxy else "Ben",
        receiver_person_id=uuid.uuid4(),
        receiver_name="Cleo",
        as_proxy=as_proxy,
    )


def test_a_gift_exchange_pick_is_told_to_its_giver_and_nobody_else():
    event = _pick((BEN,))
    notice = notice_of(event)
    assert notice.text == "“Cousins”: you give to Cleo"
    assert notification_audience(FAMILY, event, notice, {}) == [BEN]
    assert stream_audience(FAMILY, event) == [BEN]


def test_the_pick_of_a_person_who_is_no_member_is_told_to_the_organizer_as_their_proxy():
    event = _pick((DAD,), as_proxy=True)
    notice = notice_of(event)
    assert notice.text == "“Cousins”: Grandpa gives to Cleo"
    assert notification_audience(FAMILY, event, notice, {}) == [DAD]
    # a member who joins later is not in `only_for` either
    assert stream_audience([*FAMILY, uuid.uuid4()], event) == [DAD]


def test_a_redraw_is_told_to_everyone_taking_part_without_any_pick():
    from shared.events.exchanges import ExchangeDrawn

    event = ExchangeDrawn(
        household_id=HOUSEHOLD,
        actor_id=ANN,
        exchange_id=uuid.uuid4(),
        occasion_id=uuid.uuid4(),
        name="Cousins",
        deadline=date(2026, 12, 24),
        member_ids=(ANN, BEN, CLEO),
        draw_round=2,
        givers=4,
    )
    notice = notice_of(event)
    assert notice.text == "Names for “Cousins” were drawn again: your earlier pick no longer counts"
    assert notification_audience(FAMILY, event, notice, {}) == [BEN, CLEO]
