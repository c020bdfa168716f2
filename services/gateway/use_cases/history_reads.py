"""Reading the gift history in one round trip: a page of records (or one, or a person's), each with its
recipient, givers, occasion and the household's reveal setting, in one statement; the surprise rules
(`surprise.record_view`) then run on the plain rows, with the household's "today" where it lives.

A record hidden from the caller is absent: not listed, not counted, 404 on its own address, never
an answer to a similarity search.
"""

import datetime as dt
import difflib
import re
import unicodedata
import uuid
from collections import defaultdict
from functools import cache
from typing import Any

from sqlalchemy import TextClause, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.models.history import RecordSource
from services.gateway.models.households import Member
from services.gateway.surprise import (
    GIVEN,
    SANTA,
    RecordFacts,
    View,
    Viewer,
    is_revealed,
    record_view,
    reveals_on,
    santa_gives,
)
from services.gateway.use_cases.audience import load_viewer
from services.gateway.use_cases.occasion_reads import today_in
from shared.cursors import decode_cursor, encode_cursor
from shared.errors import NotFound
from shared.pages import PageRequest

SELECT = """
SELECT r.id, r.household_id, r.source, r.recipient_person_id, rp.name AS recipient_name,
       r.occasion_id, coalesce(o.name, r.occasion_name) AS occasion_name, r.occurs_on,
       r.title, r.price, r.currency, r.gift_id, r.notes, r.from_santa, r.private_to,
       r.giver_person_id, gp.name AS giver_person_name, gp.linked_user_id AS giver_person_user_id,
       r.giver_name, r.thanked_at, r.thank_task_id, r.recorded_by, r.created_at,
       h.reveal, h.reveal_after_days, h.timezone,
       gv.giver_ids, gv.giver_person_ids, gv.giver_names,
       ARRAY(SELECT s.recipient_person_id FROM gateway.gift_record s
              WHERE s.list_item_id = r.list_item_id AND s.id <> r.id) AS also_for
FROM gateway.gift_record r
JOIN gateway.household h ON h.id = r.household_id
JOIN gateway.person rp ON rp.id = r.recipient_person_id
LEFT JOIN gateway.occasion o ON o.id = r.occasion_id
LEFT JOIN gateway.person gp ON gp.id = r.giver_person_id
LEFT JOIN LATERAL (
    SELECT array_agg(gu.user_id ORDER BY gu.ord) AS giver_ids,
           array_agg(lp.id ORDER BY gu.ord) AS giver_person_ids,
           array_agg(coalesce(lp.name, u.display_name, 'A former member') ORDER BY gu.ord)
               AS giver_names
    FROM unnest(r.giver_user_ids) WITH ORDINALITY AS gu(user_id, ord)
    LEFT JOIN gateway.user_account u ON u.id = gu.user_id
    LEFT JOIN LATERAL (
        SELECT p.id, p.name FROM gateway.person p
        WHERE p.household_id = r.household_id AND p.linked_user_id = gu.user_id
        ORDER BY p.created_at, p.id LIMIT 1
    ) lp ON true
) gv ON true
"""
# whether a person gave the record: named as its giver, or the member linked to them among its givers
GAVE = """(r.giver_person_id = :{param} OR EXISTS (
    SELECT 1 FROM gateway.person gpp
    WHERE gpp.id = :{param} AND gpp.linked_user_id = ANY(r.giver_user_ids)))"""
FILTERS = {
    "person_id": "r.recipient_person_id = :person_id",
    "giver_person_id": GAVE.format(param="giver_person_id"),
    "year": "r.occurs_on BETWEEN CAST(:year_start AS date) AND CAST(:year_end AS date)",
    "occasion_id": "r.occasion_id = :occasion_id",
    "thanked": "(r.thanked_at IS NOT NULL) = :thanked",
    "source": "r.source = :source",
}
ONE = text(SELECT + "WHERE r.id = :record_id AND r.household_id = :household_id")
OF_PERSON = text(
    SELECT
    + "WHERE r.household_id = :household_id AND (r.recipient_person_id = :person_id OR "
    + GAVE.format(param="person_id")
    + ")\nORDER BY r.occurs_on DESC, r.created_at DESC, r.id DESC"
)
TO_PERSON = text(
    SELECT
    + "WHERE r.household_id = :household_id AND r.recipient_person_id = :person_id"
    + "\nORDER BY r.occurs_on DESC, r.id DESC"
)
TO_ANYONE = text(
    SELECT + "WHERE r.household_id = :household_id ORDER BY r.occurs_on DESC, r.id DESC"
)
# the same words as `scoped.get_own` says of an id that is not there: a hidden record is not there
NOT_FOUND = "No such gift record in this household."
PERSON = text(
    "SELECT name FROM gateway.person WHERE id = :person_id AND household_id = :household_id"
)


def record_facts(row: Any) -> RecordFacts:
    """A record's facts for the rules, with its reveal day from the household's setting as it is now."""
    return RecordFacts(
        source=row.source,
        recipient_person_id=row.recipient_person_id,
        from_santa=row.from_santa,
        private_to=frozenset(row.private_to or ()),
        reveals_on=reveals_on(row.reveal, row.reveal_after_days, row.occurs_on)
        if row.source == GIVEN
        else None,
        also_for=frozenset(row.also_for or ()),
    )


def _givers(viewer: Viewer, facts: RecordFacts, row: Any) -> list[dict[str, Any]]:
    if santa_gives(viewer, facts):
        return [{"user_id": None, "person_id": None, "name": SANTA}]
    if row.source == GIVEN:
        return [
            {"user_id": u, "person_id": p, "name": n}
            for u, p, n in zip(
                row.giver_ids or (), row.giver_person_ids or (), row.giver_names or (), strict=True
            )
        ]
    if row.giver_person_id is not None:
        return [
            {
                "user_id": row.giver_person_user_id,
                "person_id": row.giver_person_id,
                "name": row.giver_person_name,
            }
        ]
    return [{"user_id": None, "person_id": None, "name": row.giver_name or "Someone"}]


def shown_record(viewer: Viewer, row: Any, today: dt.date) -> dict[str, Any] | None:
    """A record (a row of SELECT) as `viewer` is shown it on `today`, the household's local date;
    None when it is not theirs to see."""
    facts = record_facts(row)
    if record_view(viewer, facts, today) is View.HIDDEN:
        return None
    return {
        "id": row.id,
        "household_id": row.household_id,
        "source": row.source,
        "recipient_person_id": row.recipient_person_id,
        "recipient_name": row.recipient_name,
        "occasion_id": row.occasion_id,
        "occasion_name": row.occasion_name,
        "occurs_on": row.occurs_on,
        "year": row.occurs_on.year,
        "title": row.title,
        "price": row.price,
        "currency": row.currency,
        "gift_id": row.gift_id,
        "notes": row.notes,
        "givers": _givers(viewer, facts, row),
        "giver_person_id": row.giver_person_id,
        "giver_name": row.giver_name,
        "revealed": is_revealed(facts, today),
        "reveals_on": facts.reveals_on,
        "thanked": row.thanked_at is not None,
        "thanked_at": row.thanked_at,
        "thank_task_id": row.thank_task_id,
        "recorded_by": row.recorded_by,
        "created_at": row.created_at,
    }


async def record_row(session: AsyncSession, household_id: uuid.UUID, record_id: uuid.UUID) -> Any:
    connection = await session.connection()
    return (
        await connection.execute(ONE, {"record_id": record_id, "household_id": household_id})
    ).first()


async def visible_record(
    session: AsyncSession, member: Member, viewer: Viewer, record_id: uuid.UUID
) -> tuple[Any, dict[str, Any], dt.date]:
    """The record's row, as the caller is shown it, and the household's today; 404 when hidden."""
    row = await record_row(session, member.household_id, record_id)
    today = today_in(row.timezone) if row is not None else dt.date.min
    shown = shown_record(viewer, row, today) if row is not None else None
    if shown is None:
        raise NotFound(NOT_FOUND)
    return row, shown, today


async def get_record(session: AsyncSession, member: Member, record_id: uuid.UUID) -> dict[str, Any]:
    viewer = await load_viewer(session, member)
    return (await visible_record(session, member, viewer, record_id))[1]


@cache
def _statement(filters: tuple[str, ...], after: bool) -> TextClause:
    """The page statement for these filters (in FILTERS' order), newest first, keyset after a row."""
    where = ["r.household_id = :household_id", *(FILTERS[f] for f in filters)]
    if after:
        where += [
            "r.occurs_on <= CAST(:after_on AS date)",
            "(r.occurs_on, r.id) < (CAST(:after_on AS date), CAST(:after_id AS uuid))",
        ]
    return text(
        SELECT
        + "WHERE "
        + "\n  AND ".join(where)
        + "\nORDER BY r.occurs_on DESC, r.id DESC LIMIT :batch"
    )


async def list_records(
    session: AsyncSession,
    member: Member,
    page: PageRequest,
    *,
    person_id: uuid.UUID | None = None,
    giver_person_id: uuid.UUID | None = None,
    year: int | None = None,
    occasion_id: uuid.UUID | None = None,
    thanked: bool | None = None,
    source: RecordSource | None = None,
) -> dict[str, Any]:
    """Newest first, only what the caller may see. A page is filled from visible records: when hidden
    ones leave it short, the next batch is read, and a cursor is given only when a visible one follows."""
    viewer = await load_viewer(session, member)
    given: dict[str, Any] = {
        "person_id": person_id,
        "giver_person_id": giver_person_id,
        "year": year,
        "occasion_id": occasion_id,
        "thanked": thanked,
        "source": source.value if source else None,
    }
    filters = tuple(name for name in FILTERS if given[name] is not None)
    params: dict[str, Any] = {
        "household_id": member.household_id,
        "batch": page.limit + 1,
        **{k: v for k, v in given.items() if v is not None and k != "year"},
    }
    if year is not None:
        params["year_start"], params["year_end"] = dt.date(year, 1, 1), dt.date(year, 12, 31)
    after = decode_cursor(page.cursor, [dt.date, uuid.UUID]) if page.cursor else None
    connection = await session.connection()
    seen: list[tuple[Any, dict[str, Any]]] = []
    today: dt.date | None = None
    while len(seen) <= page.limit:
        if after is not None:
            params["after_on"], params["after_id"] = after
        rows = (await connection.execute(_statement(filters, after is not None), params)).all()
        for row in rows:
            today = today or today_in(row.timezone)
            shown = shown_record(viewer, row, today)
            # "not thanked yet" is what is owed a thank-you: what its recipient may know of
            if shown is not None and (thanked is not False or shown["revealed"]):
                seen.append((row, shown))
        if len(rows) <= page.limit:
            break
        after = [rows[-1].occurs_on, rows[-1].id]
    items = [shown for _, shown in seen[: page.limit]]
    next_cursor = None
    if len(seen) > page.limit:
        last = seen[page.limit - 1][0]
        next_cursor = encode_cursor([last.occurs_on, last.id])
    return {"items": items, "next_cursor": next_cursor}


async def person_history(
    session: AsyncSession, member: Member, person_id: uuid.UUID
) -> dict[str, Any]:
    """What a person received and gave, by year (newest first) and occasion (or day)."""
    viewer = await load_viewer(session, member)
    connection = await session.connection()
    params = {"household_id": member.household_id, "person_id": person_id}
    name = (await connection.execute(PERSON, params)).scalar()
    if name is None:
        raise NotFound("No such person in this household.")
    rows = (await connection.execute(OF_PERSON, params)).all()
    today = today_in(rows[0].timezone) if rows else dt.date.min
    groups: dict[tuple[uuid.UUID | None, dt.date], dict[str, Any]] = {}
    for row in rows:
        shown = shown_record(viewer, row, today)
        if shown is None:
            continue
        key = (row.occasion_id, row.occurs_on)
        group = groups.setdefault(
            key,
            {
                "occasion_id": row.occasion_id,
                "occasion_name": row.occasion_name,
                "occurs_on": row.occurs_on,
                "to_them": [],
                "from_them": [],
            },
        )
        group["to_them" if row.recipient_person_id == person_id else "from_them"].append(shown)
    years: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for group in groups.values():  # rows come newest first, so the groups do too
        years[group["occurs_on"].year].append(group)
    return {
        "person_id": person_id,
        "name": name,
        "years": [{"year": y, "occasions": years[y]} for y in sorted(years, reverse=True)],
    }


# similar gifts -------------------------------------------------------------------------------------
SIMILAR_RATIO = 0.8
MAX_SIMILAR = 10
_WORD = re.compile(r"\w+")


def words(title: str) -> tuple[str, ...]:
    """A title's words, without case or accents, in order: "Crème Brûlée set" -> ("creme", "brulee", "set")."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", title) if not unicodedata.combining(c))
    return tuple(_WORD.findall(plain.upper().casefold()))  # upper first: a dotless ı is an i


def resemblance(a: str, b: str) -> float:
    """How alike two gift titles are, 0 to 1, whatever their case, accents and word order: 1 when the
    words of one are all among the other's ("Lego" and "Lego fire station"), else how alike their
    sorted words read."""
    wa, wb = words(a), words(b)
    if not wa or not wb:
        return 0.0
    if set(wa) <= set(wb) or set(wb) <= set(wa):
        return 1.0
    first, second = sorted((" ".join(sorted(wa)), " ".join(sorted(wb))))  # either way round alike
    return difflib.SequenceMatcher(None, first, second).ratio()


def resembles(a: str, b: str) -> bool:
    return resemblance(a, b) >= SIMILAR_RATIO


async def similar_records(
    session: AsyncSession, member: Member, title: str, person_id: uuid.UUID | None = None
) -> list[dict[str, Any]]:
    """Records the caller may see (to `person_id`, or to anyone) whose title resembles `title`, most
    alike first, then newest: for the gift form's "you gave this before"."""
    viewer = await load_viewer(session, member)
    connection = await session.connection()
    params: dict[str, Any] = {"household_id": member.household_id}
    if person_id is not None:
        params["person_id"] = person_id
    rows = (await connection.execute(TO_PERSON if person_id else TO_ANYONE, params)).all()
    found: list[tuple[float, dict[str, Any]]] = []
    today = today_in(rows[0].timezone) if rows else dt.date.min
    for row in rows:
        score = resemblance(title, row.title)
        if score < SIMILAR_RATIO:
            continue
        shown = shown_record(viewer, row, today)
        if shown is not None:
            found.append((score, shown))
    found.sort(key=lambda pair: -pair[0])  # stable: the newest first among equals
    return [shown for _, shown in found[:MAX_SIMILAR]]
