"""Writes of many rows in one statement, for consumers that apply a run of events at once
(`shared.consumer.Together`).

Rows go in as one array per column (`unnest`), so a statement's text is the same whatever the number of
rows: compiled and prepared once, like the inbox's `record_many`. Hence columns of scalar types only:
`unnest` would flatten an array column's values into rows of their own. What many events say about one row
comes down to what handling them one by one would have left: the last word when it updates, the first
when a conflict leaves the row alone.
"""

from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from typing import Any

from sqlalchemy import Table, TextClause, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession

_DIALECT = postgresql.dialect()


def _arrays(table: Table, columns: Sequence[str]) -> str:
    """`unnest(CAST(:c AS type[]), ...)` over the columns, one bound array each."""
    casts = ", ".join(
        f"CAST(:{c} AS {table.c[c].type.compile(dialect=_DIALECT)}[])" for c in columns
    )
    return f"unnest({casts})"


def _name(table: Table) -> str:
    return f'"{table.schema}"."{table.name}"'


@cache
def _upsert(
    table: Table, columns: tuple[str, ...], key: tuple[str, ...], update: tuple[str, ...]
) -> TextClause:
    listed = ", ".join(f'"{c}"' for c in columns)
    action = (
        "DO UPDATE SET " + ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in update)
        if update
        else "DO NOTHING"
    )
    conflict = ", ".join(f'"{c}"' for c in key)
    return text(
        f"INSERT INTO {_name(table)} ({listed}) SELECT * FROM {_arrays(table, columns)} "
        f"ON CONFLICT ({conflict}) {action}"
    )


@cache
def _delete(table: Table, key: tuple[str, ...]) -> TextClause:
    listed = ", ".join(f'"{c}"' for c in key)
    return text(
        f"DELETE FROM {_name(table)} WHERE ({listed}) IN (SELECT * FROM {_arrays(table, key)})"
    )


def _one_per_key(
    rows: Iterable[Mapping[str, Any]], key: Sequence[str], last: bool
) -> list[Mapping[str, Any]]:
    kept: dict[tuple, Mapping[str, Any]] = {}
    for row in rows:
        k = tuple(row[c] for c in key)
        if last or k not in kept:
            kept[k] = row
    return list(kept.values())


def _bound(rows: list[Mapping[str, Any]], columns: Sequence[str]) -> dict[str, list]:
    return {c: [row[c] for row in rows] for c in columns}


async def upsert(
    session: AsyncSession,
    table: Table,
    rows: Iterable[Mapping[str, Any]],
    key: Sequence[str],
    update: Sequence[str] = (),
) -> None:
    """Insert `rows` (all with the same columns); a row whose `key` is taken updates the `update`
    columns (the last row given for a key wins), or, with none, leaves the row there as it is."""
    kept = _one_per_key(rows, key, last=bool(update))
    if not kept:
        return
    columns = tuple(kept[0])
    await session.execute(_upsert(table, columns, tuple(key), tuple(update)), _bound(kept, columns))


async def delete_keys(
    session: AsyncSession, table: Table, keys: Iterable[Mapping[str, Any]]
) -> None:
    """Delete the rows with these keys (each a mapping of the same key columns to values)."""
    kept = list(keys)
    if not kept:
        return
    columns = tuple(kept[0])
    await session.execute(_delete(table, columns), _bound(kept, columns))
