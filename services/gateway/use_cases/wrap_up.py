"""The occasion wrap-up: once an occasion's day is over where the household lives, what the household
gave at it goes into the history, and, when the household's reveal setting says so, its recipients are
told that their gifts are there.

What is recorded ("given" records, `models/history.py`): every item on a list for the occasion that was
claimed or bought, once per person it was for (the list's owner and the gift's recipients), with its
givers (the claimers and the purchaser), the gift as it was (title, price) and the day the occasion
came. For a yearly occasion only what was claimed or bought by the end of that day counts: what comes
later is for next year. A one-off occasion's gifts count whenever they are claimed. An item marked
given is recorded at once (`record_given_item`), for the occasion nearest to that day.

Who may see a record besides its recipient (after the reveal): a gift on a private list, that list's
maker and its givers; a gift claimed for a gift exchange, its giver alone (`private_to`).

Nothing is recorded twice: a record is unique per list item and person, ever (so a second run, a second
gateway replica or next year's wrap-up adds nothing), an occasion's day is wrapped up once
(`occasion_wrap_up`), and a reveal is announced once (`revealed_at`). Each household is one
transaction under an advisory lock: a replica that finds it taken leaves it to the one holding it, and
a crash leaves nothing half done. Claims and items are left as they are: history is added, nothing
disappears.

A household's import records the given gifts of its exported history here too (`record_imported`), for
the same list items, so nothing of it is recorded again afterwards.
"""

import datetime as dt
import uuid
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

import structlog
from sqlalchemy import func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from services.gateway.models import outbox, utcnow
from services.gateway.models.accounts import UserAccount
from services.gateway.models.history import GiftRecord
from services.gateway.models.households import Household, Member, Reveal
from services.gateway.models.occasions import Occasion
from services.gateway.surprise import GIVEN, Hidden, RecordFacts, Viewer, record_hidden, reveals_on
from services.gateway.use_cases.audience import household_viewers
from services.gateway.use_cases.history import recorded_event
from services.gateway.use_cases.occasion_reads import today_in
from services.gateway.use_cases.occasions import last_occurrence, nearest_occurrence
from services.gateway.use_cases.task_events import household_timezone
from shared.events.history import GiftRecorded, GiftsRevealed, OccasionWrappedUp
from shared.outbox import add_events
from shared.validation.rrules import to_instant

log = structlog.get_logger()

# advisory lock class: one wrap-up of a household at a time, across workers and replicas
_LOCK_WRAP_UP = 7010


@dataclass(frozen=True)
class Occurrence:
    """One time an occasion came: its day, and the instant after which a claim or a purchase is for
    its next time (None: anything counts, whenever made, as for a one-off occasion)."""

    occasion_id: uuid.UUID | None
    occurs_on: dt.date
    counts_until: dt.datetime | None = None


def day_over_at(day: dt.date, timezone: str) -> dt.datetime:
    """The instant `day` is over where the household lives (its next midnight there)."""
    return to_instant(
        dt.datetime.combine(day + dt.timedelta(days=1), dt.time()), zoneinfo.ZoneInfo(timezone)
    )


def passed_occurrence(
    occasion_id: uuid.UUID, date: dt.date, recurs_yearly: bool, today: dt.date, timezone: str
) -> Occurrence | None:
    """The occasion's last day that is over (`today`: the household's date), with what counts for it;
    None if it has not come yet."""
    occurs_on = last_occurrence(date, recurs_yearly, today)
    if occurs_on is None:
        return None
    until = day_over_at(occurs_on, timezone) if recurs_yearly else None
    return Occurrence(occasion_id, occurs_on, until)


# the items of the occurrences' lists that were claimed or bought in time, one row per person each is
# for, recorded unless recorded before; answers what it recorded
_RECORD = text("""
WITH wanted AS (
    SELECT * FROM unnest(
        CAST(:occasion_ids AS uuid[]), CAST(:dates AS date[]), CAST(:untils AS timestamptz[])
    ) AS w(occasion_id, occurs_on, until)
), items AS (
    SELECT li.id, li.gift_id, l.person_id AS owner, l.visibility, l.created_by AS list_maker,
           w.occasion_id, w.occurs_on, o.name AS occasion_name,
           g.title, g.price, g.currency, g.from_santa,
           ARRAY(
               SELECT DISTINCT giver FROM (
                   SELECT c.user_id AS giver FROM gateway.claim c
                    WHERE c.list_item_id = li.id AND (w.until IS NULL OR c.created_at < w.until)
                   UNION
                   SELECT li.purchased_by WHERE li.purchased_by IS NOT NULL
                      AND li.status IN ('purchased', 'wrapped', 'given')
                      AND (w.until IS NULL OR li.purchased_at < w.until)
               ) AS givers ORDER BY giver
           ) AS givers,
           ARRAY(
               SELECT DISTINCT c.user_id FROM gateway.claim c
                WHERE c.list_item_id = li.id AND c.exchange_id IS NOT NULL
                  AND (w.until IS NULL OR c.created_at < w.until)
                ORDER BY c.user_id
           ) AS exchange_givers
      FROM wanted w
      JOIN gateway.gift_list l
        ON l.occasion_id IS NOT DISTINCT FROM w.occasion_id
       AND l.household_id = CAST(:household_id AS uuid)
      JOIN gateway.list_item li ON li.list_id = l.id
      JOIN gateway.gift g ON g.id = li.gift_id
      LEFT JOIN gateway.occasion o ON o.id = w.occasion_id
     WHERE (CAST(:item_id AS uuid) IS NULL OR li.id = CAST(:item_id AS uuid))
       AND (
           EXISTS (
               SELECT 1 FROM gateway.claim c
                WHERE c.list_item_id = li.id AND (w.until IS NULL OR c.created_at < w.until)
           )
           OR (
               li.status IN ('purchased', 'wrapped', 'given')
               AND (w.until IS NULL OR li.purchased_at < w.until)
           )
       )
)
INSERT INTO gateway.gift_record (
    id, household_id, source, recipient_person_id, occasion_id, occasion_name, occurs_on, title,
    price, currency, gift_id, list_item_id, from_santa, giver_user_ids, private_to, recorded_by,
    created_at
)
SELECT gen_random_uuid(), CAST(:household_id AS uuid), 'given', r.person_id, i.occasion_id,
       i.occasion_name, i.occurs_on, i.title, i.price, i.currency, i.gift_id, i.id, i.from_santa,
       i.givers,
       CASE
           WHEN cardinality(i.exchange_givers) > 0 THEN i.exchange_givers
           WHEN i.visibility = 'private' THEN ARRAY(
               SELECT DISTINCT x FROM unnest(array_append(i.givers, i.list_maker)) AS x
                WHERE x IS NOT NULL ORDER BY x
           )
           ELSE CAST('{}' AS uuid[])
       END,
       CAST(:recorded_by AS uuid), now()
  FROM items i
  CROSS JOIN LATERAL (
      SELECT i.owner AS person_id
      UNION
      SELECT gp.person_id FROM gateway.gift_person gp
       WHERE gp.gift_id = i.gift_id AND gp.role = 'recipient'
  ) AS r
    ON CONFLICT (list_item_id, recipient_person_id) DO NOTHING
RETURNING id, list_item_id, recipient_person_id, occasion_id, occasion_name, occurs_on, title,
          price, currency, from_santa, giver_user_ids, private_to
""")

# an occurrence with given records is wrapped up once; a later record (a one-off occasion's gift
# claimed afterwards) only brings its count up to date
_WRAP = text("""
INSERT INTO gateway.occasion_wrap_up (occasion_id, occurs_on, household_id, gifts, wrapped_up_at)
SELECT r.occasion_id, r.occurs_on, r.household_id, count(*), now()
  FROM gateway.gift_record r
  JOIN unnest(CAST(:occasion_ids AS uuid[]), CAST(:dates AS date[])) AS w(occasion_id, occurs_on)
    ON w.occasion_id = r.occasion_id AND w.occurs_on = r.occurs_on
 WHERE r.household_id = CAST(:household_id AS uuid) AND r.source = 'given'
 GROUP BY r.occasion_id, r.occurs_on, r.household_id
    ON CONFLICT (occasion_id, occurs_on) DO UPDATE SET gifts = EXCLUDED.gifts
 WHERE gateway.occasion_wrap_up.gifts <> EXCLUDED.gifts
RETURNING occasion_id, occurs_on, gifts, (xmax = 0) AS wrapped_up_now
""")

_RECIPIENTS = text("""
SELECT recipient_person_id, bool_or(from_santa) AS from_santa FROM gateway.gift_record
 WHERE household_id = CAST(:household_id AS uuid) AND source = 'given'
   AND occasion_id = CAST(:occasion_id AS uuid) AND occurs_on = :occurs_on
 GROUP BY recipient_person_id
 ORDER BY recipient_person_id
""")

# given records not yet revealed to their recipient's member (one who is a member now), and whether
# that person was told of that occasion's day before (a gift recorded afterwards is not news again)
_UNREVEALED = text("""
SELECT r.id, r.occasion_id, r.occurs_on, r.recipient_person_id, p.linked_user_id,
       coalesce(o.name, r.occasion_name) AS occasion_name,
       EXISTS (
           SELECT 1 FROM gateway.gift_record t
            WHERE t.household_id = r.household_id AND t.occasion_id = r.occasion_id
              AND t.occurs_on = r.occurs_on AND t.recipient_person_id = r.recipient_person_id
              AND t.revealed_at IS NOT NULL
       ) AS told
  FROM gateway.gift_record r
  JOIN gateway.person p ON p.id = r.recipient_person_id
  JOIN gateway.membership m ON m.user_id = p.linked_user_id AND m.household_id = r.household_id
  LEFT JOIN gateway.occasion o ON o.id = r.occasion_id
 WHERE r.household_id = CAST(:household_id AS uuid) AND r.source = 'given'
   AND r.revealed_at IS NULL AND r.occasion_id IS NOT NULL
""")

_MARK_REVEALED = text("""
UPDATE gateway.gift_record SET revealed_at = now()
 WHERE id = ANY(CAST(:ids AS uuid[])) AND revealed_at IS NULL
RETURNING id
""")

# the households a round looks at: those with something to do, as far as one statement can tell (the
# use case decides; this only spares the others a transaction each round): an item claimed or bought
# for an occasion over where they live, not recorded for its list's person; a given record of an
# occasion's past day not wrapped up; a reveal due to someone who is a member
_DUE_HOUSEHOLDS = text("""
WITH h AS (
    SELECT id, reveal, reveal_after_days,
           CAST(CAST(:now AS timestamptz) AT TIME ZONE timezone AS date) AS today
      FROM gateway.household
)
SELECT h.id FROM h
 WHERE EXISTS (
           SELECT 1 FROM gateway.occasion o
             JOIN gateway.gift_list l ON l.occasion_id = o.id
             JOIN gateway.list_item li ON li.list_id = l.id
            WHERE o.household_id = h.id AND o.date < h.today
              AND (
                  li.status IN ('purchased', 'wrapped', 'given')
                  OR EXISTS (SELECT 1 FROM gateway.claim c WHERE c.list_item_id = li.id)
              )
              AND NOT EXISTS (
                  SELECT 1 FROM gateway.gift_record r
                   WHERE r.list_item_id = li.id AND r.recipient_person_id = l.person_id
              )
       )
    OR EXISTS (
           SELECT 1 FROM gateway.gift_record r
            WHERE r.household_id = h.id AND r.source = 'given' AND r.occasion_id IS NOT NULL
              AND r.occurs_on < h.today
              AND NOT EXISTS (
                  SELECT 1 FROM gateway.occasion_wrap_up w
                   WHERE w.occasion_id = r.occasion_id AND w.occurs_on = r.occurs_on
              )
       )
    OR (
           h.reveal <> 'never'
           AND EXISTS (
               SELECT 1 FROM gateway.gift_record r
                 JOIN gateway.person p ON p.id = r.recipient_person_id
                 JOIN gateway.membership m
                   ON m.user_id = p.linked_user_id AND m.household_id = r.household_id
                WHERE r.household_id = h.id AND r.source = 'given' AND r.revealed_at IS NULL
                  AND r.occasion_id IS NOT NULL
                  AND r.occurs_on
                      + CASE WHEN h.reveal = 'at_occasion' THEN 0 ELSE h.reveal_after_days END
                      <= h.today
           )
       )
 ORDER BY h.id
""")


@dataclass
class Summary:
    """What one round did: records made, occasion days wrapped up, reveals announced."""

    households: int = 0
    recorded: int = 0
    wrapped_up: int = 0
    revealed: int = 0
    skipped: int = 0  # households another worker or replica was wrapping up

    def add(self, other: "Summary") -> None:
        self.households += other.households
        self.recorded += other.recorded
        self.wrapped_up += other.wrapped_up
        self.revealed += other.revealed
        self.skipped += other.skipped


async def record_given(
    session: AsyncSession,
    household_id: uuid.UUID,
    occurrences: Sequence[Occurrence],
    *,
    viewers: list[Viewer],
    actor_id: uuid.UUID | None = None,
    item_id: uuid.UUID | None = None,
) -> list:
    """Record what was given at `occurrences` (only `item_id`, if given), in the caller's transaction,
    with a `gift_record.recorded` event for each record made; answers the records made."""
    if not occurrences:
        return []
    rows = list(
        await session.execute(
            _RECORD,
            {
                "household_id": household_id,
                "occasion_ids": [o.occasion_id for o in occurrences],
                "dates": [o.occurs_on for o in occurrences],
                "untils": [o.counts_until for o in occurrences],
                "item_id": item_id,
                "recorded_by": actor_id,
            },
        )
    )
    if rows:
        names = await _names(session, {u for row in rows for u in row.giver_user_ids})
        # a gift for several people (a board game for two) is a surprise for each of them: news of
        # one's record is kept from the others too
        recipients: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
        for row in rows:
            recipients[row.list_item_id].add(row.recipient_person_id)
        await add_events(
            session,
            outbox,
            [
                _recorded_event(
                    household_id, actor_id, viewers, row, names, recipients[row.list_item_id]
                )
                for row in rows
            ],
        )
    return rows


def _recorded_event(
    household_id: uuid.UUID,
    actor_id: uuid.UUID | None,
    viewers: list[Viewer],
    row,
    names: dict[uuid.UUID, str],
    recipients: set[uuid.UUID],
) -> GiftRecorded:
    kept = record_hidden(
        viewers,
        RecordFacts(
            source=GIVEN,
            recipient_person_id=row.recipient_person_id,
            from_santa=row.from_santa,
            private_to=frozenset(row.private_to),
            also_for=frozenset(recipients - {row.recipient_person_id}),
        ),
    )
    return GiftRecorded(
        household_id=household_id,
        actor_id=actor_id,
        **kept.fields,
        only_for=tuple(row.private_to),
        record_id=row.id,
        person_id=row.recipient_person_id,
        source=GIVEN,
        title=row.title,
        occurs_on=row.occurs_on,
        occasion_id=row.occasion_id,
        occasion_name=row.occasion_name,
        giver_names=tuple(names[u] for u in row.giver_user_ids if u in names),
        price=row.price,
        currency=row.currency,
    )


async def _names(session: AsyncSession, user_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    ids = list(user_ids)
    if not ids:
        return {}
    rows = await session.execute(
        select(col(UserAccount.id), col(UserAccount.display_name)).where(
            col(UserAccount.id).in_(ids)
        )
    )
    return {user_id: name for user_id, name in rows.all()}


def _union(each: Iterable[Hidden]) -> Hidden:
    users: set[uuid.UUID] = set()
    persons: set[uuid.UUID] = set()
    for kept in each:
        users.update(kept.users)
        persons.update(kept.persons)
    return Hidden(tuple(sorted(users, key=str)), tuple(sorted(persons, key=str)))


async def record_given_item(
    session: AsyncSession,
    household_id: uuid.UUID,
    item_id: uuid.UUID,
    occasion: Occasion | None,
    *,
    actor_id: uuid.UUID,
    viewers: list[Viewer],
) -> list:
    """An item marked given goes into the history at once, for its list's occasion as it comes
    nearest to today (today, for a list for no occasion), in the caller's transaction."""
    today = today_in(await household_timezone(session, household_id))
    occurs_on = (
        nearest_occurrence(occasion.date, occasion.recurs_yearly, today)
        if occasion is not None
        else today
    )
    at = Occurrence(occasion.id if occasion is not None else None, occurs_on)
    return await record_given(
        session, household_id, [at], viewers=viewers, actor_id=actor_id, item_id=item_id
    )


async def wrap_up_household(
    session: AsyncSession, household_id: uuid.UUID, now: dt.datetime | None = None
) -> Summary:
    """Wrap up the household's occasions whose day is over and announce the reveals that are due, in one
    transaction; nothing (`skipped`) if another worker or replica holds it."""
    now = now or dt.datetime.now(dt.UTC)
    done = Summary()
    async with session.begin():
        locked = await session.scalar(
            select(func.pg_try_advisory_xact_lock(_LOCK_WRAP_UP, func.hashtext(str(household_id))))
        )
        if not locked:
            done.skipped = 1
            return done
        household = await session.get(Household, household_id)
        if household is None:
            return done
        done.households = 1
        today = today_in(household.timezone, now)
        viewers = await household_viewers(session, household_id)
        occasions = (
            await session.execute(
                select(
                    col(Occasion.id),
                    col(Occasion.name),
                    col(Occasion.date),
                    col(Occasion.recurs_yearly),
                ).where(col(Occasion.household_id) == household_id, col(Occasion.date) < today)
            )
        ).all()
        occurrences = [
            o
            for o in (
                passed_occurrence(row.id, row.date, row.recurs_yearly, today, household.timezone)
                for row in occasions
            )
            if o is not None
        ]
        done.recorded = len(await record_given(session, household_id, occurrences, viewers=viewers))
        done.wrapped_up = await _wrap_up(
            session, household_id, occurrences, {row.id: row.name for row in occasions}, viewers
        )
        done.revealed = await _reveal(session, household, today)
    return done


async def _wrap_up(
    session: AsyncSession,
    household_id: uuid.UUID,
    occurrences: Sequence[Occurrence],
    names: dict[uuid.UUID, str],
    viewers: list[Viewer],
) -> int:
    """One `occasion_wrap_up` row and one `occasion.wrapped_up` event per occurrence with given records."""
    if not occurrences:
        return 0
    rows = (
        await session.execute(
            _WRAP,
            {
                "household_id": household_id,
                "occasion_ids": [o.occasion_id for o in occurrences],
                "dates": [o.occurs_on for o in occurrences],
            },
        )
    ).all()
    events = []
    for row in rows:
        if not row.wrapped_up_now:
            continue
        recipients = (
            await session.execute(
                _RECIPIENTS,
                {
                    "household_id": household_id,
                    "occasion_id": row.occasion_id,
                    "occurs_on": row.occurs_on,
                },
            )
        ).all()
        people = [r.recipient_person_id for r in recipients]
        # kept from those people, and from the household's other children if Santa brought any of
        # it: a count Santa's gifts are in would tell them there is more than they may see
        kept = _union(
            record_hidden(viewers, RecordFacts(GIVEN, r.recipient_person_id, r.from_santa))
            for r in recipients
        )
        events.append(
            OccasionWrappedUp(
                household_id=household_id,
                **kept.fields,
                occasion_id=row.occasion_id,
                name=names[row.occasion_id],
                occurs_on=row.occurs_on,
                gifts=row.gifts,
                person_ids=tuple(people),
            )
        )
    await add_events(session, outbox, events)
    return len(events)


def due_reveals(reveal: str, after_days: int, today: dt.date, records: Iterable) -> list:
    """The records (with `occurs_on`) whose reveal day has come, with the household's setting as it is."""
    due = []
    for record in records:
        day = reveals_on(reveal, after_days, record.occurs_on)
        if day is not None and today >= day:
            due.append(record)
    return due


async def _reveal(session: AsyncSession, household: Household, today: dt.date) -> int:
    """Tell each recipient's member, once per occasion day, that their gifts from it may now be seen;
    a gift recorded for a day they were told of already is marked revealed without telling again."""
    if household.reveal == Reveal.NEVER:
        return 0
    candidates = (await session.execute(_UNREVEALED, {"household_id": household.id})).all()
    due = due_reveals(household.reveal, household.reveal_after_days, today, candidates)
    if not due:
        return 0
    marked = set(await session.scalars(_MARK_REVEALED, {"ids": [r.id for r in due]}))
    groups: dict[tuple, list] = defaultdict(list)
    for r in due:
        if r.id in marked:
            groups[(r.occasion_id, r.occurs_on, r.recipient_person_id)].append(r)
    events = [
        GiftsRevealed(
            household_id=household.id,
            only_for=(rows[0].linked_user_id,),
            occasion_id=occasion_id,
            name=rows[0].occasion_name or "",
            occurs_on=occurs_on,
            person_id=person_id,
            gifts=len(rows),
        )
        for (occasion_id, occurs_on, person_id), rows in sorted(groups.items(), key=str)
        if not any(r.told for r in rows)
    ]
    await add_events(session, outbox, events)
    return len(events)


async def wrap_up(
    sessions: async_sessionmaker[AsyncSession], now: dt.datetime | None = None
) -> Summary:
    """One round over every household with an occasion whose day may be over or a reveal that may be
    due: each in a transaction of its own."""
    now = now or dt.datetime.now(dt.UTC)
    async with sessions() as session, session.begin():
        households = list(await session.scalars(_DUE_HOUSEHOLDS, {"now": now}))
    done = Summary()
    for household_id in households:
        async with sessions() as session:
            done.add(await wrap_up_household(session, household_id, now))
    if done.recorded or done.wrapped_up or done.revealed:
        log.info(
            "wrap_up.done",
            households=done.households,
            recorded=done.recorded,
            wrapped_up=done.wrapped_up,
            revealed=done.revealed,
        )
    return done


# a household's history as an export carries it ---------------------------------------------------
_KEPT_AS = text("""
SELECT id, list_item_id, private_to FROM gateway.gift_record
 WHERE household_id = CAST(:household_id AS uuid) AND id = ANY(CAST(:ids AS uuid[]))
""")


async def kept_as(
    session: AsyncSession, household_id: uuid.UUID, record_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, tuple[uuid.UUID | None, list[uuid.UUID]]]:
    """For records the caller may see: the list item each was given from, and whom it is kept to."""
    if not record_ids:
        return {}
    rows = await session.execute(_KEPT_AS, {"household_id": household_id, "ids": list(record_ids)})
    return {row.id: (row.list_item_id, list(row.private_to)) for row in rows}


@dataclass(frozen=True)
class GivenRecord:
    """A given record as an import brings it, its ids already those of the new household."""

    recipient_person_id: uuid.UUID
    occurs_on: dt.date
    title: str
    occasion_id: uuid.UUID | None = None
    occasion_name: str | None = None
    price: Decimal | None = None
    currency: str | None = None
    gift_id: uuid.UUID | None = None
    list_item_id: uuid.UUID | None = None
    from_santa: bool = False
    giver_user_ids: tuple[uuid.UUID, ...] = ()
    private_to: tuple[uuid.UUID, ...] = ()
    notes: str | None = None
    revealed: bool = False  # its recipient has been told (or may see it): no reveal to announce
    recorded_by: uuid.UUID | None = None


async def record_imported(
    session: AsyncSession, member: Member, given: GivenRecord
) -> uuid.UUID | None:
    """A gift the household gave, as an exported history has it, recorded in the importer's new
    household with its event, as the wrap-up records one; None if that item's gift is already
    recorded for that person."""
    async with session.begin():
        record_id = await session.scalar(
            insert(GiftRecord)
            .values(
                id=uuid.uuid4(),
                household_id=member.household_id,
                source=GIVEN,
                recipient_person_id=given.recipient_person_id,
                occasion_id=given.occasion_id,
                occasion_name=given.occasion_name,
                occurs_on=given.occurs_on,
                title=given.title,
                price=given.price,
                currency=given.currency,
                gift_id=given.gift_id,
                list_item_id=given.list_item_id,
                from_santa=given.from_santa,
                giver_user_ids=list(given.giver_user_ids),
                private_to=list(given.private_to),
                notes=given.notes,
                revealed_at=utcnow() if given.revealed else None,
                recorded_by=given.recorded_by,
                created_at=utcnow(),
            )
            .on_conflict_do_nothing(index_elements=["list_item_id", "recipient_person_id"])
            .returning(col(GiftRecord.id))
        )
        if record_id is None:
            return None
        record = await session.get_one(GiftRecord, record_id)
        names = await _names(session, given.giver_user_ids)
        also_for = (
            await _item_recipients(session, given.list_item_id) - {given.recipient_person_id}
            if given.list_item_id is not None
            else set()
        )
        await add_events(
            session,
            outbox,
            [
                recorded_event(
                    record,
                    await household_viewers(session, member.household_id),
                    [names[u] for u in given.giver_user_ids if u in names],
                    member.user_id,
                    frozenset(also_for),
                )
            ],
        )
        return record_id


# everyone a list item's gift is for: its list's person and the gift's recipients
_ITEM_RECIPIENTS = text("""
SELECT l.person_id FROM gateway.list_item li JOIN gateway.gift_list l ON l.id = li.list_id
 WHERE li.id = :item_id
UNION
SELECT gp.person_id FROM gateway.list_item li
  JOIN gateway.gift_person gp ON gp.gift_id = li.gift_id AND gp.role = 'recipient'
 WHERE li.id = :item_id
""")


async def _item_recipients(session: AsyncSession, item_id: uuid.UUID) -> set[uuid.UUID]:
    return set((await session.scalars(_ITEM_RECIPIENTS, {"item_id": item_id})).all())


async def link_thank_task(
    session: AsyncSession, member: Member, record_id: uuid.UUID, task_id: uuid.UUID
) -> None:
    """An imported record's thank-you task, imported with the household's other tasks."""
    async with session.begin():
        await session.execute(
            update(GiftRecord)
            .where(
                col(GiftRecord.id) == record_id,
                col(GiftRecord.household_id) == member.household_id,
            )
            .values(thank_task_id=task_id)
        )
