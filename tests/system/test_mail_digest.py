"""Digest mails through the whole stack: what a digest mode holds back is gathered at the member's
digest time, and the week ahead is read for each member by the gateway, so a giver's digest names
the gift they still have to buy and the recipient's never does."""

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx

from tests.integration.accounts import Account, invite_and_join, new_household, sign_up
from tests.integration.gifting import Gifting
from tests.mailbox import caught
from tests.system.conftest import eventually
from tests.system.test_mail import mail_to
from tests.system.test_notifications import known_to_notifications
from tests.system.test_tasks_pipe import create_task, in_seconds

ZONE = "Europe/Berlin"
SURPRISE = "Red bicycle"


def mail_choices(household_id: str) -> str:
    return f"/api/households/{household_id}/notifications/mail"


async def digest_now(gateway: httpx.AsyncClient, household_id: str, who: Account) -> None:
    """Choose this hour of today, on the household's clock, as `who`'s digest time."""
    while True:
        now = datetime.now(ZoneInfo(ZONE))
        response = await gateway.put(
            mail_choices(household_id),
            json={"digest_hour": now.hour, "digest_weekday": f"{now:%A}".lower()},
            headers=who.headers,
        )
        assert response.status_code == 200, response.text
        if datetime.now(ZoneInfo(ZONE)).hour == now.hour:
            return  # chosen within the hour it names (else choose the new hour)


def day_in(days: int) -> str:
    return (datetime.now(ZoneInfo(ZONE)).date() + timedelta(days=days)).isoformat()


async def test_a_weekly_digest_is_right_for_the_giver_and_names_no_surprise_to_its_recipient(
    stack, gateway, db
):
    ann = await sign_up(gateway, name="Ann")
    household_id = await new_household(gateway, ann, "Digests", timezone=ZONE)
    ben = await invite_and_join(gateway, household_id, admin=ann, name="Ben")
    await known_to_notifications(gateway, household_id, ann, ben)
    g = Gifting(gateway, household_id)
    ben_p = await g.person(ann, "Ben", linked_to=ben)
    gran = await g.person(ann, "Gran")
    birthday = await g.occasion(ann, "Ben's birthday", day_in(5), [ben_p], recurs_yearly=False)
    await g.occasion(ann, "Gran's birthday", day_in(6), [gran], recurs_yearly=False)
    ideas = await g.new_list(ann, ben_p, kind="idea", name="For Ben", occasion_id=birthday)
    bicycle = await g.add_item(ann, ideas, SURPRISE, price="120.00")
    assert (await g.claim(ann, bicycle["id"])).status_code == 201
    await create_task(
        gateway,
        household_id,
        ann.headers,
        title="Wrap the bicycle",
        due_at=(datetime.now(ZoneInfo(ZONE)) + timedelta(days=3)).isoformat(),
        assignee_id=ann.user_id,
    )

    # Ann holds her reminders for the weekly digest: one fires and waits there, not mailed at once
    held = await gateway.put(
        mail_choices(household_id), json={"kinds": {"reminder": "weekly"}}, headers=ann.headers
    )
    assert held.status_code == 200 and held.json()["kinds"]["reminder"] == "weekly", held.text
    paper = await create_task(
        gateway,
        household_id,
        ann.headers,
        title="Buy wrapping paper",
        due_at=in_seconds(5),
        reminders=["PT3S"],
        assignee_id=ann.user_id,
    )

    async def reminder_held() -> bool:
        return bool(
            await db.fetchval(
                "SELECT count(*) FROM notification.mail_digest_entry WHERE user_id = $1 "
                "AND kind = 'reminder' AND digest_key IS NULL",
                uuid.UUID(ann.user_id),
            )
        )

    await eventually(reminder_held, "Ann's reminder held for her digest")
    assert not [m for m in caught(stack, ann.email) if m.subject.startswith("Reminder:")]
    assert paper["id"]

    await digest_now(gateway, household_id, ann)
    await digest_now(gateway, household_id, ben)
    anns = await mail_to(stack, ann.email, "Your week ahead")
    bens = await mail_to(stack, ben.email, "Your week ahead")

    # the giver: what is coming up, who still needs a gift, her unbought claim, her task, her reminder
    assert "Ben's birthday: " in anns.text and "Gran's birthday: Gran" in anns.text
    assert f"{SURPRISE} for Ben" in anns.text and "Wrap the bicycle: due" in anns.text
    assert "Buy wrapping paper" in anns.text and f"({ZONE})" in anns.text
    assert SURPRISE in anns.html and anns.message["List-Unsubscribe-Post"]
    # the recipient: his own birthday is coming, and nothing of what is planned for him
    assert "Ben's birthday: " in bens.text and "Gran's birthday: Gran" in bens.text
    for part in (bens.subject, bens.text, bens.html):
        assert "bicycle" not in part.lower()

    # one digest per member and period, and what it carried is no longer held
    rows = await db.fetch(
        "SELECT dedup_key FROM notification.mail_message WHERE user_id = $1 AND kind = 'weekly'",
        uuid.UUID(ann.user_id),
    )
    today = datetime.now(ZoneInfo(ZONE)).date().isoformat()
    assert [r["dedup_key"] for r in rows] == [f"digest:{household_id}:{ann.user_id}:weekly:{today}"]
    assert not await reminder_held()

    # the digest's one-click unsubscribe stops every kind it gathers
    link = anns.link("unsubscribe")
    path = link.split("//", 1)[1].split("/", 1)[1]
    async with httpx.AsyncClient(base_url=stack.t.gateway_url) as mail_client:
        done = await mail_client.post(f"/{path}", data={"List-Unsubscribe": "One-Click"})
        assert done.status_code == 200, done.text
    after = await gateway.get(mail_choices(household_id), headers=ann.headers)
    assert after.json()["kinds"]["reminder"] == after.json()["kinds"]["upcoming"] == "off"
