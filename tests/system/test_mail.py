"""Mail through the whole stack and a real SMTP server (the stack's mail catcher): an event at the
gateway, through Kafka, decided by the notification service into its mail outbox, sent once over SMTP
and read here from the .eml files the server kept, as a person would read them."""

import json
import re
import uuid

import httpx
import pytest

from scripts.stack.processes import Stack
from tests.integration.accounts import PASSWORD, sign_up
from tests.mailbox import Caught, caught
from tests.system.conftest import eventually
from tests.system.test_tasks_pipe import create_task, in_seconds

NEW_PASSWORD = "violet kettle under seven lanterns"


async def household_of(gateway: httpx.AsyncClient, headers: dict) -> str:
    response = await gateway.post(
        "/api/households", json={"name": "Millers", "timezone": "Europe/Berlin"}, headers=headers
    )
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def mail_to(stack: Stack, address: str, subject_starts: str) -> Caught:
    """Wait for the first mail to `address` whose subject starts so."""
    found: list[Caught] = []

    async def arrived() -> bool:
        found[:] = [m for m in caught(stack, address) if m.subject.startswith(subject_starts)]
        return bool(found)

    await eventually(arrived, f"a mail “{subject_starts}…” to {address}")
    return found[0]


async def outbox_rows(db, address: str) -> list:
    return await db.fetch(
        "SELECT * FROM notification.mail_message WHERE to_address = $1 ORDER BY created_at", address
    )


async def address_known(db, user_id: str) -> bool:
    """The notification service has Ann as a member and her address (from her household's creation)."""
    return bool(
        await db.fetchval(
            "SELECT count(*) FROM notification.mail_address a JOIN notification.member m "
            "USING (user_id) WHERE user_id = $1",
            uuid.UUID(user_id),
        )
    )


async def notified(db, user_id: str, task_id: str) -> bool:
    """The in-app reminder notification of the task was made (the mail is decided with it)."""
    count = await db.fetchval(
        "SELECT count(*) FROM notification.notification WHERE user_id = $1 AND entity_id = $2 "
        "AND kind = 'reminder'",
        uuid.UUID(user_id),
        uuid.UUID(task_id),
    )
    return count >= 1


async def test_a_reminder_mail_arrives_once_though_notification_restarts_while_it_is_due(
    stack, gateway, db
):
    ann = await sign_up(gateway, name="Ann")
    household_id = await household_of(gateway, ann.headers)
    await eventually(lambda: address_known(db, ann.user_id), "notification knows Ann's address")
    task = await create_task(
        gateway,
        household_id,
        ann.headers,
        title="Order the cake",
        due_at=in_seconds(30),
        reminders=["PT20S"],
        assignee_id=ann.user_id,
    )

    async def scheduled() -> bool:
        return bool(
            await db.fetchval(
                "SELECT count(*) FROM reminder.reminder WHERE subject_id = $1 AND fired_at IS NULL",
                uuid.UUID(task["id"]),
            )
        )

    await eventually(scheduled, "the reminder was scheduled")
    stack.kill("app-notification")  # down while the reminder fires: its event waits in Kafka
    try:

        async def fired() -> bool:
            return bool(
                await db.fetchval(
                    "SELECT count(*) FROM reminder.outbox WHERE partition_key = $1", task["id"]
                )
            )

        await eventually(fired, "the reminder fired")
    finally:
        stack.start_app("notification")

    mail = await mail_to(stack, ann.email, "Reminder:")
    assert "Order the cake" in mail.subject and "Order the cake" in mail.text
    assert "(Europe/Berlin)" in mail.text  # in the household's time zone
    assert "Order the cake" in mail.html and mail.message["List-Unsubscribe-Post"]

    async def recorded_sent() -> bool:
        return all(r["status"] == "sent" for r in await outbox_rows(db, ann.email))

    await eventually(recorded_sent, "the mail was recorded as sent")
    stack.kill("app-notification")  # and again once it was sent: nothing is sent twice
    stack.start_app("notification")
    stack.wait_ready("notification")
    [row] = await outbox_rows(db, ann.email)
    assert row["attempts"] == 1 and row["status"] == "sent"
    assert len(caught(stack, ann.email)) == 1


@pytest.fixture
def second_notification_replica(stack):
    """Another notification replica with a daprd of its own in the same consumer group, as a cluster
    runs it: both send from the one mail outbox."""
    stack.start_app("notification", replica=1)
    stack.start_sidecar("notification", replica=1)
    stack.wait_ready("notification", replica=1)
    yield
    stack.stop(stack.sidecar_name("notification", 1))
    stack.stop(stack.app_name("notification", 1))


async def test_each_reminder_mail_arrives_once_with_two_notification_replicas(
    stack, gateway, db, second_notification_replica
):
    ann = await sign_up(gateway, name="Ann")
    household_id = await household_of(gateway, ann.headers)
    await eventually(lambda: address_known(db, ann.user_id), "notification knows Ann's address")
    due = in_seconds(12)
    titles = [f"Chore {i} {uuid.uuid4().hex[:6]}" for i in range(6)]
    for title in titles:
        await create_task(
            gateway,
            household_id,
            ann.headers,
            title=title,
            due_at=due,
            reminders=["PT8S"],
            assignee_id=ann.user_id,
        )

    async def all_sent() -> bool:
        rows = await outbox_rows(db, ann.email)
        return len(rows) == len(titles) and all(r["status"] == "sent" for r in rows)

    await eventually(all_sent, "a reminder mail per task, each recorded as sent")
    rows = await outbox_rows(db, ann.email)
    assert [r["attempts"] for r in rows] == [1] * len(titles)
    mails = caught(stack, ann.email)
    assert sorted(m.subject for m in mails) == sorted(r["subject"] for r in rows)
    assert all(any(t in m.subject for m in mails) for t in titles)


async def test_one_click_unsubscribe_stops_that_kind_of_mail(stack, gateway, db):
    ann = await sign_up(gateway, name="Ann")
    household_id = await household_of(gateway, ann.headers)
    first = await create_task(
        gateway,
        household_id,
        ann.headers,
        due_at=in_seconds(5),
        reminders=["PT3S"],
        assignee_id=ann.user_id,
    )
    mail = await mail_to(stack, ann.email, "Reminder:")
    link = re.fullmatch(r"<(.+)>", str(mail.message["List-Unsubscribe"])).group(1)
    assert link == mail.link("unsubscribe")
    path = link.split("//", 1)[1].split("/", 1)[1]

    # what a mail client does (RFC 8058): one POST, nobody signed in
    async with httpx.AsyncClient(base_url=stack.t.gateway_url) as mail_client:
        looked = await mail_client.get(f"/{path}")
        assert looked.status_code == 200 and "<form" in looked.text  # a look changes nothing
        done = await mail_client.post(f"/{path}", data={"List-Unsubscribe": "One-Click"})
        assert done.status_code == 200, done.text
        forged = await mail_client.post(f"/{path[:-3]}abc", data={"List-Unsubscribe": "One-Click"})
        assert forged.status_code == 400 and forged.json()["error"]["code"] == "bad_request"

    choices = await gateway.get(
        f"/api/households/{household_id}/notifications/mail", headers=ann.headers
    )
    assert choices.json()["kinds"]["reminder"] == "off", choices.text

    second = await create_task(
        gateway,
        household_id,
        ann.headers,
        title="Wrap it",
        due_at=in_seconds(5),
        reminders=["PT3S"],
        assignee_id=ann.user_id,
    )
    await eventually(lambda: notified(db, ann.user_id, second["id"]), "the second reminder")
    assert [r["subject"] for r in await outbox_rows(db, ann.email)] == [mail.subject]
    assert first["id"] != second["id"]


async def test_a_reset_link_works_once_and_ends_every_session(stack, gateway, db):
    ann = await sign_up(gateway, name="Ann")
    gateway.cookies.clear()
    asked = await gateway.post("/api/auth/password-reset", json={"email": ann.email.upper()})
    nobody = await gateway.post(
        "/api/auth/password-reset", json={"email": f"nobody-{uuid.uuid4().hex}@example.com"}
    )
    assert asked.status_code == nobody.status_code == 202
    assert asked.json() == nobody.json()  # the answer never says whether there is an account

    mail = await mail_to(stack, ann.email, "Set a new giftflow password")
    link = mail.link("reset-password")
    token = link.split("token=", 1)[1]
    assert link in mail.html

    weak = await gateway.post(
        "/api/auth/password-reset/confirm", json={"token": token, "password": "password123"}
    )
    assert weak.status_code == 422  # the password rules hold, and the link is still good
    done = await gateway.post(
        "/api/auth/password-reset/confirm", json={"token": token, "password": NEW_PASSWORD}
    )
    assert done.status_code == 204, done.text
    again = await gateway.post(
        "/api/auth/password-reset/confirm", json={"token": token, "password": NEW_PASSWORD + " x"}
    )
    assert again.status_code == 410 and "ask for a new one" in again.json()["error"]["message"]

    old_session = await gateway.post("/api/auth/refresh", json={"refresh_token": ann.refresh_token})
    assert old_session.status_code == 401
    gateway.cookies.clear()
    old = await gateway.post("/api/auth/login", json={"email": ann.email, "password": PASSWORD})
    assert old.status_code == 401
    new = await gateway.post("/api/auth/login", json={"email": ann.email, "password": NEW_PASSWORD})
    assert new.status_code == 200, new.text

    # the audit log keeps the event, but neither the address nor the link's secret
    async def audited() -> list:
        return await db.fetch(
            "SELECT data::text AS data FROM audit.audit_entry WHERE event_type = "
            "'giftflow.account.password_reset_requested.v1' AND subject = $1",
            ann.user_id,
        )

    await eventually(audited, "the reset request reached the audit log")
    [entry] = await audited()
    kept = entry["data"] if isinstance(entry["data"], str) else json.dumps(entry["data"])
    assert token not in kept and ann.email not in kept.lower() and "sealed_mail" in kept


async def test_an_invitation_by_mail_carries_a_join_link_that_works(stack, gateway, db):
    ann = await sign_up(gateway, name="Ann")
    household_id = await household_of(gateway, ann.headers)
    invitee = f"dora-{uuid.uuid4().hex[:8]}@example.com"
    invited = await gateway.post(
        f"/api/households/{household_id}/invitations",
        json={"role": "adult", "email": invitee},
        headers=ann.headers,
    )
    assert invited.status_code == 201, invited.text

    mail = await mail_to(stack, invitee, "Ann invites you to Millers")
    link = mail.link("join")
    code = link.split("code=", 1)[1]
    assert code == invited.json()["code"] and "(Europe/Berlin)" in mail.text
    dora = await sign_up(gateway, email=invitee, name="Dora")
    joined = await gateway.post(
        "/api/invitations/accept", json={"code": code}, headers=dora.headers
    )
    assert joined.status_code == 200, joined.text

    # the audit log keeps the invitation, but neither the address nor the code
    async def audited() -> list:
        return await db.fetch(
            "SELECT data::text AS data FROM audit.audit_entry "
            "WHERE event_type = 'giftflow.invitation.created.v1' AND household_id = $1",
            uuid.UUID(household_id),
        )

    await eventually(audited, "the invitation reached the audit log")
    [entry] = await audited()
    assert code not in entry["data"] and invitee not in entry["data"]
