"""The dashboard, in one read: every number on it is computed from the caller's side of the surprise.

One statement brings everything the answer needs, each part as an array of plain records: the
household's time zone, its occasions with their people, the people's names, the budgets, the items on
the occasions' lists with the facts the surprise rules need, the caller's claims and open tasks. The
rules then run on those rows in Python, as everywhere else (`services.gateway.surprise`).
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.models.households import Member
from services.gateway.surprise import (
    ListFacts,
    View,
    Viewer,
    item_view,
    list_view,
    person_facts_visible,
    pick_viewers,
)
from services.gateway.use_cases.audience import load_viewer
from services.gateway.use_cases.occasion_reads import OCCASION_COLUMNS, shown_occasion, today_in
from services.gateway.use_cases.occasions import next_occurrence
from services.gateway.use_cases.row_facts import GIFT_FACTS_COLUMNS, GIFT_FACTS_SQL, gift_facts_from
from services.gateway.use_cases.spend import Coverage, total
from shared.db import read_connection

MY_CLAIMS_SHOWN = 100
# a gift exchange's pick as the rules need it: its exchange, the giver (and the member linked to them,
# if they are one), the receiver, and the receiver's wish lists with their facts
PICK_COLUMNS = """e.id, e.name, e.occasion_id, e.deadline, e.price_min, e.price_max, e.currency,
                e.organizer_id, p.giver_person_id, gp.name,
                (SELECT m.user_id FROM gateway.membership m
                  WHERE m.household_id = e.household_id AND m.user_id = gp.linked_user_id),
                p.receiver_person_id, rp.name,
                (SELECT array_agg(ROW(gl.id, gl.person_id, gl.kind, gl.visibility, gl.created_by)
                                  ORDER BY gl.occasion_id IS DISTINCT FROM e.occasion_id,
                                           gl.created_at, gl.id)
                   FROM gateway.gift_list gl
                  WHERE gl.person_id = p.receiver_person_id AND gl.kind = 'wish')"""
PICKS_OF_EXCHANGES = """gateway.exchange e
          JOIN gateway.exchange_pick p ON p.exchange_id = e.id
          JOIN gateway.person gp ON gp.id = p.giver_person_id
          JOIN gateway.person rp ON rp.id = p.receiver_person_id"""
MY_TASKS_SHOWN = 10

# an item as the surprise rules and the spend need it: its list's facts, then its gift's
ITEM_FACTS = f"""li.status, li.claimed_quantity, li.quantity,
                gl.person_id, gl.kind, gl.visibility, gl.created_by,
                g.price, g.currency, g.from_santa, g.created_by, {GIFT_FACTS_COLUMNS}"""
ITEMS_OF_LISTS = f"""gateway.list_item li
          JOIN gateway.gift_list gl ON gl.id = li.list_id
          JOIN gateway.gift g ON g.id = li.gift_id
          {GIFT_FACTS_SQL}"""

STATEMENT = text(f"""
SELECT
    (SELECT h.timezone FROM gateway.household h WHERE h.id = :household_id) AS timezone,
    (SELECT array_agg(ROW({OCCASION_COLUMNS}))
       FROM gateway.occasion o
      -- those that have passed for good cannot be upcoming (two days' margin for time zones)
      WHERE o.household_id = :household_id AND (o.recurs_yearly OR o.date >= CURRENT_DATE - 2)
    ) AS occasions,
    (SELECT array_agg(ROW(p.id, p.name)) FROM gateway.person p
      WHERE p.household_id = :household_id) AS people,
    (SELECT array_agg(ROW(b.person_id, b.occasion_id, b.amount, b.currency)) FROM gateway.budget b
      WHERE b.household_id = :household_id) AS budgets,
    (SELECT array_agg(ROW(gl.occasion_id, {ITEM_FACTS}))
       FROM {ITEMS_OF_LISTS}
      WHERE gl.household_id = :household_id AND gl.occasion_id IS NOT NULL) AS items,
    (SELECT array_agg(ROW(c.id, c.list_item_id, c.user_id, c.quantity, c.created_at, c.updated_at,
                          li.list_id, g.id, g.title, {ITEM_FACTS})
                      ORDER BY c.created_at, c.id)
       FROM (SELECT c.* FROM gateway.claim c JOIN gateway.list_item li ON li.id = c.list_item_id
              WHERE c.household_id = :household_id AND c.user_id = :user_id
                AND li.status != 'given'
              ORDER BY c.created_at, c.id LIMIT {MY_CLAIMS_SHOWN}) AS c
       JOIN {ITEMS_OF_LISTS} ON li.id = c.list_item_id) AS claims,
    (SELECT array_agg(ROW(t.id, t.title, t.due_at) ORDER BY t.due_sort, t.id)
       FROM (SELECT * FROM gateway.task t
              WHERE t.household_id = :household_id AND t.assignee_id = :user_id
                AND t.status = 'open'
              ORDER BY t.due_sort, t.id LIMIT {MY_TASKS_SHOWN}) AS t) AS tasks,
    (SELECT array_agg(ROW({PICK_COLUMNS}) ORDER BY e.deadline, e.id, gp.name, gp.id)
       FROM {PICKS_OF_EXCHANGES}
      WHERE e.household_id = :household_id AND e.drawn_at IS NOT NULL
        -- those whose day has passed for good are not shown (two days' margin for time zones)
        AND e.deadline >= CURRENT_DATE - 2
        -- what the caller may see, read narrowly here; the rule itself runs below
        AND (gp.linked_user_id = :user_id OR e.organizer_id = :user_id)) AS picks
""")


def _item_view(viewer: Viewer, facts: Sequence[Any]) -> View:
    """The view of an item from its ITEM_FACTS (status, claimed and wanted quantity first)."""
    owner, kind, visibility, list_creator, _, _, from_santa, gift_creator, *gift = facts[3:]
    lst = ListFacts(
        owner_person_id=owner, kind=kind, visibility=visibility, created_by=list_creator
    )
    return item_view(viewer, lst, gift_facts_from(from_santa, gift_creator, *gift))


def _spend(spends) -> list[dict[str, Any]]:
    return [s.model_dump() for s in spends]


async def dashboard(session: AsyncSession, member: Member, days: int) -> dict[str, Any]:
    viewer = await load_viewer(session, member)
    connection = await read_connection(session)
    row = (
        await connection.execute(
            STATEMENT, {"household_id": member.household_id, "user_id": member.user_id}
        )
    ).one()
    today = today_in(row.timezone)
    horizon = today + dt.timedelta(days=days)
    upcoming = []
    for occasion in row.occasions or ():
        when = next_occurrence(occasion[4], occasion[5], today)
        if when is not None and when <= horizon:
            upcoming.append((when, occasion))
    upcoming.sort(key=lambda pair: (pair[0], pair[1][2]))
    names = dict(row.people or ())
    budgets = {(p, o): (amount, currency) for p, o, amount, currency in row.budgets or ()}
    wanted = {o[0] for _, o in upcoming}
    covers: dict[tuple, Coverage] = defaultdict(Coverage)
    for occasion_id, *facts in row.items or ():
        if occasion_id in wanted and _item_view(viewer, facts) is View.FULL:
            status, claimed_quantity, quantity, person_id = facts[:4]
            price, currency = facts[7:9]
            covers[(person_id, occasion_id)].count(
                status, claimed_quantity, quantity, price, currency
            )

    # who is covered is for everyone; what it costs against the budget is for the grown-ups
    grown_up = not viewer.is_child
    occasions = []
    for when, occasion in upcoming:
        occasion_id, everyone = occasion[0], list(occasion[10] or ())
        people = []
        for person_id in everyone:
            if not person_facts_visible(viewer, person_id):
                continue
            cover, budget = covers[(person_id, occasion_id)], budgets.get((person_id, occasion_id))
            spend = cover.spend() if grown_up else []
            people.append(
                {
                    "person_id": person_id,
                    "name": names[person_id],
                    "has_gift": cover.gift_count > 0,
                    "gift_count": cover.gift_count,
                    "budget": {"amount": budget[0], "currency": budget[1]}
                    if budget and grown_up
                    else None,
                    "spend": spend,
                }
            )
        people.sort(key=lambda p: p["name"])
        occasions.append(
            {
                "occasion": shown_occasion(occasion, today),
                "date": when,
                "days_until": (when - today).days,
                "people": [{**p, "spend": _spend(p["spend"])} for p in people],
                "people_without_gift": [p["person_id"] for p in people if not p["has_gift"]],
                "spend": _spend(total(p["spend"] for p in people)),
            }
        )

    my_claims = []
    for claim in row.claims or ():
        claim_id, item_id, user_id, quantity, created_at, updated_at, list_id, gift_id, title = (
            claim[:9]
        )
        facts = claim[9:]
        if _item_view(viewer, facts) is not View.FULL:
            continue  # e.g. the list went private since
        my_claims.append(
            {
                "id": claim_id,
                "list_item_id": item_id,
                "user_id": user_id,
                "quantity": quantity,
                "created_at": created_at,
                "updated_at": updated_at,
                "list_id": list_id,
                "gift_id": gift_id,
                "gift_title": title,
                "person_id": facts[3],
                "status": facts[0],
                "price": facts[7],
                "currency": facts[8],
            }
        )
    # a task is never kept from its assignee, so the caller's own need no surprise check
    tasks = [
        {"id": task_id, "title": title, "due_at": due_at}
        for task_id, title, due_at in row.tasks or ()
    ]
    return {
        "today": today,
        "occasions": occasions,
        "my_claims": my_claims,
        "my_open_tasks": tasks,
        "my_exchange_picks": _my_picks(viewer, row.picks or (), today),
    }


def _my_picks(viewer: Viewer, picks: Sequence[Any], today: dt.date) -> list[dict[str, Any]]:
    """The gift exchange picks the caller may see (surprise.pick_viewers), of exchanges whose day has
    not passed, each with the receiver's wish lists the caller may open."""
    shown = []
    for pick in picks:
        exchange_id, name, occasion_id, deadline, price_min, price_max, currency = pick[:7]
        organizer_id, giver, giver_name, giver_member, receiver, receiver_name, lists = pick[7:]
        giver_viewers = (
            [Viewer(giver_member, person_ids=frozenset({giver}))] if giver_member else []
        )
        if deadline < today or viewer.user_id not in pick_viewers(
            giver_viewers, giver, organizer_id
        ):
            continue
        wish_lists = [
            list_id
            for list_id, owner, kind, visibility, created_by in lists or ()
            if list_view(viewer, ListFacts(owner, kind, visibility, created_by)) is View.FULL
        ]
        shown.append(
            {
                "exchange_id": exchange_id,
                "exchange_name": name,
                "occasion_id": occasion_id,
                "deadline": deadline,
                "price_min": price_min,
                "price_max": price_max,
                "currency": currency,
                "giver_person_id": giver,
                "giver_name": giver_name,
                "receiver_person_id": receiver,
                "receiver_name": receiver_name,
                "as_proxy": giver not in viewer.person_ids,
                "wish_list_ids": wish_lists,
            }
        )
    # within an exchange, the caller's own pick before those they hold as the organizer
    shown.sort(key=lambda p: (p["deadline"], str(p["exchange_id"]), p["as_proxy"]))
    return shown
