"""The surprise rules: what a member may learn about lists, gifts and items meant for them."""

import uuid
from datetime import UTC, datetime

from services.gateway.models.gifts import Gift, GiftPersonLink, GiftRole
from services.gateway.models.lists import ListItem
from services.gateway.surprise import (
    ON_MY_LIST,
    GiftFacts,
    ListFacts,
    View,
    Viewer,
    comment_visible,
    gift_view,
    hidden,
    item_view,
    list_view,
    person_facts_visible,
    present_gift,
    present_item,
)

ann_id, ben_id, cleo_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
ann_p, ben_p, cleo_p, grandpa_p = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
ann = Viewer(ann_id, person_ids=frozenset({ann_p}))
ben = Viewer(ben_id, person_ids=frozenset({ben_p}))
cleo = Viewer(cleo_id, is_child=True, person_ids=frozenset({cleo_p}))


def a_list(owner, kind="wish", visibility="household", created_by=ann_id) -> ListFacts:
    return ListFacts(owner_person_id=owner, kind=kind, visibility=visibility, created_by=created_by)


def a_gift(*lists: ListFacts, recipients=(), from_santa=False) -> GiftFacts:
    return GiftFacts(
        recipient_person_ids=frozenset(recipients) | {lst.owner_person_id for lst in lists},
        from_santa=from_santa,
        lists=lists,
    )


def test_a_wisher_sees_their_own_wish_list_redacted_and_others_see_it_in_full():
    wishes = a_list(cleo_p)
    assert list_view(cleo, wishes) is View.REDACTED
    assert list_view(ann, wishes) is View.FULL
    assert item_view(cleo, wishes, a_gift(wishes)) is View.REDACTED
    assert item_view(ben, wishes, a_gift(wishes)) is View.FULL


def test_idea_lists_about_a_member_are_hidden_from_them_entirely():
    ideas = a_list(cleo_p, kind="idea")
    gift = a_gift(ideas)
    assert list_view(cleo, ideas) is View.HIDDEN
    assert item_view(cleo, ideas, gift) is View.HIDDEN
    assert gift_view(cleo, gift) is View.HIDDEN
    assert gift_view(ann, gift) is View.FULL


def test_a_gift_on_both_the_wish_list_and_an_idea_list_shows_only_the_wish():
    wishes, ideas = a_list(cleo_p), a_list(cleo_p, kind="idea")
    gift = a_gift(wishes, ideas)
    assert gift_view(cleo, gift) is View.REDACTED
    assert item_view(cleo, wishes, gift) is View.REDACTED
    assert item_view(cleo, ideas, gift) is View.HIDDEN


def test_a_gift_linked_to_a_recipient_is_hidden_from_them_even_on_someone_elses_list():
    grandpas = a_list(grandpa_p)
    gift = a_gift(grandpas, recipients=[cleo_p])  # a present for both, planned on grandpa's list
    assert item_view(cleo, grandpas, gift) is View.HIDDEN
    assert gift_view(cleo, gift) is View.HIDDEN
    assert item_view(ben, grandpas, gift) is View.FULL


def test_private_lists_are_seen_only_by_their_maker():
    private = a_list(grandpa_p, visibility="private", created_by=ben_id)
    assert list_view(ben, private) is View.FULL
    assert list_view(ann, private) is View.HIDDEN
    assert item_view(ann, private, a_gift(private)) is View.HIDDEN


def test_santas_gifts_are_hidden_from_the_other_children_and_shown_as_from_santa_to_their_child():
    wishes = a_list(cleo_p)
    gift = a_gift(wishes, from_santa=True)
    sibling = Viewer(uuid.uuid4(), is_child=True)
    assert gift_view(sibling, gift) is View.HIDDEN
    assert item_view(sibling, wishes, gift) is View.HIDDEN
    assert gift_view(ann, gift) is View.FULL
    shown = present_gift(cleo, View.REDACTED, _gift(from_santa=True), [], [])
    assert shown.giver == "Santa" and shown.from_santa is None
    assert present_gift(ann, View.FULL, _gift(from_santa=True), [], []).from_santa is True


def test_an_adult_recipient_learns_nothing_of_santa():
    wishes = a_list(ann_p)
    shown = present_gift(ann, View.REDACTED, _gift(from_santa=True), [], [])
    assert shown.giver is None and shown.from_santa is None
    assert gift_view(ann, a_gift(wishes, from_santa=True)) is View.REDACTED


def test_a_redacted_item_shows_the_wish_but_not_its_status_claims_or_purchase():
    item = _item(
        status="purchased",
        claimed_quantity=1,
        purchased_by=ben_id,
        added_by=cleo_id,
        notes="size M",
        notes_by=cleo_id,
    )
    shown = present_item(cleo, View.REDACTED, item, "Jumper")
    assert shown.status == ON_MY_LIST and shown.quantity == 2 and shown.gift_title == "Jumper"
    assert (
        shown.claimed_quantity is None and shown.purchased_by is None and shown.purchased_at is None
    )
    assert shown.status_changed_at is None and shown.updated_at is None
    assert shown.notes == "size M"  # the wisher's own words
    full = present_item(ann, View.FULL, item, "Jumper")
    assert full.status == "purchased" and full.claimed_quantity == 1 and full.purchased_by == ben_id


def test_a_recipient_does_not_read_the_givers_notes_or_see_who_gives():
    links = [
        GiftPersonLink(person_id=cleo_p, role=GiftRole.RECIPIENT),
        GiftPersonLink(person_id=ann_p, role=GiftRole.PURCHASER),
        GiftPersonLink(person_id=ben_p, role=GiftRole.CONTRIBUTOR),
    ]
    gift = _gift(notes="ordered, arrives on the 20th", created_by=ann_id)
    shown = present_gift(cleo, View.REDACTED, gift, ["books"], links)
    assert shown.notes is None
    assert [p.role for p in shown.people] == [GiftRole.RECIPIENT]
    assert len(present_gift(ben, View.FULL, gift, ["books"], links).people) == 3


def test_a_recipient_does_not_read_notes_a_giver_wrote_on_their_own_wish():
    item = _item(added_by=cleo_id, notes="got the blue one", notes_by=ben_id)
    assert present_item(cleo, View.REDACTED, item, "Jumper").notes is None
    assert present_item(ann, View.FULL, item, "Jumper").notes == "got the blue one"
    gift = _gift(notes="got the blue one", created_by=cleo_id, notes_by=ben_id)
    assert present_gift(cleo, View.REDACTED, gift, [], []).notes is None


def test_surprise_comments_stay_away_from_recipients_but_their_own_words_do_not():
    assert not comment_visible(cleo, View.REDACTED, surprise=True, author_id=ann_id)
    assert comment_visible(cleo, View.REDACTED, surprise=False, author_id=ann_id)
    assert comment_visible(cleo, View.REDACTED, surprise=True, author_id=cleo_id)
    assert comment_visible(ann, View.FULL, surprise=True, author_id=ben_id)
    assert not comment_visible(ann, View.HIDDEN, surprise=False, author_id=ann_id)


def test_budgets_and_coverage_about_a_person_are_kept_from_them():
    assert not person_facts_visible(cleo, cleo_p)
    assert person_facts_visible(ann, cleo_p)


def test_events_are_hidden_from_everyone_who_does_not_see_their_subject_in_full():
    ideas, wishes = a_list(cleo_p, kind="idea"), a_list(cleo_p)
    members = [ann, ben, cleo]

    def users(view_of, seen=(View.FULL,)):
        return hidden(members, view_of, about=(), seen=seen).users

    assert users(lambda v: item_view(v, ideas, a_gift(ideas))) == (cleo_id,)
    assert users(lambda v: item_view(v, wishes, a_gift(wishes))) == (cleo_id,)
    assert (
        users(lambda v: item_view(v, wishes, a_gift(wishes)), seen=(View.FULL, View.REDACTED)) == ()
    )
    assert users(
        lambda v: list_view(v, a_list(ben_p, visibility="private", created_by=ann_id))
    ) == tuple(sorted((ben_id, cleo_id), key=str))


def _gift(from_santa=False, notes=None, created_by=None, notes_by=None) -> Gift:
    now = datetime.now(UTC)
    return Gift(
        id=uuid.uuid4(),
        household_id=uuid.uuid4(),
        title="Jumper",
        from_santa=from_santa,
        notes=notes,
        created_by=created_by,
        notes_by=notes_by or (created_by if notes else None),
        created_at=now,
        updated_at=now,
    )


def _item(**fields) -> ListItem:
    now = datetime.now(UTC)
    defaults = dict(
        id=uuid.uuid4(),
        household_id=uuid.uuid4(),
        list_id=uuid.uuid4(),
        gift_id=uuid.uuid4(),
        quantity=2,
        claimed_quantity=0,
        status="idea",
        status_changed_at=now,
        purchased_at=now,
        created_at=now,
        updated_at=now,
    )
    return ListItem(**(defaults | fields))


def test_a_gift_only_on_lists_kept_from_the_viewer_is_hidden_unless_they_added_it():
    private = a_list(grandpa_p, visibility="private", created_by=ben_id)
    only_private = GiftFacts(
        recipient_person_ids=frozenset({grandpa_p}), lists=(private,), created_by=ann_id
    )
    assert gift_view(cleo, only_private) is View.HIDDEN
    assert gift_view(ben, only_private) is View.FULL
    assert gift_view(ann, only_private) is View.FULL  # she added it
    also_shared = GiftFacts(
        recipient_person_ids=frozenset({grandpa_p}), lists=(private, a_list(grandpa_p))
    )
    assert gift_view(cleo, also_shared) is View.FULL
    on_no_list = GiftFacts(recipient_person_ids=frozenset(), created_by=ann_id)
    assert gift_view(cleo, on_no_list) is View.FULL


def test_an_event_about_a_person_is_kept_from_whoever_is_linked_to_them_later():
    grandpas_wishes = a_list(grandpa_p)
    gift = a_gift(grandpas_wishes)
    kept = hidden(
        [ann, ben], lambda v: item_view(v, grandpas_wishes, gift), about=gift.recipient_person_ids
    )
    assert kept.users == ()  # nobody is Grandpa yet
    assert kept.persons == (grandpa_p,)  # but whoever becomes him must never see it
    assert kept.fields == {"hidden_from": (), "hidden_persons": (grandpa_p,)}


def test_what_a_wisher_may_see_of_their_own_list_is_not_kept_from_them_later_either():
    grandpas_wishes = a_list(grandpa_p)
    gift = a_gift(grandpas_wishes)
    kept = hidden(
        [ann],
        lambda v: item_view(v, grandpas_wishes, gift),
        about={grandpa_p},
        seen=(View.FULL, View.REDACTED),
    )
    assert kept.persons == ()


def test_only_the_people_an_event_is_about_are_kept_from_it():
    idea = a_list(cleo_p, kind="idea")
    gift = a_gift(idea, recipients={grandpa_p})
    kept = hidden(
        [ann, ben, cleo], lambda v: gift_view(v, gift), about=gift.recipient_person_ids | {ann_p}
    )
    assert kept.users == (cleo_id,)
    assert set(kept.persons) == {cleo_p, grandpa_p}


def test_a_pick_is_seen_by_its_givers_member_or_for_a_person_who_is_no_member_by_the_organizer():
    from services.gateway.surprise import pick_viewers

    family = [ann, ben, cleo]
    assert pick_viewers(family, ben_p, organizer_id=ann_id) == {ben_id}
    assert pick_viewers(family, grandpa_p, organizer_id=ann_id) == {ann_id}
    # the organizer's account gone: nobody holds a proxied pick
    assert pick_viewers(family, grandpa_p, organizer_id=None) == frozenset()
