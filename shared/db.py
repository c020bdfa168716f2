"""Async SQLAlchemy engine and sessions (asyncpg), plus the naming convention every schema uses."""

from collections.abc import AsyncIterator, Iterator

import asyncpg
from sqlalchemy import MetaData, event, exc
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def service_metadata(schema: str) -> MetaData:
    """The MetaData of one service: its own schema, the shared naming convention."""
    return MetaData(schema=schema, naming_convention=NAMING_CONVENTION)


# SQLSTATE classes and codes that say the database cannot be reached or written right now, whatever
# was asked: connection exceptions, an unknown or locked-out role, out of connections or disk, shut
# down or starting up, a read-only standby
UNAVAILABLE_SQLSTATES = ("08", "28", "53", "57P", "25006")


def create_engine(url: str, pool_size: int = 10) -> AsyncEngine:
    engine = create_async_engine(
        url, pool_size=pool_size, max_overflow=pool_size, pool_recycle=30 * 60
    )
    event.listen(engine.sync_engine, "checkout", _drop_if_closed)
    event.listen(engine.sync_engine, "connect", _commit_durably)
    event.listen(engine.sync_engine, "connect", _know_array_types)
    return engine


# The arrays our single-statement reads nest inside anonymous records (ROW(…, array_agg(…))). asyncpg
# decodes a record's fields with the codecs its connection already has, and loads an array type's codec
# only when a statement's own column has that type: on a fresh connection whose first statement returns
# such a record, the read fails ("no decoder for composite type element"). So every new connection
# learns them first, in one statement.
ARRAY_TYPES_IN_RECORDS = ("uuid", "text", "numeric", "timestamptz", "date", "int4", "int8", "bool")


def _know_array_types(dbapi_connection, record) -> None:  # noqa: ANN001 - SQLAlchemy's pool event
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("SELECT " + ", ".join(f"NULL::{t}[]" for t in ARRAY_TYPES_IN_RECORDS))
        cursor.fetchall()
    finally:
        cursor.close()


def _commit_durably(dbapi_connection, record) -> None:  # noqa: ANN001 - SQLAlchemy's pool event
    """A commit is acknowledged (to a client, to Dapr) only once it is on disk: never trust a server
    that does not wait for the disk by default (`off`). Any other setting is at least as durable, and kept."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("SHOW synchronous_commit")
        if cursor.fetchone()[0] == "off":
            cursor.execute("SET synchronous_commit = on")
    finally:
        cursor.close()


def _causes(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        e = pending.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        pending += [getattr(e, "orig", None), e.__cause__]  # what it wraps, not what it interrupted


def database_unavailable(error: BaseException) -> bool:
    """Whether `error` says the database cannot be reached or written at the moment (down, restarting,
    refusing our role, out of connections), rather than refusing what was asked of it: the first is
    worth trying again later, the second is not."""
    for e in _causes(error):
        if isinstance(e, (OSError, TimeoutError, exc.TimeoutError)):  # refused, reset, timed out
            return True
        if isinstance(e, exc.DBAPIError) and e.connection_invalidated:
            return True
        if isinstance(e, asyncpg.InterfaceError) and "connection is closed" in str(e):
            return True
        sqlstate = getattr(e, "sqlstate", None)
        if isinstance(sqlstate, str) and sqlstate.startswith(UNAVAILABLE_SQLSTATES):
            return True
    return False


def _drop_if_closed(dbapi_connection, record, proxy) -> None:  # noqa: ANN001 - SQLAlchemy's pool event
    """Hand out no pooled connection the server has closed (a restart, an idle timeout).

    asyncpg notices a closed socket by itself, so asking it costs nothing, where `pool_pre_ping` would
    spend a round trip on every checkout (on a gateway read, about a tenth of its CPU). Raising
    DisconnectionError makes the pool drop the connection and open a fresh one.
    """
    if record.driver_connection.is_closed():
        raise exc.DisconnectionError("the server closed this pooled connection")


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    # expire_on_commit=False: use cases return objects after their transaction has committed
    return async_sessionmaker(engine, expire_on_commit=False)


async def read_connection(session: AsyncSession) -> AsyncConnection:
    """The session's connection for a read made of one statement (or of batches of one), outside any
    transaction: a statement is consistent by itself, and a BEGIN and a ROLLBACK around it are two
    more round trips, each costing more CPU here than the Python that composes the answer. Asked
    before anything else runs in the session."""
    return await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def asyncpg_dsn(url: str) -> str:
    """The SQLAlchemy URL as a plain libpq DSN, for asyncpg connections (LISTEN/NOTIFY)."""
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def iterate_sessions(
    factory: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    async with factory() as session:
        yield session
