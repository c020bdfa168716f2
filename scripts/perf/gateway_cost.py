"""What each gateway request of the benchmark's mix costs: SQL statements and gateway CPU.

    GIFTFLOW_TEST_STACK=perf .stack/venv/bin/python -m scripts.perf.gateway_cost [rounds]

The gateway runs in this process (no uvicorn, no sidecar) on the test stack's Postgres, with the seeded
family; each request of `bench.gateway`'s read and write mixes is sent `rounds` times through httpx's
ASGI transport. Per endpoint it prints the statements executed per request (counted on the engine) and
the process CPU per request. The CPU includes httpx's side of the call (a fraction of a millisecond), so
compare figures from this script with each other, not with `make bench`.
"""

import asyncio
import re
import sys
import time
from collections import defaultdict

import httpx
from sqlalchemy import event

from bench.gateway import Family, read_mix, write_mix
from scripts.seed import seed
from scripts.seed.api import Gateway
from scripts.seed.family import MEMBERS
from scripts.stack.processes import Stack
from scripts.stack.topology import TEST

DATABASE = "giftflow_perf"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def endpoint(method: str, path: str) -> str:
    """The route a request goes to, ids and query values left out: `GET /gifts/{id}`."""
    path = UUID.sub("{id}", path.removeprefix("/api/households/"))
    path = path.removeprefix("{id}")
    return f"{method} {re.sub(r'=[^&]*', '=…', path)}"


async def family_of(client: httpx.AsyncClient) -> Family:
    seeded = await seed(client)
    api, h = Gateway(client), f"/households/{seeded.household_id}"
    logins = {login.key: login for login in seeded.logins}
    persons = (await api.call("GET", f"{h}/people?limit=200", logins["maya"]))["items"]
    lists, gifts = {}, {}
    for key in (m.key for m in MEMBERS):
        mine = {p["id"] for p in persons if p["linked_user_id"] == logins[key].user_id}
        seen = (await api.call("GET", f"{h}/lists?limit=200", logins[key]))["items"]
        lists[key] = [lst["id"] for lst in seen if lst["person_id"] not in mine]
        gifts[key] = [
            g["id"] for g in (await api.call("GET", f"{h}/gifts?limit=200", logins[key]))["items"]
        ]
    return Family(seeded.household_id, logins, lists, gifts, [p["id"] for p in persons])


async def measure(rounds: int) -> None:
    from services.gateway.config import Settings
    from services.gateway.main import create_app

    stack = Stack(TEST)
    stack.start_postgres()
    stack.migrate(DATABASE)
    settings = Settings(database_url=stack.t.service_database_url("gateway", DATABASE))
    app = create_app(settings)
    statements = 0

    def count(*_args) -> None:
        nonlocal statements
        statements += 1

    event.listen(app.state.engine.sync_engine, "before_cursor_execute", count)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=True)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
        family = await family_of(client)
        for name, mix in (("reads", read_mix(family)), ("writes", write_mix(family))):
            cost: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
            for n in range(rounds):
                for method, path, token, body in mix:
                    headers = {"Authorization": f"Bearer {token}"}
                    content = body.replace("{n}", str(n)) if body else None
                    if content:
                        headers["Content-Type"] = "application/json"
                    before_sql, before_cpu = statements, time.process_time()
                    response = await client.request(method, path, content=content, headers=headers)
                    spent = time.process_time() - before_cpu
                    client.cookies.clear()
                    assert response.status_code < 300, (path, response.status_code, response.text)
                    row = cost[endpoint(method, path)]
                    row[0] += statements - before_sql
                    row[1] += spent
                    row[2] += 1
            print(f"\n{name} ({rounds} rounds of the mix)")
            print(f"{'endpoint':48} {'statements':>10} {'CPU ms':>8}")
            all_sql = all_cpu = all_n = 0.0
            for key, (sql, cpu, calls) in sorted(cost.items()):
                print(f"{key:48} {sql / calls:10.1f} {cpu / calls * 1000:8.2f}")
                all_sql, all_cpu, all_n = all_sql + sql, all_cpu + cpu, all_n + calls
            print(f"{'mix average':48} {all_sql / all_n:10.1f} {all_cpu / all_n * 1000:8.2f}")
    await app.state.engine.dispose()


if __name__ == "__main__":
    asyncio.run(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 20))
