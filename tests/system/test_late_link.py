"""A person linked to a member after the surprises were planned: the member learns none of them, through
notifications, the live stream's replay or the audit log, however long before the link they happened."""

import json

from tests.integration.accounts import family, invite_and_join
from tests.integration.gifting import Gifting
from tests.sse_client import open_stream
from tests.system.conftest import eventually
from tests.system.test_notifications import known_to_notifications

PLEDGE = "37.71"
COMMENT = "Hidden in the garden shed until the day"


async def test_a_member_linked_later_learns_nothing_of_the_surprises_planned_before(stack, gateway):
    household_id, ann, ben, _ = await family(gateway)
    dan = await invite_and_join(gateway, household_id, admin=ann, role="adult", name="Dan")
    await known_to_notifications(gateway, household_id, ben, dan)
    g = Gifting(gateway, household_id)
    grandpa = await g.person(ann, "Grandpa")  # nobody is Grandpa yet
    wishes = await g.new_list(ann, grandpa, kind="wish", name="Grandpa's wishes")
    pipe = await g.add_item(ann, wishes, "Carved pipe", price="80.00")
    claim = await g.claim(dan, pipe["id"])
    assert claim.status_code == 201
    await g.ok("PUT", dan, f"/gifts/{pipe['gift_id']}/pledges/mine", 201, json={"amount": PLEDGE})
    await g.move(dan, pipe["id"], "selected", "purchased")
    await g.ok(
        "POST",
        dan,
        f"/gifts/{pipe['gift_id']}/comments",
        201,
        json={"body": COMMENT, "surprise": True},
    )
    secrets = {PLEDGE, COMMENT, "purchased", claim.json()["id"]}

    notifications = f"/api/households/{household_id}/notifications"

    async def bens_notices() -> str:
        return (await gateway.get(notifications, params={"limit": 200}, headers=ben.headers)).text

    # before the link Ben may know all of it, and does: this is what must go away
    async def ben_heard_of_the_comment() -> bool:
        return COMMENT in await bens_notices()

    await eventually(ben_heard_of_the_comment, "Ben's notification of Dan's comment")
    assert PLEDGE in await bens_notices()

    await g.ok("PATCH", ann, f"/people/{grandpa}", json={"linked_user_id": ben.user_id})
    await gateway.patch(
        f"/api/households/{household_id}/members/{ben.user_id}",
        json={"role": "admin"},
        headers=ann.headers,
    )

    async def nothing_left() -> bool:
        notices = await bens_notices()
        return not any(s in notices for s in secrets)

    await eventually(nothing_left, "Ben's notifications forgetting the surprises for Grandpa")

    async with open_stream(
        gateway, f"{notifications}/stream", cookie=ben.access_token, params={"since": 0}
    ) as replay:
        await replay.until(lambda e: e.event == "ready")
    replayed = json.dumps([e.data for e in replay.seen])
    assert not [s for s in secrets if s in replayed]

    audit = f"/api/households/{household_id}/audit"

    async def ben_reads_the_audit_log() -> bool:
        return (await gateway.get(audit, headers=ben.headers)).status_code == 200

    await eventually(ben_reads_the_audit_log, "Ben, now an admin, reading the audit log")
    # the whole log, page by page: Ann's own entries are there, none of Dan's surprises
    seen, cursor = [], None
    while True:
        page = (
            await gateway.get(
                audit,
                params={"limit": 50, **({"cursor": cursor} if cursor else {})},
                headers=ben.headers,
            )
        ).json()
        seen += page["items"]
        if not (cursor := page.get("next_cursor")):
            break
    log = json.dumps(seen)
    assert "Grandpa's wishes" in log
    assert not [s for s in secrets if s in log]
    # Ann, who is not Grandpa, still reads all of it
    anns = (await gateway.get(audit, params={"limit": 200}, headers=ann.headers)).text
    assert PLEDGE in anns and COMMENT in anns
