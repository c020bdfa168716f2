"""Digest mails against a real Postgres: two makers deciding the same member's digest at once write it
once, it carries what was held back but what is kept from its member now, and a later round adds
nothing."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select

from services.notification.config import Settings
from services.notification.mail.digests import DigestMaker
from services.notification.mail.tables import (
    mail_address,
    mail_digest_entry,
    mail_digest_time,
    mail_household,
    mail_message,
    mail_preference,
)
from services.notification.models import member, person_link
from shared.dapr import DaprClient


async def test_two_makers_write_one_digest_with_what_its_member_may_read(engine_for, service_url):
    engines = [engine_for("notification"), engine_for("notification")]
    household_id, user_id, person_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    now = datetime.now(UTC)
    async with engines[0].begin() as conn:
        await conn.execute(
            insert(member).values(
                household_id=household_id,
                user_id=user_id,
                role="adult",
                display_name="Ben",
                joined_at=now - timedelta(days=30),
            )
        )
        await conn.execute(insert(mail_address).values(user_id=user_id, address="ben@example.com"))
        await conn.execute(insert(mail_household).values(household_id=household_id, timezone="UTC"))
        await conn.execute(
            insert(mail_preference).values(
                [
                    {"household_id": household_id, "user_id": user_id, "kind": k, "mode": m}
                    for k, m in (("upcoming", "off"), ("claim", "daily"))
                ]
            )
        )
        await conn.execute(
            insert(mail_digest_time).values(
                household_id=household_id,
                user_id=user_id,
                hour=now.hour,
                weekday=now.weekday(),
                chosen_at=now - timedelta(days=1),
            )
        )
        await conn.execute(
            insert(mail_digest_entry).values(
                [
                    {
                        "id": uuid.uuid4(),
                        "dedup_key": f"{uuid.uuid4()}:{user_id}",
                        "household_id": household_id,
                        "user_id": user_id,
                        "kind": "claim",
                        "text": text,
                        "hidden_persons": hidden,
                        "created_at": now - timedelta(minutes=5),
                    }
                    for text, hidden in (
                        ("Ann claimed Kite on Cleo's wishes", []),
                        ("Ann claimed Watch for Grandpa", [person_id]),
                    )
                ]
            )
        )
        # Ben has been linked since to Grandpa, whom the second was kept from
        await conn.execute(
            insert(person_link).values(
                person_id=person_id, household_id=household_id, user_id=user_id
            )
        )

    settings = Settings(database_url=service_url("notification"))
    dapr = DaprClient("http://127.0.0.1:9", "")  # the week ahead is off: never asked
    makers = [DigestMaker(e, dapr, "", settings) for e in engines]
    await asyncio.gather(*(m.run_once() for m in makers))
    await asyncio.gather(*(m.run_once() for m in makers))

    async with engines[0].connect() as conn:
        mails = (
            await conn.execute(select(mail_message).where(mail_message.c.user_id == user_id))
        ).all()
        entries = dict(
            (
                await conn.execute(
                    select(mail_digest_entry.c.text, mail_digest_entry.c.digest_key).where(
                        mail_digest_entry.c.user_id == user_id
                    )
                )
            ).all()
        )
    [mail] = mails
    assert mail.kind == "daily" and mail.subject == "Your day on giftflow"
    assert mail.dedup_key == f"digest:{household_id}:{user_id}:daily:{now.date().isoformat()}"
    assert "Ann claimed Kite on Cleo's wishes" in mail.text_body and "Watch" not in mail.text_body
    assert "Watch" not in mail.html_body and mail.headers["List-Unsubscribe-Post"]
    assert entries == {
        "Ann claimed Kite on Cleo's wishes": mail.dedup_key,
        "Ann claimed Watch for Grandpa": None,
    }
    await dapr.aclose()
