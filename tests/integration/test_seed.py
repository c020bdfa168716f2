"""`make seed` loads a whole family through the REST API, and running it again changes nothing."""

import uuid

from scripts.seed import seed


async def count(admin_db, table: str, household_id: str) -> int:
    return await admin_db.fetchval(
        f"SELECT count(*) FROM gateway.{table} WHERE household_id = $1", uuid.UUID(household_id)
    )


async def test_the_seed_loads_a_family_whose_logins_work_and_a_second_run_finds_it(
    gateway_client, admin_db
):
    tag = uuid.uuid4().hex[:6]
    seeded = await seed(gateway_client, tag)
    household = seeded.household_id

    assert not seeded.already_there
    emails = {login.email for login in seeded.logins}
    assert {f"maya.okafor+{tag}@example.com", f"leo.okafor+{tag}@example.com"} <= emails
    assert await count(admin_db, "membership", household) == 5
    assert await count(admin_db, "person", household) >= 10
    assert await count(admin_db, "occasion", household) >= 5
    assert await count(admin_db, "gift", household) >= 50
    assert await count(admin_db, "list_item", household) >= 100
    assert await count(admin_db, "claim", household) >= 20
    assert await count(admin_db, "pledge", household) >= 5
    assert await count(admin_db, "comment", household) >= 5
    assert await count(admin_db, "budget", household) >= 10
    if any(
        skipped.startswith("tasks") for skipped in seeded.skipped
    ):  # a gateway without tasks yet
        assert "tasks" not in seeded.counts
    else:
        assert await count(admin_db, "task", household) >= 5

    kinds = await admin_db.fetch(
        "SELECT DISTINCT kind FROM gateway.gift_list WHERE household_id = $1", uuid.UUID(household)
    )
    assert {r["kind"] for r in kinds} == {"wish", "idea"}
    statuses = await admin_db.fetch(
        "SELECT DISTINCT status FROM gateway.list_item WHERE household_id = $1",
        uuid.UUID(household),
    )
    # "given" needs an occasion that is not just ahead, so it depends on the day the seed runs
    assert {r["status"] for r in statuses} >= {"idea", "selected", "purchased", "wrapped"}
    yearly = await admin_db.fetchval(
        "SELECT count(*) FROM gateway.occasion WHERE household_id = $1 AND kind = 'birthday' AND recurs_yearly",
        uuid.UUID(household),
    )
    assert yearly >= 5
    occasion_kinds = await admin_db.fetch(
        "SELECT DISTINCT kind FROM gateway.occasion WHERE household_id = $1", uuid.UUID(household)
    )
    assert {"birthday", "christmas", "anniversary"} <= {r["kind"] for r in occasion_kinds}

    leo = next(login for login in seeded.logins if login.key == "leo")
    response = await gateway_client.post(
        "/api/auth/login", json={"email": leo.email, "password": leo.password}
    )
    me = await gateway_client.get(
        "/api/me", headers={"Authorization": f"Bearer {response.json()['access_token']}"}
    )
    assert [(h["name"], h["role"]) for h in me.json()["households"]] == [("The Okafors", "child")]

    again = await seed(gateway_client, tag)
    assert again.already_there and again.household_id == household
    assert await count(admin_db, "gift", household) == seeded.counts["gifts"]
