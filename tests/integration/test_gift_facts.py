"""The surprise facts of a gift, read in the middle of a use case, include what that use case has
changed so far: whom an event is hidden from must count a list the gift was just put on."""

import uuid

from services.gateway.models.lists import ListItem
from services.gateway.use_cases.audience import gift_facts
from tests.integration.accounts import family
from tests.integration.gifting import Gifting


async def test_a_list_the_gift_was_just_put_on_in_the_same_transaction_is_among_its_facts(
    gateway_client, sessions_for
):
    household_id, ann, ben, _ = await family(gateway_client)
    g = Gifting(gateway_client, household_id)
    gran, grandad = await g.person(ann, "Gran"), await g.person(ann, "Grandad")
    grans_list = await g.new_list(ann, gran, kind="idea")
    grandads_list = await g.new_list(ann, grandad, kind="idea")
    item = await g.add_item(ann, grans_list, "Scarf")
    gift_id = uuid.UUID(item["gift_id"])

    async with sessions_for("gateway")() as session, session.begin():
        before = await gift_facts(session, gift_id)
        session.add(
            ListItem(
                household_id=uuid.UUID(household_id),
                list_id=uuid.UUID(grandads_list),
                gift_id=gift_id,
                quantity=1,
            )
        )  # added, not yet written
        after = await gift_facts(session, gift_id)

    assert before.recipient_person_ids == {uuid.UUID(gran)}
    assert after.recipient_person_ids == {uuid.UUID(gran), uuid.UUID(grandad)}
    assert {lst.owner_person_id for lst in after.lists} == {uuid.UUID(gran), uuid.UUID(grandad)}
