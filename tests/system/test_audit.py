"""The audit log through the whole stack: what happened shows in the admins' query at the gateway,
never to whom it is hidden from; monthly partitions are made ahead and the old ones dropped."""

from datetime import UTC, datetime

import asyncpg
import pytest
from dateutil.relativedelta import relativedelta

from scripts.stack.processes import Stack
from tests.integration.accounts import family
from tests.integration.gifting import Gifting
from tests.system.conftest import eventually


async def test_the_audit_query_shows_a_claim_to_an_admin(stack, gateway):
    household_id, ann, ben, cleo = await family(gateway)
    gifting = Gifting(gateway, household_id)
    grandma = await gifting.person(ann, "Grandma")
    ideas = await gifting.new_list(ann, grandma, kind="idea")
    item = await gifting.add_item(ann, ideas, "Teapot")
    assert (await gifting.claim(ben, item["id"])).status_code == 201
    url = f"/api/households/{household_id}/audit"

    async def claim_logged() -> bool:
        response = await gateway.get(
            url, params={"subject": item["id"], "type": "claim"}, headers=ann.headers
        )
        return response.status_code == 200 and len(response.json()["items"]) == 1

    await eventually(claim_logged, "the claim in the audit log")
    [entry] = (
        await gateway.get(url, params={"subject": item["id"], "type": "claim"}, headers=ann.headers)
    ).json()["items"]
    assert entry["type"] == "giftflow.claim.added.v1" and entry["actor_id"] == ben.user_id
    by_ben = (await gateway.get(url, params={"actor_id": ben.user_id}, headers=ann.headers)).json()[
        "items"
    ]
    assert "giftflow.claim.added.v1" in [e["type"] for e in by_ben]
    assert (await gateway.get(url, headers=ben.headers)).status_code == 403
    assert (await gateway.get(url, headers=cleo.headers)).status_code == 403


async def test_an_admin_does_not_see_in_the_log_who_claimed_their_own_wish(stack, gateway, db):
    household_id, ann, ben, cleo = await family(gateway)
    gifting = Gifting(gateway, household_id)
    ann_person = await gifting.person(ann, "Ann", linked_to=ann)
    wishes = await gifting.new_list(ann, ann_person, kind="wish")
    item = await gifting.add_item(ann, wishes, "Perfume")
    assert (await gifting.claim(ben, item["id"])).status_code == 201

    async def logged() -> bool:
        return (
            await db.fetchval(
                "SELECT count(*) FROM audit.audit_entry WHERE subject = $1 "
                "AND event_type = 'giftflow.claim.added.v1'",
                item["id"],
            )
            == 1
        )

    await eventually(logged, "the claim recorded in the audit log")
    entries = (
        await gateway.get(
            f"/api/households/{household_id}/audit",
            params={"subject": item["id"]},
            headers=ann.headers,
        )
    ).json()["items"]
    assert "giftflow.claim.added.v1" not in [e["type"] for e in entries]


@pytest.fixture
def audit_restarted(stack: Stack):
    """Restart the audit service with other settings; back to its defaults afterwards."""

    def restart(**env: str) -> None:
        stack.stop("app-audit")
        stack.start_app("audit", extra_env=env)
        stack.wait_ready("audit")

    yield restart
    restart()


async def partitions(db: asyncpg.Connection) -> set[str]:
    rows = await db.fetch(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = 'audit.audit_entry'::regclass"
    )
    return {r["relname"] for r in rows}


async def test_partitions_roll_over_ahead_of_time_and_retention_drops_old_ones(
    stack, db, audit_restarted
):
    as_audit = await asyncpg.connect(stack.t.service_database_url("audit").replace("+asyncpg", ""))
    try:  # two years ago, as the service would have made it then, with an entry in it
        old = await as_audit.fetchval(
            "SELECT audit.ensure_audit_partition((now() - interval '2 years')::date)"
        )
        await as_audit.execute(
            "INSERT INTO audit.audit_entry (recorded_at, event_id, event_type, data) "
            "VALUES (now() - interval '2 years', gen_random_uuid(), 'giftflow.gift.created.v1', '{}')"
        )
    finally:
        await as_audit.close()
    assert old in await partitions(db)

    audit_restarted(AUDIT_RETENTION_MONTHS="12", AUDIT_MONTHS_AHEAD="4")

    today = datetime.now(UTC).date()
    coming = {f"audit_entry_{today + relativedelta(months=m):%Y_%m}" for m in range(5)}

    async def maintained() -> bool:
        present = await partitions(db)
        return old not in present and coming <= present

    await eventually(maintained, f"{old} dropped and {sorted(coming)} made")
    assert (
        await db.fetchval(
            "SELECT count(*) FROM audit.audit_entry WHERE recorded_at < now() - interval '13 months'"
        )
        == 0
    )
    # an entry at the start of next month lands in that month's partition, made ahead of time
    next_month = f"audit_entry_{today + relativedelta(months=1):%Y_%m}"
    landed = await db.fetchval(
        "WITH e AS (INSERT INTO audit.audit_entry (recorded_at, event_id, event_type, data) "
        "VALUES (date_trunc('month', now()) + interval '1 month', gen_random_uuid(), 'giftflow.test.v1', '{}') "
        "RETURNING tableoid) SELECT tableoid::regclass::text FROM e"
    )
    assert landed.split(".")[-1] == next_month
    await db.execute("DELETE FROM audit.audit_entry WHERE event_type = 'giftflow.test.v1'")
