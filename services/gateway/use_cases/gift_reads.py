"""Reading gifts in one round trip: a search page or one gift, each gift with its tags, its people and
the facts the surprise rules need, in one statement; the rules then run on the plain rows.

The statement for each combination of filters is written once and kept (`_statement`), so SQLAlchemy's
compiled cache and the driver's prepared statements serve every later request.
"""

import datetime as dt
import uuid
from functools import cache
from typing import Any

from sqlalchemy import TextClause, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.models.households import Member
from services.gateway.models.lists import ItemStatus
from services.gateway.surprise import View, Viewer, gift_view, shown_gift
from services.gateway.use_cases.audience import load_viewer
from services.gateway.use_cases.people import contains
from services.gateway.use_cases.row_facts import GIFT_FACTS_COLUMNS, GIFT_FACTS_SQL, gift_facts_of
from shared.cursors import decode_cursor, encode_cursor
from shared.db import read_connection
from shared.errors import NotFound
from shared.pages import PageRequest

SELECT = f"""
SELECT g.id, g.household_id, g.title, g.url, g.price, g.currency, g.image_url, g.notes, g.notes_by,
       g.from_santa, g.created_by, g.created_at, g.updated_at,
       (SELECT array_agg(t.name ORDER BY t.name)
          FROM gateway.gift_tag gt JOIN gateway.tag t ON t.id = gt.tag_id
         WHERE gt.gift_id = g.id) AS tags,
       (SELECT array_agg(gp.person_id ORDER BY gp.created_at, gp.person_id)
          FROM gateway.gift_person gp WHERE gp.gift_id = g.id) AS people_ids,
       (SELECT array_agg(gp.role ORDER BY gp.created_at, gp.person_id)
          FROM gateway.gift_person gp WHERE gp.gift_id = g.id) AS people_roles,
       {GIFT_FACTS_COLUMNS}
FROM gateway.gift g
{GIFT_FACTS_SQL}
"""

FILTERS = {
    "q": "(g.title ILIKE :pattern OR g.notes ILIKE :pattern)",
    "tag": """g.id IN (SELECT gt.gift_id FROM gateway.gift_tag gt JOIN gateway.tag t ON t.id = gt.tag_id
                      WHERE t.household_id = :household_id AND t.name = :tag)""",
    "person_id": """(g.id IN (SELECT gp.gift_id FROM gateway.gift_person gp
                             WHERE gp.person_id = :person_id AND gp.role = 'recipient')
                  OR g.id IN (SELECT li.gift_id FROM gateway.list_item li
                              JOIN gateway.gift_list gl ON gl.id = li.list_id
                              WHERE gl.person_id = :person_id))""",
    "status": "g.id IN (SELECT li.gift_id FROM gateway.list_item li WHERE li.status = :status)",
    "occasion_id": """g.id IN (SELECT li.gift_id FROM gateway.list_item li
                              JOIN gateway.gift_list gl ON gl.id = li.list_id
                              WHERE gl.occasion_id = :occasion_id)""",
}
ONE = text(SELECT + "WHERE g.id = :gift_id AND g.household_id = :household_id")


@cache
def _statement(filters: tuple[str, ...], after: bool) -> TextClause:
    """The page statement for these filters (in FILTERS' order), newest first, keyset after a row."""
    where = ["g.household_id = :household_id", *(FILTERS[f] for f in filters)]
    if after:
        # the leading column alone as well: it lets the planner range-scan the index on it
        where += [
            "g.created_at <= CAST(:after_at AS timestamptz)",
            "(g.created_at, g.id) < (CAST(:after_at AS timestamptz), CAST(:after_id AS uuid))",
        ]
    return text(
        SELECT
        + "WHERE "
        + "\n  AND ".join(where)
        + "\nORDER BY g.created_at DESC, g.id DESC LIMIT :batch"
    )


def _shown(viewer: Viewer, row: Any) -> tuple[View, dict[str, Any] | None]:
    view = gift_view(viewer, gift_facts_of(row))
    if view is View.HIDDEN:
        return view, None
    people = [
        {"person_id": p, "role": r}
        for p, r in zip(row.people_ids or (), row.people_roles or (), strict=True)
    ]
    return view, shown_gift(viewer, view, row, list(row.tags or ()), people)


async def get_gift(session: AsyncSession, member: Member, gift_id: uuid.UUID) -> dict[str, Any]:
    """One gift as the caller is shown it (404 when it is not theirs to see)."""
    viewer = await load_viewer(session, member)
    connection = await read_connection(session)
    row = (
        await connection.execute(ONE, {"gift_id": gift_id, "household_id": member.household_id})
    ).first()
    shown = _shown(viewer, row)[1] if row is not None else None
    if shown is None:
        raise NotFound("No such gift in this household.")
    return shown


async def list_gifts(
    session: AsyncSession,
    member: Member,
    page: PageRequest,
    *,
    q: str | None = None,
    tag: str | None = None,
    person_id: uuid.UUID | None = None,
    status: ItemStatus | None = None,
    occasion_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    """Newest first. `person_id` finds gifts *for* that person (recipient or on their list); `status` finds
    gifts with an item in that status, among the items the caller sees in full.

    A page is filled from the gifts the caller may see: when hidden ones leave it short, the next batch
    is read (rarely: a batch holds one more gift than the page)."""
    viewer = await load_viewer(session, member)
    given = {
        "q": q,
        "tag": tag,
        "person_id": person_id,
        "status": status,
        "occasion_id": occasion_id,
    }
    filters = tuple(name for name in FILTERS if given[name])
    params: dict[str, Any] = {
        "household_id": member.household_id,
        "batch": page.limit + 1,
        "pattern": contains(q) if q else None,
        "tag": tag.strip().lower() if tag else None,
        "person_id": person_id,
        "status": status.value if status else None,
        "occasion_id": occasion_id,
    }
    params = {k: v for k, v in params.items() if k in ("household_id", "batch") or v is not None}
    after = decode_cursor(page.cursor, [dt.datetime, uuid.UUID]) if page.cursor else None
    connection = await read_connection(session)
    seen: list[tuple[Any, dict[str, Any]]] = []
    while len(seen) <= page.limit:
        if after is not None:
            params["after_at"], params["after_id"] = after
        rows = (await connection.execute(_statement(filters, after is not None), params)).all()
        for row in rows:
            view, shown = _shown(viewer, row)
            # a redacted gift must match on what its recipient is shown, not on hidden notes, givers
            # or status
            if shown is not None and (
                view is View.FULL
                or _matches_shown(viewer, shown, q, person_id, status, occasion_id)
            ):
                seen.append((row, shown))
        if len(rows) <= page.limit:
            break
        after = [rows[-1].created_at, rows[-1].id]
    items = [shown for _, shown in seen[: page.limit]]
    next_cursor = None
    if len(seen) > page.limit:
        last = seen[page.limit - 1][0]
        next_cursor = encode_cursor([last.created_at, last.id])
    return {"items": items, "next_cursor": next_cursor}


def _matches_shown(
    viewer: Viewer,
    gift: dict[str, Any],
    q: str | None,
    person_id: uuid.UUID | None,
    status: ItemStatus | None,
    occasion_id: uuid.UUID | None,
) -> bool:
    if status is not None or occasion_id is not None:
        return False
    if person_id is not None and person_id not in viewer.person_ids | {
        p["person_id"] for p in gift["people"]
    }:
        return False
    if q:
        needle = q.lower()
        return needle in gift["title"].lower() or needle in (gift["notes"] or "").lower()
    return True
