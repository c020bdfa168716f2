"""What the household is told of its gift history: who hears of a received gift, an occasion wrapped
up and gifts revealed, in words a family reads, and how each is mailed."""

import uuid
from datetime import date

from services.notification.audience import KINDS, notification_audience, stream_audience
from services.notification.mail.kinds import DEFAULT_MODES, mail_kind, modes_for
from services.notification.wording import Names, describe, entity_change
from shared.events import history as hi

HOUSEHOLD = uuid.uuid4()
ANN, BEN, CLEO, DAD = (uuid.uuid4() for _ in range(4))  # admin, adult, child, adult
FAMILY = [ANN, BEN, CLEO, DAD]
CLEO_PERSON, GRANDMA, RUTH = (uuid.uuid4() for _ in range(3))
NAMES = Names(
    members={ANN: "Ann", BEN: "Ben", CLEO: "Cleo", DAD: "Dad"},
    things={CLEO_PERSON: "Cleo", GRANDMA: "Grandma"},
    roles={ANN: "admin", BEN: "adult", CLEO: "child", DAD: "adult"},
    links={CLEO_PERSON: CLEO},
)
CHRISTMAS = uuid.uuid4()


def recorded(actor=BEN, person=CLEO_PERSON, source="received", **facts) -> hi.GiftRecorded:
    return hi.GiftRecorded(
        household_id=HOUSEHOLD,
        actor_id=actor,
        record_id=uuid.uuid4(),
        person_id=person,
        source=source,
        title="Wool scarf",
        occurs_on=date(2026, 12, 6),
        **({"giver_names": ("Aunt Ruth",)} | facts),
    )


def wrapped_up(**facts) -> hi.OccasionWrappedUp:
    return hi.OccasionWrappedUp(
        household_id=HOUSEHOLD,
        occasion_id=CHRISTMAS,
        name="Christmas",
        occurs_on=date(2026, 12, 25),
        gifts=7,
        person_ids=(CLEO_PERSON,),
        hidden_persons=(CLEO_PERSON,),
        hidden_from=(CLEO,),
        **facts,
    )


def revealed(only_for=(CLEO,), gifts=3) -> hi.GiftsRevealed:
    return hi.GiftsRevealed(
        household_id=HOUSEHOLD,
        occasion_id=CHRISTMAS,
        name="Christmas",
        occurs_on=date(2026, 12, 25),
        person_id=CLEO_PERSON,
        gifts=gifts,
        only_for=only_for,
    )


def told(event, names=NAMES) -> tuple[str | None, list[uuid.UUID]]:
    notice = describe(event, names)
    return (notice.text, notification_audience(FAMILY, event, notice, {})) if notice else (None, [])


def test_a_received_gift_is_told_to_the_grown_ups_but_not_whoever_recorded_it():
    text, audience = told(recorded(actor=BEN))
    assert text == "Ben recorded a gift Cleo received from Aunt Ruth: “Wool scarf”"
    assert audience == [ANN, DAD]


def test_a_gift_recorded_by_its_own_recipient_says_so_and_a_child_may_record_one():
    text, audience = told(recorded(actor=CLEO, giver_names=("Grandma", "Grandpa", "Uncle Joe")))
    assert text == "Cleo recorded a gift from Grandma, Grandpa and Uncle Joe: “Wool scarf”"
    assert audience == [ANN, BEN, DAD]


def test_a_giver_of_the_household_without_a_name_in_the_event_is_named_from_the_person():
    text, _ = told(recorded(giver_names=(), giver_person_id=GRANDMA))
    assert text == "Ben recorded a gift Cleo received from Grandma: “Wool scarf”"
    # someone not known here by name yet: the sentence still reads
    unknown = recorded(person=uuid.uuid4(), giver_names=(), giver_person_id=uuid.uuid4())
    assert told(unknown)[0] == "Ben recorded a gift received: “Wool scarf”"


def test_a_gift_the_household_gave_is_nobodys_notification_nor_a_thank_you():
    given = recorded(actor=None, source="given", hidden_persons=(CLEO_PERSON,), hidden_from=(CLEO,))
    assert describe(given, NAMES) is None
    thanked = hi.GiftThanked(
        household_id=HOUSEHOLD,
        actor_id=CLEO,
        record_id=uuid.uuid4(),
        person_id=CLEO_PERSON,
        title="Wool scarf",
        thanked=True,
    )
    assert describe(thanked, NAMES) is None
    # pages still refresh, and a given record's change never reaches its recipient
    assert CLEO not in stream_audience(FAMILY, given)
    assert entity_change(
        thanked.event_type(), thanked.model_dump(mode="json"), str(thanked.record_id)
    ) == {
        "entity": "history",
        "id": str(thanked.record_id),
        "change": "thanked",
        "person_id": str(CLEO_PERSON),
    }


def test_an_occasion_wrapped_up_is_told_to_everyone_but_whose_gifts_they_are():
    event = wrapped_up()
    text, audience = told(event)
    assert text == "Christmas 2026 is over: 7 gifts are in the history"
    assert audience == [ANN, BEN, DAD]
    assert CLEO not in stream_audience(FAMILY, event)
    # the history's pages refresh, and the occasions' page is not bothered
    assert entity_change(event.event_type(), event.model_dump(mode="json"), str(CHRISTMAS)) == {
        "entity": "history",
        "id": str(CHRISTMAS),
        "change": "wrapped_up",
    }
    one = wrapped_up().model_copy(update={"name": "Ann's 40th birthday 2026", "gifts": 1})
    assert describe(one, NAMES).text == "Ann's 40th birthday 2026 is over: 1 gift is in the history"


def test_revealed_gifts_are_told_to_their_recipient_alone():
    event = revealed(only_for=(CLEO,))
    text, audience = told(event)
    assert text == "Your gifts from Christmas 2026 are in your history"
    assert audience == [CLEO]
    assert stream_audience([*FAMILY, uuid.uuid4()], event) == [CLEO]
    assert (
        describe(revealed(gifts=1), NAMES).text
        == "Your gift from Christmas 2026 is in your history"
    )
    unnamed = revealed().model_copy(update={"name": ""})
    assert describe(unnamed, NAMES).text == "Your gifts from 25 December 2026 are in your history"
    # an event that names nobody tells nobody
    assert told(revealed(only_for=()))[1] == []


def test_history_is_a_kind_to_turn_off_and_to_mail_in_the_daily_digest_by_default():
    assert "history" in KINDS
    for event in (recorded(), wrapped_up(), revealed()):
        notice = describe(event, NAMES)
        assert notice.kind == "history" and mail_kind(notice) == "history"
    assert DEFAULT_MODES["history"] == "daily"
    assert "now" in modes_for("history")
