"""A member's calendar subscription, as a calendar app and as the family meet it: the feed is read with
the secret address alone and parsed with a second iCalendar library (vobject); what it shows is checked
against the API; it costs a calendar app's poll almost nothing when nothing changed; revoking it, or
leaving the household, closes it; and the person a gift is for finds nothing of it there."""

import datetime as dt

import httpx
import pytest
import vobject

from tests.integration.accounts import family, invite_and_join, outbox_events
from tests.integration.gifting import Gifting


def feeds(household_id: str) -> str:
    return f"/api/households/{household_id}/calendar-feeds"


async def subscribe(client: httpx.AsyncClient, household_id: str, who, name="Phone") -> dict:
    response = await client.post(feeds(household_id), json={"name": name}, headers=who.headers)
    assert response.status_code == 201, response.text
    return response.json()


async def read(client: httpx.AsyncClient, url: str, **headers) -> httpx.Response:
    return await client.get(url, headers=headers)  # no sign-in: the address is the key


def events_of(response: httpx.Response) -> dict[str, vobject.base.Component]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = vobject.readOne(response.text)
    return {e.summary.value: e for e in getattr(calendar, "vevent_list", [])}


async def test_the_feed_shows_occasions_and_my_tasks_as_the_api_does(gateway_client):
    household_id, ann, ben, _ = await family(gateway_client)
    g = Gifting(gateway_client, household_id)
    await g.ok("PATCH", ann, "", json={"timezone": "Europe/Berlin"})
    grandma = await g.person(ann, "Grandma")
    await g.occasion(ann, "Grandma's birthday", "1950-02-28", [grandma])
    await g.occasion(ann, "Leap day party", "2028-02-29", [], kind="other")
    mine = await g.ok(
        "POST",
        ann,
        "/tasks",
        201,
        json={
            "title": "Water the plants",
            "assignee_id": ann.user_id,
            "due_at": "2027-01-05T09:00:00+01:00",
            "reminders": ["P1D", "PT2H"],
            "rrule": "FREQ=WEEKLY;COUNT=3",
        },
    )
    await g.ok(
        "POST",
        ann,
        "/tasks",
        201,
        json={"title": "Ben's chore", "assignee_id": ben.user_id, "due_at": "2027-01-06T10:00:00Z"},
    )
    await g.ok("POST", ann, "/tasks", 201, json={"title": "Someday", "assignee_id": ann.user_id})

    feed = await subscribe(gateway_client, household_id, ann)
    events = events_of(await read(gateway_client, feed["url"]))
    assert set(events) == {"Grandma's birthday", "Leap day party", "Water the plants"}

    occasions = (await g.ok("GET", ann, "/occasions"))["items"]
    for occasion in occasions:
        event = events[occasion["name"]]
        assert event.dtstart.value == dt.date.fromisoformat(occasion["date"])
        # the next day the calendar shows is the one giftflow names
        today = dt.date.today()
        upcoming = next(d.date() for d in event.getrruleset() if d.date() >= today)
        assert upcoming.isoformat() == occasion["next_date"]
    assert events["Grandma's birthday"].description.value == "For Grandma"

    water = events["Water the plants"]
    assert water.dtstart.value == dt.datetime.fromisoformat(mine["due_at"])
    assert water.dtstart.value.utcoffset() == dt.timedelta(hours=1)  # Berlin, in January
    assert [d.isoformat() for d in water.getrruleset()] == [
        "2027-01-05T09:00:00+01:00",
        "2027-01-12T09:00:00+01:00",
        "2027-01-19T09:00:00+01:00",
    ]
    assert sorted(-a.trigger.value for a in water.valarm_list) == [
        dt.timedelta(hours=2),
        dt.timedelta(days=1),
    ]


async def test_an_unchanged_feed_costs_a_poll_one_small_answer(gateway_client):
    household_id, ann, _, _ = await family(gateway_client)
    g = Gifting(gateway_client, household_id)
    feed = await subscribe(gateway_client, household_id, ann)
    first = await read(gateway_client, feed["url"])
    assert first.status_code == 200
    etag = first.headers["etag"]

    again = await read(gateway_client, feed["url"], **{"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    weak = await read(gateway_client, feed["url"], **{"If-None-Match": f'W/{etag}, "other"'})
    assert weak.status_code == 304

    task = await g.ok(
        "POST",
        ann,
        "/tasks",
        201,
        json={
            "title": "Post the cards",
            "assignee_id": ann.user_id,
            "due_at": "2027-12-01T09:00:00Z",
        },
    )
    changed = await read(gateway_client, feed["url"], **{"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert "Post the cards" in events_of(changed)

    await g.ok("PATCH", ann, f"/tasks/{task['id']}", json={"title": "Post the Christmas cards"})
    renamed = await read(gateway_client, feed["url"], **{"If-None-Match": changed.headers["etag"]})
    assert "Post the Christmas cards" in events_of(renamed)


async def test_revoking_or_leaving_closes_the_address(gateway_client):
    household_id, ann, ben, _ = await family(gateway_client)
    phone = await subscribe(gateway_client, household_id, ann, "Phone")
    laptop = await subscribe(gateway_client, household_id, ann, "Laptop")
    bens = await subscribe(gateway_client, household_id, ben, "Ben's phone")

    listed = (await gateway_client.get(feeds(household_id), headers=ann.headers)).json()
    assert [f["name"] for f in listed] == ["Phone", "Laptop"]
    assert all("url" not in f for f in listed)  # the address is shown once, when it is made

    # nobody else can revoke it, not even an admin for someone else's
    other = await gateway_client.delete(f"{feeds(household_id)}/{phone['id']}", headers=ben.headers)
    assert other.status_code == 404
    revoked = await gateway_client.delete(
        f"{feeds(household_id)}/{phone['id']}", headers=ann.headers
    )
    assert revoked.status_code == 204
    gone = await read(gateway_client, phone["url"])
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "not_found"
    assert (await read(gateway_client, laptop["url"])).status_code == 200

    left = await gateway_client.delete(
        f"/api/households/{household_id}/members/{ben.user_id}", headers=ben.headers
    )
    assert left.status_code == 204, left.text
    assert (await read(gateway_client, bens["url"])).status_code == 404


async def test_the_events_say_who_subscribed_but_never_the_address(gateway_client, admin_db):
    household_id, ann, _, _ = await family(gateway_client)
    feed = await subscribe(gateway_client, household_id, ann)
    await gateway_client.delete(f"{feeds(household_id)}/{feed['id']}", headers=ann.headers)
    events = await outbox_events(admin_db, household_id)
    mine = [e for e in events if ".calendar_feed." in e["type"]]
    assert [e["type"] for e in mine] == [
        "giftflow.calendar_feed.created.v1",
        "giftflow.calendar_feed.revoked.v1",
    ]
    token = feed["url"].rsplit("/", 1)[-1].removesuffix(".ics")
    assert all(token not in str(e) for e in events)


async def test_a_member_keeps_at_most_twenty_and_is_told_so(gateway_client):
    household_id, ann, _, _ = await family(gateway_client)
    for n in range(20):
        await subscribe(gateway_client, household_id, ann, f"Device {n}")
    refused = await gateway_client.post(
        feeds(household_id), json={"name": "One more"}, headers=ann.headers
    )
    assert refused.status_code == 409
    assert "revoke one" in refused.json()["error"]["message"]


@pytest.mark.parametrize("token", ["short", "x" * 101, "has.dots.in.it.and.more.of.them"])
async def test_a_malformed_address_gets_a_clear_answer(gateway_client, token):
    response = await read(gateway_client, f"/api/calendar/{token}.ics")
    assert response.status_code in (404, 422)
    assert "error" in response.json()


async def test_the_recipient_finds_no_surprise_in_their_feed(gateway_client):
    household_id, ann, ben, _ = await family(gateway_client)
    rosa = await invite_and_join(gateway_client, household_id, admin=ann, name="Rosa")
    g = Gifting(gateway_client, household_id)
    person = await g.person(ann, "Rosa", linked_to=rosa)
    birthday = await g.occasion(ann, "Rosa's birthday", "1990-06-01", [person])
    secret = {
        "title": "Wrap Rosa's telescope",
        "person_id": person,
        "occasion_id": birthday,
        "assignee_id": ben.user_id,
        "due_at": "2027-05-30T18:00:00Z",
    }
    await g.ok("POST", ann, "/tasks", 201, json=secret)
    bens = await subscribe(gateway_client, household_id, ben)
    assert "Wrap Rosa's telescope" in events_of(await read(gateway_client, bens["url"]))

    rosas = await subscribe(gateway_client, household_id, rosa)
    body = (await read(gateway_client, rosas["url"])).text
    assert "Rosa's birthday" in body  # the occasion itself is hers to see
    assert "telescope" not in body.lower()
