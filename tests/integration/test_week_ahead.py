"""The week ahead a digest tells of, as the gateway answers the notification service's sidecar: the
member's own dashboard, so what is planned for them stays out of it; only the sidecar may ask."""

import datetime as dt
import uuid

from tests.integration.accounts import family
from tests.integration.gifting import Gifting
from tests.integration.test_tasks_api import APP_TOKEN, gateway  # noqa: F401 (a fixture)

AS_SIDECAR = {"dapr-api-token": APP_TOKEN}


def week_ahead(household_id: str, user_id: str) -> str:
    return f"/api/internal/households/{household_id}/members/{user_id}/week-ahead"


async def test_the_week_ahead_is_the_members_own_side_of_the_surprise(gateway):  # noqa: F811
    hid, ann, ben, _ = await family(gateway)
    g = Gifting(gateway, hid)
    ben_p = await g.person(ann, "Ben", linked_to=ben)
    soon = (dt.date.today() + dt.timedelta(days=4)).isoformat()
    birthday = await g.occasion(ann, "Ben's birthday", soon, [ben_p], recurs_yearly=False)
    ideas = await g.new_list(ann, ben_p, kind="idea", name="For Ben", occasion_id=birthday)
    kite = await g.add_item(ann, ideas, "Secret kite", price="20.00")
    assert (await g.claim(ann, kite["id"])).status_code == 201

    refused = await gateway.post(week_ahead(hid, ann.user_id), json={}, headers=ann.headers)
    assert refused.status_code == 401  # a member's own token is not the sidecar's

    anns = await gateway.post(week_ahead(hid, ann.user_id), json={"days": 7}, headers=AS_SIDECAR)
    bens = await gateway.post(week_ahead(hid, ben.user_id), json={"days": 7}, headers=AS_SIDECAR)
    assert anns.status_code == bens.status_code == 200, (anns.text, bens.text)
    assert [c["gift_title"] for c in anns.json()["my_claims"]] == ["Secret kite"]
    [occasion] = bens.json()["occasions"]
    assert occasion["occasion"]["name"] == "Ben's birthday" and occasion["people"] == []
    assert "kite" not in bens.text.lower()

    stranger = await gateway.post(week_ahead(hid, str(uuid.uuid4())), json={}, headers=AS_SIDECAR)
    assert stranger.status_code == 404
    too_far = await gateway.post(
        week_ahead(hid, ann.user_id), json={"days": 1000}, headers=AS_SIDECAR
    )
    assert too_far.status_code == 422
