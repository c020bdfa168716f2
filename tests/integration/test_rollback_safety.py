"""Rolling back must be safe: the release before the newest migration runs on the newest schema.

A rollback (`make rollback SERVICE=…`, `kubectl rollout undo`) puts the previous code back and leaves
the database as the new release migrated it; migrations are never run backwards in production. So
every migration must be additive, and that is proved here rather than promised: the previous release's
code (the commit before the newest migration, taken from git) drives the gateway through a family's
first steps on a database migrated by this release, and what it wrote is then read by this release's
gateway and its events by this release's contracts. A migration that drops, renames or retypes
something the previous code uses fails here.
"""

import asyncio
import io
import json
import os
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import asyncpg
import pytest

from scripts.stack.processes import Stack
from shared.events import EVENT_TYPES

ROOT = Path(__file__).resolve().parents[2]
DATABASE = "giftflow_rollback"

# Runs inside the previous release's source tree, with its own modules: the gateway in-process (no
# relay: its events stay in the outbox), driven through its REST API as a family would.
DRIVER = r"""
import asyncio, json, sys
import httpx
from services.gateway.config import Settings
from services.gateway.main import create_app

PASSWORD = "rollback rehearsal: a long enough passphrase 42"

async def main(database_url):
    app = create_app(Settings(database_url=database_url, db_pool_size=2))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as c:
        async def call(method, path, token=None, body=None):
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            r = await c.request(method, "/api" + path, json=body, headers=headers)
            c.cookies.clear()
            if r.status_code >= 300:
                raise SystemExit(f"{method} {path}: {r.status_code} {r.text[:500]}")
            return r.json() if r.content else None

        async def sign_up(name):
            body = {"email": f"{name.lower()}+{sys.argv[2]}@rollback.example.com", "password": PASSWORD,
                    "display_name": name}
            return (await call("POST", "/auth/signup", body=body))["access_token"]

        ana, ben = await sign_up("Ana"), await sign_up("Ben")
        home = await call("POST", "/households", ana, {"name": "Before the rollback"})
        h = f"/households/{home['id']}"
        code = (await call("POST", f"{h}/invitations", ana, {"role": "adult"}))["code"]
        await call("POST", "/invitations/accept", ben, {"code": code})
        grandma = await call("POST", f"{h}/people", ana, {"name": "Grandma"})
        occasion = await call("POST", f"{h}/occasions", ana, {
            "name": "Grandma's birthday", "kind": "birthday", "date": "2027-03-14",
            "recurs_yearly": True, "person_ids": [grandma["id"]]})
        lst = await call("POST", f"{h}/lists", ana, {
            "name": "Ideas for Grandma", "kind": "idea", "person_id": grandma["id"],
            "occasion_id": occasion["id"]})
        item = await call("POST", f"{h}/lists/{lst['id']}/items", ana,
                          {"gift": {"title": "Reading lamp", "price": "39.90", "currency": "EUR"}})
        await call("POST", f"{h}/items/{item['id']}/claims", ben, {"quantity": 1})
        for status in ("selected", "purchased"):
            await call("POST", f"{h}/items/{item['id']}/status", ben, {"status": status})
        task = await call("POST", f"{h}/tasks", ana, {"title": "Wrap the lamp"})
        print(json.dumps({"household_id": home["id"], "list_id": lst["id"], "item_id": item["id"],
                          "task_id": task["id"], "ana": ana}))
    await app.state.engine.dispose()

asyncio.run(main(sys.argv[1]))
"""


def git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.strip()


def previous_release() -> str:
    """The commit before the newest migration of any service was added."""
    newest = git("log", "-1", "--diff-filter=A", "--format=%H", "--", "migrations/*/versions/*.py")
    return git("rev-parse", f"{newest}^")


@pytest.fixture(scope="module")
def previous_tree(tmp_path_factory) -> Path:
    if not (ROOT / ".git").exists() or git("rev-parse", "--is-shallow-repository") == "true":
        pytest.skip("needs the git history to find the previous release (a full clone)")
    commit = previous_release()
    tree = tmp_path_factory.mktemp("previous-release")
    archive = subprocess.run(
        ["git", "archive", "--format=tar", commit, "shared", "services", "migrations", "web"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(tree, filter="data")
    (tree / "COMMIT").write_text(commit)
    return tree


@pytest.fixture(scope="module")
def newest_schema(postgres: Stack) -> str:
    postgres.migrate(DATABASE)
    return DATABASE


async def test_the_previous_release_works_on_the_newest_schema_and_this_one_reads_what_it_wrote(
    postgres: Stack, previous_tree: Path, newest_schema: str
):
    url = postgres.t.service_database_url("gateway", newest_schema)
    env = {**os.environ, "PYTHONPATH": str(previous_tree), "PYTHONDONTWRITEBYTECODE": "1"}
    run = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-c", DRIVER, url, uuid.uuid4().hex[:8]],
        cwd=previous_tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    commit = (previous_tree / "COMMIT").read_text()[:10]
    assert run.returncode == 0, f"release {commit} on the newest schema: {run.stdout}{run.stderr}"
    wrote = json.loads(run.stdout.strip().splitlines()[-1])

    # this release reads what the previous one wrote
    import httpx

    from services.gateway.config import Settings
    from services.gateway.main import create_app

    app = create_app(Settings(database_url=url, db_pool_size=2))
    headers = {"Authorization": f"Bearer {wrote['ana']}"}
    h = f"/api/households/{wrote['household_id']}"
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://gateway.test"
    ) as client:
        items = await client.get(f"{h}/lists/{wrote['list_id']}/items", headers=headers)
        assert items.status_code == 200, items.text
        assert [i["id"] for i in items.json()["items"]] == [wrote["item_id"]]
        task = await client.get(f"{h}/tasks/{wrote['task_id']}", headers=headers)
        assert task.status_code == 200, task.text
        dashboard = await client.get(f"{h}/dashboard", headers=headers)
        assert dashboard.status_code == 200, dashboard.text
    await app.state.engine.dispose()

    # and this release's contracts read every event the previous one put in its outbox
    db = await asyncpg.connect(postgres.t.database_dsn(newest_schema))
    try:
        rows = await db.fetch("SELECT event_type, cloudevent::text AS ce FROM gateway.outbox")
    finally:
        await db.close()
    assert len(rows) >= 8, [r["event_type"] for r in rows]
    for row in rows:
        cloud_event = json.loads(row["ce"])
        assert row["event_type"] in EVENT_TYPES, f"{row['event_type']}: no contract reads it now"
        EVENT_TYPES[row["event_type"]].model_validate(cloud_event["data"])
