"""Gift history use cases that change it: record a gift someone received, remove one, the thank-you
ledger, and a thank-you task through the tasks use case (so reminders and calendar feeds work as for any
task). Reads are in history_reads; who may see a record is `surprise.record_view`, and an event about a
record is kept from whoever may not (`record_hidden`)."""

import datetime as dt
import uuid
import zoneinfo
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.models import outbox, utcnow
from services.gateway.models.history import GiftRecord, ReceivedGiftCreate, ThankYouTaskCreate
from services.gateway.models.households import Member, Role
from services.gateway.models.occasions import Occasion
from services.gateway.models.people import Person
from services.gateway.models.tasks import Task, TaskCreate, TaskPublic, TaskStatus
from services.gateway.surprise import (
    GIVEN,
    RECEIVED,
    Hidden,
    RecordFacts,
    View,
    Viewer,
    hidden,
    record_hidden,
    record_view,
)
from services.gateway.use_cases.audience import household_viewers
from services.gateway.use_cases.gifts import check_price
from services.gateway.use_cases.history_reads import visible_record
from services.gateway.use_cases.occasion_reads import today_in
from services.gateway.use_cases.scoped import get_own, get_referenced
from services.gateway.use_cases.task_events import household_timezone
from services.gateway.use_cases.task_reads import to_public
from services.gateway.use_cases.tasks import add_task, change_status, remove_task
from shared.errors import Conflict, Forbidden, InvalidInput
from shared.events.history import GiftRecordDeleted, GiftRecorded, GiftThanked
from shared.outbox import add_event

WHAT = "gift record"  # as a 404 names it
THANK_AT = dt.time(18)  # a thank-you task is due in the evening, household time
MAX_TITLE = 200


def facts_of(record: GiftRecord, also_for: frozenset[uuid.UUID] = frozenset()) -> RecordFacts:
    """A stored record's facts, without its reveal day (events judge as if never revealed);
    `also_for`: the other people the same gift was for."""
    return RecordFacts(
        source=record.source,
        recipient_person_id=record.recipient_person_id,
        from_santa=record.from_santa,
        private_to=frozenset(record.private_to),
        also_for=also_for,
    )


def recorded_event(
    record: GiftRecord,
    members: Iterable[Viewer],
    giver_names: Iterable[str],
    actor_id: uuid.UUID | None,
    also_for: frozenset[uuid.UUID] = frozenset(),
) -> GiftRecorded:
    """`gift_record.recorded` for a new record. A given one is kept from its recipient and the other
    people the same gift was for (`also_for`, and whoever is linked to them later), from the other
    children if Santa brought it, and is only for `private_to` when that is not empty; a received
    one is for the whole household."""
    facts = facts_of(record, also_for)
    return GiftRecorded(
        household_id=record.household_id,
        actor_id=actor_id,
        **record_hidden(members, facts).fields,
        only_for=tuple(record.private_to) if record.source == GIVEN else (),
        record_id=record.id,
        person_id=record.recipient_person_id,
        source=record.source,
        title=record.title,
        occurs_on=record.occurs_on,
        occasion_id=record.occasion_id,
        occasion_name=record.occasion_name,
        giver_person_id=record.giver_person_id,
        giver_names=tuple(giver_names),
        price=record.price,
        currency=record.currency,
    )


def _revealed(facts: RecordFacts) -> RecordFacts:
    return replace(facts, reveals_on=dt.date.min)


def known_to(members: Iterable[Viewer], record: GiftRecord) -> Hidden:
    """Whom an event about a record its recipient may already see is kept from: the members who
    would not see it even revealed (other children, for Santa's; all but `private_to`, for a secret
    one). Thank-yous and removals only happen to records their recipient may see."""
    revealed = _revealed(facts_of(record))
    return hidden(members, lambda v: record_view(v, revealed, dt.date.max), about=())


def _only_for(members: Iterable[Viewer], record: GiftRecord) -> tuple[uuid.UUID, ...]:
    if record.source != GIVEN or not record.private_to:
        return ()
    recipients = {m.user_id for m in members if record.recipient_person_id in m.person_ids}
    return tuple(sorted(set(record.private_to) | recipients, key=str))


def _about(record: GiftRecord, members: list[Viewer], actor_id: uuid.UUID) -> dict[str, Any]:
    """What every event about a record its recipient may already see carries: whose it is, and whom
    it is kept from."""
    return {
        "household_id": record.household_id,
        "actor_id": actor_id,
        **known_to(members, record).fields,
        "only_for": _only_for(members, record),
        "record_id": record.id,
        "person_id": record.recipient_person_id,
    }


def _may_thank(member: Member, viewer: Viewer, record: GiftRecord, recipient: str) -> None:
    if record.recipient_person_id not in viewer.person_ids and member.role == Role.CHILD:
        raise Forbidden(
            f"Only {recipient} or the household's grown-ups can keep track of this thank-you."
        )


def _require_revealed(shown: dict[str, Any]) -> None:
    if shown["revealed"]:
        return
    when = (
        f"the household reveals it on {shown['reveals_on'].isoformat()}"
        if shown["reveals_on"]
        else "the household's reveal setting is never"
    )
    raise Conflict(
        f"This gift is not revealed to {shown['recipient_name']} yet ({when}): "
        "a thank-you comes once they may know of it."
    )


async def _today(session: AsyncSession, household_id: uuid.UUID) -> dt.date:
    return today_in(await household_timezone(session, household_id))


async def record_received(
    session: AsyncSession, member: Member, data: ReceivedGiftCreate
) -> dict[str, Any]:
    """A gift someone received, recorded by a member: a grown-up for anyone, a child for themselves."""
    async with session.begin():
        members = await household_viewers(session, member.household_id)
        viewer = next(v for v in members if v.user_id == member.user_id)
        recipient = await get_referenced(
            session, Person, member, data.recipient_person_id, "recipient_person_id", "person"
        )
        if member.role == Role.CHILD and recipient.id not in viewer.person_ids:
            raise Forbidden(
                "A child can record only the gifts they received themselves; ask a grown-up to "
                "record this one."
            )
        if not data.title.strip():
            raise InvalidInput("title", "cannot be empty")
        giver_name = data.giver_name.strip() if data.giver_name is not None else None
        if (data.giver_person_id is None) == (not giver_name):
            raise InvalidInput(
                "giver_name",
                "give exactly one of giver_person_id (a person of the household) or giver_name "
                "(someone outside it, e.g. Aunt Ruth)",
            )
        giver = None
        if data.giver_person_id is not None:
            giver = await get_referenced(
                session, Person, member, data.giver_person_id, "giver_person_id", "person"
            )
            if giver.id == recipient.id:
                raise InvalidInput(
                    "giver_person_id", "is the person who received it: the giver is someone else"
                )
        today = await _today(session, member.household_id)
        if data.received_on > today:
            raise InvalidInput(
                "received_on",
                f"is in the future: it is {today.isoformat()} where the household lives",
            )
        occasion = None
        if data.occasion_id is not None:
            occasion = await get_referenced(
                session, Occasion, member, data.occasion_id, "occasion_id", "occasion"
            )
        check_price(data.price, data.currency)
        record = GiftRecord(
            household_id=member.household_id,
            source=RECEIVED,
            recipient_person_id=recipient.id,
            occasion_id=occasion.id if occasion else None,
            occasion_name=occasion.name if occasion else None,
            occurs_on=data.received_on,
            title=data.title.strip(),
            price=data.price,
            currency=data.currency if data.price is not None else None,
            giver_person_id=giver.id if giver else None,
            giver_name=giver_name if giver is None else None,
            notes=data.notes,
            recorded_by=member.user_id,
        )
        session.add(record)
        await session.flush()
        names = [giver.name] if giver else [giver_name or ""]
        await add_event(session, outbox, recorded_event(record, members, names, member.user_id))
        return (await visible_record(session, member, viewer, record.id))[1]


async def delete_record(session: AsyncSession, member: Member, record_id: uuid.UUID) -> None:
    """Remove a gift recorded as received (its recorder or an admin), with its open thank-you task;
    what the household gave stays."""
    async with session.begin():
        members = await household_viewers(session, member.household_id)
        viewer = next(v for v in members if v.user_id == member.user_id)
        record = await get_own(session, GiftRecord, member, record_id, WHAT, lock=True)
        await visible_record(session, member, viewer, record.id)
        if record.source == GIVEN:
            raise Conflict(
                "A gift the household gave stays in its recipient's history; only a gift "
                "recorded as received can be removed."
            )
        if record.recorded_by != member.user_id and not member.is_admin:
            raise Forbidden("Only whoever recorded this gift, or an admin, can remove it.")
        task = await _open_task(session, record)
        if task is not None:  # a thank-you for a gift that was never there is owed to nobody
            await remove_task(session, task, member.user_id)
        await session.delete(record)
        await add_event(
            session,
            outbox,
            GiftRecordDeleted(**_about(record, members, member.user_id)),
        )


async def set_thanked(
    session: AsyncSession, member: Member, record_id: uuid.UUID, thanked: bool
) -> dict[str, Any]:
    """Say the thank-you was said (completing the open thank-you task), or take it back."""
    async with session.begin():
        members = await household_viewers(session, member.household_id)
        viewer = next(v for v in members if v.user_id == member.user_id)
        record = await get_own(session, GiftRecord, member, record_id, WHAT, lock=True)
        _, shown, _ = await visible_record(session, member, viewer, record.id)
        _may_thank(member, viewer, record, shown["recipient_name"])
        _require_revealed(shown)
        if thanked == (record.thanked_at is not None):
            return shown
        if thanked:
            record.thanked_at, record.thanked_by = utcnow(), member.user_id
            task = await _open_task(session, record)
            if task is not None:
                await change_status(session, task, TaskStatus.DONE, member.user_id)
        else:
            record.thanked_at, record.thanked_by = None, None
        await session.flush()
        await add_event(
            session,
            outbox,
            GiftThanked(
                **_about(record, members, member.user_id),
                title=record.title,
                thanked=thanked,
                giver_person_id=record.giver_person_id,
            ),
        )
        return (await visible_record(session, member, viewer, record.id))[1]


async def _open_task(session: AsyncSession, record: GiftRecord) -> Task | None:
    if record.thank_task_id is None:
        return None
    task = await session.get(Task, record.thank_task_id, with_for_update=True)
    return task if task is not None and task.status == TaskStatus.OPEN else None


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def thank_you_title(givers: list[str], title: str, discreet: bool) -> str:
    """ "Thank Aunt Ruth for the Wool scarf"; for a gift some of the household may not know of (Santa's,
    a secret one), a task that names neither giver nor gift."""
    if discreet or not givers:
        return "Say thank you for a gift (see the history)"
    text = f"Thank {_names(givers)} for the {title}"
    return text if len(text) <= MAX_TITLE else text[: MAX_TITLE - 1] + "…"


def thank_you_due(
    occurs_on: dt.date, today: dt.date, due_in_days: int, timezone: str
) -> dt.datetime:
    """18:00 household time, `due_in_days` after the gift, or after today if that is later."""
    day = max(occurs_on, today) + dt.timedelta(days=due_in_days)
    return dt.datetime.combine(day, THANK_AT, tzinfo=zoneinfo.ZoneInfo(timezone))


def _assignee(
    member: Member, members: list[Viewer], record: GiftRecord, wanted: uuid.UUID | None
) -> uuid.UUID:
    """Who is to say thanks: whom the caller named (the tasks use case checks they are a member), else
    the recipient's own account, else the caller."""
    if wanted is not None:
        return wanted
    linked = [m.user_id for m in members if record.recipient_person_id in m.person_ids]
    return linked[0] if linked else member.user_id


async def create_thank_you_task(
    session: AsyncSession, member: Member, record_id: uuid.UUID, data: ThankYouTaskCreate
) -> TaskPublic:
    """A task to say thank you for a gift, with a reminder the day before; one open at a time."""
    async with session.begin():
        members = await household_viewers(session, member.household_id)
        viewer = next(v for v in members if v.user_id == member.user_id)
        record = await get_own(session, GiftRecord, member, record_id, WHAT, lock=True)
        row, shown, today = await visible_record(session, member, viewer, record.id)
        _may_thank(member, viewer, record, shown["recipient_name"])
        _require_revealed(shown)
        if record.thanked_at is not None:
            raise Conflict(
                "This gift is thanked for already; mark it not thanked first if a thank-you is "
                "still owed."
            )
        if await _open_task(session, record) is not None:
            raise Conflict(
                "This gift has an open thank-you task already; complete or remove it first."
            )
        revealed = _revealed(facts_of(record))
        discreet = any(record_view(m, revealed, dt.date.max) is View.HIDDEN for m in members)
        timezone = row.timezone or "UTC"
        due = thank_you_due(record.occurs_on, today, data.due_in_days, timezone)
        now = utcnow()
        if due <= now:
            raise InvalidInput(
                "due_in_days",
                "18:00 today has passed where the household lives: choose 1 day or more",
            )
        giver_person = record.giver_person_id
        if giver_person is None and len(row.giver_person_ids or ()) == 1:
            giver_person = row.giver_person_ids[0]
        task = await add_task(
            session,
            member,
            TaskCreate(
                title=thank_you_title([g["name"] for g in shown["givers"]], record.title, discreet),
                assignee_id=_assignee(member, members, record, data.assignee_id),
                person_id=None if discreet else giver_person,
                due_at=due,
                reminders=["P1D"] if due - dt.timedelta(days=1) > now else [],
            ),
        )
        record.thank_task_id = task.id
        return to_public(task)
