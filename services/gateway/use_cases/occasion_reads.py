"""Reading occasions in one round trip: a page of them (or one) with their people and the household's
time zone, which says when each comes next, in one statement."""

import datetime as dt
import uuid
import zoneinfo
from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import TextClause, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.models.households import Member
from services.gateway.models.occasions import OccasionKind
from services.gateway.use_cases.occasions import next_occurrence
from services.gateway.use_cases.people import contains
from shared.cursors import decode_cursor, encode_cursor
from shared.db import read_connection
from shared.errors import NotFound
from shared.pages import PageRequest

# an occasion's columns, in the order `shown_occasion` reads them; `o` is the occasion
OCCASION_COLUMNS = """o.id, o.household_id, o.name, o.kind, o.date, o.recurs_yearly, o.notes,
    o.created_by, o.created_at, o.updated_at,
    (SELECT array_agg(op.person_id ORDER BY op.person_id)
       FROM gateway.occasion_person op WHERE op.occasion_id = o.id)"""
SELECT = f"""
SELECT {OCCASION_COLUMNS},
       (SELECT h.timezone FROM gateway.household h WHERE h.id = o.household_id) AS timezone
FROM gateway.occasion o
"""
FILTERS = {
    "kind": "o.kind = :kind",
    "person_id": """o.id IN (SELECT op.occasion_id FROM gateway.occasion_person op
                            WHERE op.person_id = :person_id)""",
    "q": "o.name ILIKE :pattern",
}
ONE = text(SELECT + "WHERE o.id = :occasion_id AND o.household_id = :household_id")


def today_in(timezone: str | None, now: dt.datetime | None = None) -> dt.date:
    """Today (or `now`'s day) where the household lives: what "upcoming" and "next" are measured
    from."""
    zone = zoneinfo.ZoneInfo(timezone or "UTC")
    return (now or dt.datetime.now(dt.UTC)).astimezone(zone).date()


def shown_occasion(o: Sequence[Any], today: dt.date) -> dict[str, Any]:
    """An occasion from its OCCASION_COLUMNS (a row, or a record of them), with when it comes next."""
    return {
        "id": o[0],
        "household_id": o[1],
        "name": o[2],
        "kind": o[3],
        "date": o[4],
        "recurs_yearly": o[5],
        "notes": o[6],
        "person_ids": list(o[10] or ()),
        "next_date": next_occurrence(o[4], o[5], today),
        "created_by": o[7],
        "created_at": o[8],
        "updated_at": o[9],
    }


@cache
def _statement(filters: tuple[str, ...], after: bool) -> TextClause:
    where = ["o.household_id = :household_id", *(FILTERS[f] for f in filters)]
    if after:
        where += [
            "o.date >= CAST(:after_date AS date)",
            "(o.date, o.id) > (CAST(:after_date AS date), CAST(:after_id AS uuid))",
        ]
    return text(SELECT + "WHERE " + "\n  AND ".join(where) + "\nORDER BY o.date, o.id LIMIT :limit")


async def get_occasion(
    session: AsyncSession, member: Member, occasion_id: uuid.UUID
) -> dict[str, Any]:
    connection = await read_connection(session)
    row = (
        await connection.execute(
            ONE, {"occasion_id": occasion_id, "household_id": member.household_id}
        )
    ).first()
    if row is None:
        raise NotFound("No such occasion in this household.")
    return shown_occasion(row, today_in(row.timezone))


async def list_occasions(
    session: AsyncSession,
    member: Member,
    page: PageRequest,
    *,
    kind: OccasionKind | None = None,
    person_id: uuid.UUID | None = None,
    q: str | None = None,
) -> dict[str, Any]:
    """By (first) date; every occasion of the household is for every member to see."""
    given: dict[str, Any] = {
        "kind": kind.value if kind else None,
        "person_id": person_id,
        "pattern": contains(q) if q else None,
    }
    filters = tuple(
        f for f, p in (("kind", "kind"), ("person_id", "person_id"), ("q", "pattern")) if given[p]
    )
    params = {
        "household_id": member.household_id,
        "limit": page.limit + 1,
        **{k: v for k, v in given.items() if v is not None},
    }
    if page.cursor:
        params["after_date"], params["after_id"] = decode_cursor(page.cursor, [dt.date, uuid.UUID])
    connection = await read_connection(session)
    rows = (await connection.execute(_statement(filters, bool(page.cursor)), params)).all()
    today = today_in(rows[0].timezone) if rows else None
    items = [shown_occasion(row, today) for row in rows[: page.limit]] if today else []
    next_cursor = None
    if len(rows) > page.limit:
        last = rows[page.limit - 1]
        next_cursor = encode_cursor([last.date, last.id])
    return {"items": items, "next_cursor": next_cursor}
