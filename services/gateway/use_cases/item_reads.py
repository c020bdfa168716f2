"""Reading a list's items in one round trip: the list, a page of its items, each with its gift's title
and the facts the surprise rules need, in one statement; the rules then run on the plain rows."""

import datetime as dt
import uuid
from functools import cache
from typing import Any

from sqlalchemy import TextClause, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.models.households import Member
from services.gateway.models.lists import ItemStatus
from services.gateway.surprise import ListFacts, View, item_view, list_view, shown_item
from services.gateway.use_cases.audience import load_viewer
from services.gateway.use_cases.row_facts import GIFT_FACTS_COLUMNS, GIFT_FACTS_SQL, gift_facts_of
from shared.cursors import decode_cursor, encode_cursor
from shared.db import read_connection
from shared.errors import NotFound
from shared.pages import PageRequest


@cache
def _statement(by_status: bool, after: bool) -> TextClause:
    """The list (no row when it is not the household's) and, the most wanted first, then in the order
    they were added, a batch of its items after a row (a row of nulls when there are none)."""
    where = ["li.list_id = l.id"]
    if by_status:
        where.append("li.status = :status")
    if after:
        # the leading column alone as well: it lets the planner range-scan the index on it
        where += [
            "li.priority >= :after_priority",
            "(li.priority, li.created_at, li.id)"
            " > (CAST(:after_priority AS smallint), CAST(:after_at AS timestamptz),"
            " CAST(:after_id AS uuid))",
        ]
    return text(f"""
WITH l AS (
    SELECT id, person_id, kind, visibility, created_by FROM gateway.gift_list
    WHERE id = :list_id AND household_id = :household_id
)
SELECT l.person_id AS list_person_id, l.kind AS list_kind, l.visibility AS list_visibility,
       l.created_by AS list_created_by,
       i.id, i.list_id, i.gift_id, i.quantity, i.priority, i.claimed_quantity, i.status,
       i.status_changed_at, i.purchased_at, i.purchased_by, i.added_by, i.notes, i.notes_by,
       i.created_at, i.updated_at,
       g.title AS gift_title, g.from_santa, g.created_by,
       {GIFT_FACTS_COLUMNS}
FROM l
LEFT JOIN LATERAL (
    SELECT li.* FROM gateway.list_item li
    WHERE {" AND ".join(where)}
    ORDER BY li.priority, li.created_at, li.id
    LIMIT :batch
) AS i ON true
LEFT JOIN gateway.gift g ON g.id = i.gift_id
{GIFT_FACTS_SQL}
ORDER BY i.priority, i.created_at, i.id
""")


async def list_items(
    session: AsyncSession,
    member: Member,
    list_id: uuid.UUID,
    page: PageRequest,
    status: ItemStatus | None = None,
) -> dict[str, Any]:
    """A page of the list's items as the caller is shown them (404 when the list is not theirs to see);
    with `status`, the items the caller is shown in that status.

    A page is filled from the items the caller may see: when hidden ones leave it short, the next batch
    is read (rarely: a batch holds one more item than the page)."""
    viewer = await load_viewer(session, member)
    params: dict[str, Any] = {
        "list_id": list_id,
        "household_id": member.household_id,
        "batch": page.limit + 1,
    }
    if status:
        params["status"] = status.value
    after = decode_cursor(page.cursor, [int, dt.datetime, uuid.UUID]) if page.cursor else None
    connection = await read_connection(session)
    seen: list[tuple[Any, dict[str, Any]]] = []
    while len(seen) <= page.limit:
        if after is not None:
            params["after_priority"], params["after_at"], params["after_id"] = after
        rows = (await connection.execute(_statement(bool(status), after is not None), params)).all()
        if not rows:
            raise NotFound("No such list in this household.")
        lst = ListFacts(
            owner_person_id=rows[0].list_person_id,
            kind=rows[0].list_kind,
            visibility=rows[0].list_visibility,
            created_by=rows[0].list_created_by,
        )
        if list_view(viewer, lst) is View.HIDDEN:
            raise NotFound("No such list in this household.")
        rows = [row for row in rows if row.id is not None]
        for row in rows:
            view = item_view(viewer, lst, gift_facts_of(row))
            if view is View.HIDDEN:
                continue
            shown = shown_item(viewer, view, row, row.gift_title)
            if status is None or shown["status"] == status:
                seen.append((row, shown))
        if len(rows) <= page.limit:
            break
        after = [rows[-1].priority, rows[-1].created_at, rows[-1].id]
    items = [shown for _, shown in seen[: page.limit]]
    next_cursor = None
    if len(seen) > page.limit:
        last = seen[page.limit - 1][0]
        next_cursor = encode_cursor([last.priority, last.created_at, last.id])
    return {"items": items, "next_cursor": next_cursor}
