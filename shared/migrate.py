"""Database bootstrap and per-service Alembic migrations.

    python -m shared.migrate bootstrap        # as a superuser: database roles and schemas
    python -m shared.migrate upgrade SERVICE  # as the service's role: its Alembic history to head
    python -m shared.migrate all              # both, for every service (local stacks and tests)

Each service has its own login role that owns its own schema (and its Alembic version table);
no role is granted anything on another service's schema.
"""

import asyncio
import os
import sys
from pathlib import Path

import asyncpg
from alembic import command, context
from alembic.config import Config
from sqlalchemy.ext.asyncio import create_async_engine

SERVICES = ("gateway", "notification", "reminder", "recurring", "audit")
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def _quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


async def bootstrap(admin_dsn: str, database: str, passwords: dict[str, str]) -> None:
    """Create the database, one login role and one schema per service; idempotent."""
    conn = await asyncpg.connect(admin_dsn)
    try:
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database):
            await conn.execute(f'CREATE DATABASE "{database}"')
        await conn.execute(f'REVOKE ALL ON DATABASE "{database}" FROM PUBLIC')
        for role, password in passwords.items():
            verb = (
                "ALTER"
                if await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role)
                else "CREATE"
            )
            await conn.execute(f'{verb} ROLE "{role}" LOGIN PASSWORD {_quote_literal(password)}')
            await conn.execute(f'GRANT CONNECT, TEMPORARY ON DATABASE "{database}" TO "{role}"')
    finally:
        await conn.close()
    db_dsn = admin_dsn.rsplit("/", 1)[0] + f"/{database}"
    conn = await asyncpg.connect(db_dsn)
    try:
        await conn.execute("REVOKE ALL ON SCHEMA public FROM PUBLIC")
        for role in passwords:
            await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{role}" AUTHORIZATION "{role}"')
            await conn.execute(f'REVOKE ALL ON SCHEMA "{role}" FROM PUBLIC')
            await conn.execute(
                f'ALTER ROLE "{role}" IN DATABASE "{database}" SET search_path = "{role}"'
            )
    finally:
        await conn.close()


def upgrade(service: str, url: str, revision: str = "head") -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS / service))
    config.set_main_option("sqlalchemy.url", url)
    config.attributes["schema"] = service
    command.upgrade(config, revision)


def run_env() -> None:
    """Body of every `migrations/<service>/env.py`: online migrations over asyncpg."""
    config = context.config

    def option(name: str) -> str:
        value = config.get_main_option(name)
        if value is None:
            raise RuntimeError(f"alembic option {name!r} is not set")
        return value

    schema = config.attributes.get("schema") or Path(option("script_location")).name

    def migrate(connection) -> None:
        context.configure(
            connection=connection, version_table_schema=schema, transaction_per_migration=True
        )
        with context.begin_transaction():
            context.run_migrations()

    async def main() -> None:
        engine = create_async_engine(option("sqlalchemy.url"))
        async with engine.connect() as conn:
            await conn.run_sync(migrate)
            await conn.commit()
        await engine.dispose()

    asyncio.run(main())


def _main(argv: list[str]) -> None:
    if argv[:1] in (["bootstrap"], ["all"]):
        passwords = {s: os.environ[f"{s.upper()}_DB_PASSWORD"] for s in SERVICES}
        asyncio.run(
            bootstrap(
                os.environ["ADMIN_DATABASE_URL"],
                os.environ.get("DATABASE_NAME", "giftflow"),
                passwords,
            )
        )
    if argv[:1] == ["all"]:
        for service in SERVICES:
            upgrade(service, os.environ[f"{service.upper()}_DATABASE_URL"])
    elif len(argv) == 2 and argv[0] == "upgrade" and argv[1] in SERVICES:
        upgrade(argv[1], os.environ[f"{argv[1].upper()}_DATABASE_URL"])
    elif argv[:1] != ["bootstrap"]:
        sys.exit(
            f"usage: python -m shared.migrate bootstrap | all | upgrade {{{'|'.join(SERVICES)}}}"
        )


if __name__ == "__main__":
    _main(sys.argv[1:])
