"""Import an exported household into a new household, of which the importing user becomes the admin.

Everything is made by the same use cases as by hand (create the household, add people, occasions, gifts,
lists, items, …), with the ids the document uses remapped to the new ones. So every rule and check of the
API applies to the file as to a form, and every change stages its event in the outbox: every consumer
(notification, reminder, recurring, the audit log) sees the imported objects as it would see them made by
hand, by the importer, at the time of the import. That is how an import is recorded in the audit log.

One transaction: the use cases each open theirs as a savepoint inside the import's (see `_Savepoints`),
so a refusal or a crash anywhere leaves no household, no row and no event behind.

What is carried over, and what is not:
- the household's settings (its name, time zone and reveal), people, occasions,
  gifts with their tags and people, lists with their items (quantity, priority, notes, status), budgets
  and tasks with their reminders and recurrence;
- the gift history: what the household gave (recorded as the wrap-up records it, for the same list item,
  so marking an imported item given or the next wrap-up does not record it again), what was recorded as
  received, and the thank-yous (said, and the thank-you tasks); a gift kept to a few stays kept to the
  importer;
- the importer's own claims, pledges, comments, task assignments, turns in a chore's rotation and
  place among a gift's givers, and no one else's: the other members are not members of the new household, and nothing is made in
  their name (their claims would otherwise become the importer's);
- a person's link to an account only when it is the importer's own: the new household has no other
  members to link to;
- the gift exchanges, past ones too, with who takes part, the exclusions, the price range and how many
  times names were drawn, run by the importer if they ran them (else by nobody, so an admin: the
  importer). Never drawn: the file carries no picks, so an exchange whose names had been drawn is
  drawn again by its organizer, and the next exchange's draw does not know its pairs. A claim made for
  an exchange comes as a plain claim of the importer's (the file has it without its exchange).
"""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeVar, cast

from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.models import utcnow
from services.gateway.models.budgets import BudgetSet
from services.gateway.models.claims import ClaimCreate, PledgeSet
from services.gateway.models.comments import CommentCreate, CommentPublic, TargetKind
from services.gateway.models.exchanges import ExchangeCreate
from services.gateway.models.gifts import GiftCreate, GiftPersonLink, GiftRole
from services.gateway.models.history import ReceivedGiftCreate
from services.gateway.models.household_export import (
    ExportedList,
    ExportedRecord,
    HouseholdExport,
)
from services.gateway.models.households import (
    HouseholdCreate,
    HouseholdUpdate,
    Member,
    MyHousehold,
    Role,
)
from services.gateway.models.lists import GiftListCreate, ItemStatus, ListItemCreate
from services.gateway.models.occasions import OccasionCreate
from services.gateway.models.people import PersonCreate, PersonUpdate
from services.gateway.models.tasks import (
    RecurrenceMode,
    TaskCreate,
    TaskPublic,
    TaskStatus,
    TaskUpdate,
)
from services.gateway.surprise import GIVEN
from services.gateway.use_cases import (
    budgets,
    claims,
    comments,
    exchanges,
    gifts,
    history,
    households,
    items,
    lists,
    next_occurrence,
    occasions,
    people,
    tasks,
    wrap_up,
)
from shared.errors import AppError, Conflict, InvalidInput, problem

M = TypeVar("M", bound=BaseModel)
# the way an item is walked from an idea to its status, one allowed move at a time
PIPELINE = (ItemStatus.SELECTED, ItemStatus.PURCHASED, ItemStatus.WRAPPED, ItemStatus.GIVEN)


def _steps_to(status: str) -> tuple[ItemStatus, ...]:
    """The moves from an idea to `status`; none for an idea, or for what a wisher sees of a wish."""
    if status not in PIPELINE:
        return ()
    return PIPELINE[: PIPELINE.index(ItemStatus(status)) + 1]


class _Savepoints:
    """The session as the use cases see it during an import: their `session.begin()` is a savepoint
    of the import's one transaction, so their work commits with the import or not at all."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def begin(self):
        return self._session.begin_nested()

    def __getattr__(self, name: str):
        return getattr(self._session, name)


@contextmanager
def _about(where: str) -> Iterator[None]:
    """Name the object of the document a refusal is about: `people.3.name`, not just `name`."""
    try:
        yield
    except InvalidInput as exc:
        exc.details = [{**d, "field": f"{where}.{d['field']}"} for d in exc.details]
        exc.message = f"Some fields are not valid: {', '.join(d['field'] for d in exc.details)}"
        exc.args = (exc.message,)
        raise
    except AppError as exc:
        exc.message = f"{where}: {exc.message}"
        exc.args = (exc.message,)
        raise


def _valid(model: type[M], data: dict) -> M:
    """The document's object checked by the model its API route uses, refused as that route would
    (inside `_about`, which names the object)."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"])
        raise InvalidInput(field, problem(cast(dict, err))) from None


class _Importer:
    def __init__(self, session: AsyncSession, doc: HouseholdExport, user_id: uuid.UUID) -> None:
        self.session = cast(AsyncSession, _Savepoints(session))
        self.doc = doc
        self.user_id = user_id
        self.ids: dict[uuid.UUID, uuid.UUID] = {}  # the document's id -> the new one
        self.member: Member
        # the history's given records by the list item they were given from
        self.given_from: dict[uuid.UUID, list[tuple[int, ExportedRecord]]] = {}
        for i, r in enumerate(doc.history):
            if r.source == GIVEN and r.list_item_id is not None:
                self.given_from.setdefault(r.list_item_id, []).append((i, r))
        self.recorded: set[int] = set()  # the history's records already made

    def new(self, old: uuid.UUID | None) -> uuid.UUID | None:
        return None if old is None else self.ids.get(old)

    def mine(self, user_id: uuid.UUID | None) -> bool:
        """Whether the document's claim, pledge, comment or assignment is the importer's own."""
        return user_id == self.user_id

    async def run(self) -> MyHousehold:
        settings = self.doc.household
        with _about("household"):
            household = await households.create_household(
                self.session,
                self.user_id,
                _valid(HouseholdCreate, {"name": settings.name, "timezone": settings.timezone}),
            )
        self.member = Member(
            user_id=self.user_id,
            household_id=household.id,
            role=Role.ADMIN,
            person_ids=frozenset(),  # linked at the very end, so nothing is hidden from the import
        )
        await self.reveal()
        await self.people()
        await self.occasions()
        await self.gifts()
        for i, lst in enumerate(self.doc.lists):
            await self.one_list(f"lists.{i}", lst)
        await self.gift_people()
        await self.budgets()
        await self.history()
        await self.tasks()
        await self.thank_tasks()
        await self.exchanges()
        await self.link_importer()
        return household

    async def reveal(self) -> None:
        """When the recipients see what they were given, as set: before the history, whose thank-yous
        need their gift revealed."""
        settings = self.doc.household
        with _about("household"):
            await households.update_household(
                self.session,
                self.member,
                _valid(
                    HouseholdUpdate,
                    {"reveal": settings.reveal, "reveal_after_days": settings.reveal_after_days},
                ),
            )

    async def people(self) -> None:
        for i, p in enumerate(self.doc.people):
            where = f"people.{i}"
            data = p.model_dump(include={"name", "interests", "sizes", "notes"})
            with _about(where):
                person = await people.create_person(
                    self.session, self.member, _valid(PersonCreate, data)
                )
            self.ids[p.id] = person.id

    async def occasions(self) -> None:
        for i, o in enumerate(self.doc.occasions):
            where = f"occasions.{i}"
            data = o.model_dump(include={"name", "kind", "date", "recurs_yearly", "notes"})
            data["person_ids"] = [self.new(p) for p in o.person_ids if self.new(p)]
            with _about(where):
                occasion = await occasions.create_occasion(
                    self.session, self.member, _valid(OccasionCreate, data)
                )
            self.ids[o.id] = occasion.id

    async def gifts(self) -> None:
        # oldest first, as they were made: the export lists them newest first
        for i, g in reversed(list(enumerate(self.doc.gifts))):
            where = f"gifts.{i}"
            data = g.model_dump(
                include={"title", "url", "price", "currency", "image_url", "notes", "tags"}
            )
            data["from_santa"] = bool(g.from_santa)
            data["recipient_ids"] = [
                self.new(link.person_id)
                for link in g.people
                if link.role == GiftRole.RECIPIENT and self.new(link.person_id)
            ]
            with _about(where):
                gift = await gifts.create_gift(self.session, self.member, _valid(GiftCreate, data))
                self.ids[g.id] = gift.id
                for pledge in g.pledges:
                    if self.mine(pledge.user_id):
                        await claims.pledge(
                            self.session,
                            self.member,
                            gift.id,
                            _valid(PledgeSet, pledge.model_dump(include={"amount", "currency"})),
                        )
                await self.comments(TargetKind.GIFT, gift.id, g.comments)

    async def gift_people(self) -> None:
        """Purchasers and contributors, once the items' statuses are set: buying records a purchaser."""
        for i, g in enumerate(self.doc.gifts):
            for link in g.people:
                person_id = self.new(link.person_id)
                if link.role == GiftRole.RECIPIENT or person_id is None:
                    continue
                with _about(f"gifts.{i}.people"):
                    try:
                        await gifts.link_person(
                            self.session,
                            self.member,
                            self.ids[g.id],
                            _valid(GiftPersonLink, {"person_id": person_id, "role": link.role}),
                        )
                    except Conflict:
                        pass  # already linked, by the purchase that set the item's status

    async def one_list(self, where: str, lst: ExportedList) -> None:
        data = {
            **lst.model_dump(include={"name", "visibility", "kind"}),
            "person_id": self.new(lst.person_id),
            "occasion_id": self.new(lst.occasion_id),
        }
        with _about(where):
            new_list = await lists.create_list(
                self.session, self.member, _valid(GiftListCreate, data)
            )
            self.ids[lst.id] = new_list.id
            await self.comments(TargetKind.LIST, new_list.id, lst.comments)
        for j, item in enumerate(lst.items):
            at = f"{where}.items.{j}"
            data = item.model_dump(include={"quantity", "priority", "notes"})
            if (gift_id := self.new(item.gift_id)) is not None:
                data["gift_id"] = gift_id
            else:  # a gift the exporting member saw only on this list: made again from its title
                data["gift"] = {"title": item.gift_title}
            with _about(at):
                added = await items.add_item(
                    self.session, self.member, new_list.id, _valid(ListItemCreate, data)
                )
                self.ids[item.id] = added.id
                for claim in item.claims:
                    if self.mine(claim.user_id):
                        wanted = _valid(ClaimCreate, {"quantity": claim.quantity})
                        await claims.claim(self.session, self.member, added.id, wanted.quantity)
            # recorded as it was before the item is moved along: marking it given records no more
            for i, record in self.given_from.get(item.id, []):
                await self.record(i, record)
            with _about(at):
                for step in _steps_to(item.status):
                    await items.change_status(self.session, self.member, added.id, step)

    async def history(self) -> None:
        """The records not given from an item of the document's lists: received ones, and given ones
        whose item is gone. Oldest first, as they were made."""
        for i, record in reversed(list(enumerate(self.doc.history))):
            if i not in self.recorded:
                await self.record(i, record)

    async def record(self, i: int, r: ExportedRecord) -> None:
        self.recorded.add(i)
        recipient = self.new(r.recipient_person_id)
        if recipient is None:
            return
        with _about(f"history.{i}"):
            if r.source == GIVEN:
                made = await wrap_up.record_imported(self.session, self.member, self.given(r))
                if made is None:
                    return
                self.ids[r.id] = made
            else:
                self.ids[r.id] = (
                    await history.record_received(self.session, self.member, self.received(r))
                )["id"]
            if r.thanked and r.revealed:
                await history.set_thanked(self.session, self.member, self.ids[r.id], True)

    def given(self, r: ExportedRecord) -> wrap_up.GivenRecord:
        from_santa = {g.id: bool(g.from_santa) for g in self.doc.gifts}
        return wrap_up.GivenRecord(
            recipient_person_id=self.ids[r.recipient_person_id],
            occurs_on=r.occurs_on,
            title=r.title,
            occasion_id=self.new(r.occasion_id),
            occasion_name=r.occasion_name,
            price=r.price,
            currency=r.currency,
            gift_id=self.new(r.gift_id),
            list_item_id=self.new(r.list_item_id),
            from_santa=from_santa.get(r.gift_id, False) if r.gift_id else False,
            # the importer's own place among its givers; and a gift kept to a few, kept to them
            giver_user_ids=(self.user_id,) if any(self.mine(g.user_id) for g in r.givers) else (),
            private_to=(self.user_id,) if r.private_to else (),
            notes=r.notes,
            revealed=r.revealed,
            recorded_by=self.user_id if self.mine(r.recorded_by) else None,
        )

    def received(self, r: ExportedRecord) -> ReceivedGiftCreate:
        giver = self.new(r.giver_person_id)
        name = r.giver_name or next((g.name for g in r.givers if g.name), None) or "Someone"
        data = {
            **r.model_dump(include={"title", "price", "currency", "notes"}),
            "recipient_person_id": self.new(r.recipient_person_id),
            "received_on": r.occurs_on,
            "occasion_id": self.new(r.occasion_id),
            "giver_person_id": giver,
            "giver_name": None if giver is not None else name,
        }
        return _valid(ReceivedGiftCreate, data)

    async def thank_tasks(self) -> None:
        for i, r in enumerate(self.doc.history):
            record_id, task_id = self.new(r.id), self.new(r.thank_task_id)
            if record_id is not None and task_id is not None:
                with _about(f"history.{i}"):
                    await wrap_up.link_thank_task(self.session, self.member, record_id, task_id)

    async def comments(
        self, kind: TargetKind, target: uuid.UUID, rows: list[CommentPublic]
    ) -> None:
        for c in rows:
            if self.mine(c.author_id):
                await comments.add_comment(
                    self.session,
                    self.member,
                    kind,
                    target,
                    _valid(CommentCreate, {"body": c.body, "surprise": c.surprise}),
                )

    async def budgets(self) -> None:
        for i, b in enumerate(self.doc.budgets):
            occasion_id, person_id = self.new(b.occasion_id), self.new(b.person_id)
            if occasion_id is None or person_id is None:
                continue
            with _about(f"budgets.{i}"):
                await budgets.set_budget(
                    self.session,
                    self.member,
                    occasion_id,
                    person_id,
                    _valid(BudgetSet, b.model_dump(include={"amount", "currency"})),
                )

    async def tasks(self) -> None:
        rows = {t.id: (i, t) for i, t in enumerate(self.doc.tasks)}
        # a repeating task's next one, made after it as the recurring processor makes it
        successors = {
            t.previous_task_id: t
            for t in self.doc.tasks
            if t.previous_task_id in rows
            and rows[t.previous_task_id][1].rrule
            and (t.occurrence_at or t.due_at)
        }
        followers = {t.id for t in successors.values()}
        for i, t in enumerate(self.doc.tasks):
            if t.id in followers:
                continue
            with _about(f"tasks.{i}"):
                task = await self.create_task(t)
            self.ids[t.id] = task.id
            while True:
                await self.finish(f"tasks.{i}", t, task.id)
                follower = successors.get(t.id)
                if follower is None:
                    break
                i, t = rows[follower.id]
                with _about(f"tasks.{i}"):
                    made, _ = await next_occurrence.create_next_occurrence(
                        self.session,
                        task.id,
                        follower.occurrence_at or follower.due_at,  # type: ignore[arg-type]
                        self.user_id if self.mine(follower.assignee_id) else None,
                    )
                self.ids[t.id] = made.id
                task = made  # type: ignore[assignment]

    async def create_task(self, t: TaskPublic) -> TaskPublic:
        """A task as it was; one already overdue is made as a person would make it: a new task cannot
        be due in the past, so it is made without its schedule, then given its due time."""
        data = self.task_create(t)
        if data.due_at is None or data.due_at >= utcnow():
            return await tasks.create_task(self.session, self.member, data)
        # a task that does not repeat has no recurrence mode, as when it was made: only a rule brings one
        schedule = {"due_at", "reminders"} | (
            {"rrule", "recurrence_mode", "rotation", "rotation_mode"} if data.rrule else set()
        )
        unscheduled: dict[str, object] = {
            "due_at": None,
            "reminders": [],
            "rrule": None,
            "rotation": [],
        }
        task = await tasks.create_task(
            self.session,
            self.member,
            data.model_copy(
                update=unscheduled
                | {"recurrence_mode": RecurrenceMode.FROM_DUE, "rotation_mode": None}
            ),
        )
        return await tasks.update_task(
            self.session,
            self.member,
            task.id,
            _valid(TaskUpdate, data.model_dump(include=schedule)),
        )

    def task_create(self, t: TaskPublic) -> TaskCreate:
        data = {
            **t.model_dump(include={"title", "notes", "due_at", "reminders", "rrule"}),
            "recurrence_mode": t.recurrence_mode or "from_due",
            "assignee_id": self.user_id if self.mine(t.assignee_id) else None,
            # the importer's own turns only: the other members are not members of the new household
            "rotation": [self.user_id] if self.user_id in t.rotation else [],
            "rotation_mode": t.rotation_mode if self.user_id in t.rotation else None,
            "occasion_id": self.new(t.occasion_id),
            "person_id": self.new(t.person_id),
            "list_item_id": self.new(t.list_item_id),
        }
        return _valid(TaskCreate, data)

    async def finish(self, where: str, t: TaskPublic, task_id: uuid.UUID) -> None:
        if t.status == TaskStatus.DONE:
            with _about(where):
                await tasks.complete_task(self.session, self.member, task_id)

    async def exchanges(self) -> None:
        # oldest first, as they were made: the export lists them by their day, latest first
        for i, x in reversed(list(enumerate(self.doc.exchanges))):
            with _about(f"exchanges.{i}"):
                data = {
                    **x.model_dump(
                        include={"name", "deadline", "price_min", "price_max", "currency"}
                    ),
                    "occasion_id": self.new(x.occasion_id),
                    "person_ids": [
                        self.person(p, f"person_ids.{j}") for j, p in enumerate(x.person_ids)
                    ],
                    "exclusions": [
                        {
                            "giver_person_id": self.person(
                                e.giver_person_id, f"exclusions.{j}.giver_person_id"
                            ),
                            "receiver_person_id": self.person(
                                e.receiver_person_id, f"exclusions.{j}.receiver_person_id"
                            ),
                            "both_ways": False,  # the file has one row per direction
                        }
                        for j, e in enumerate(x.exclusions)
                    ],
                }
                self.ids[x.id] = await exchanges.import_exchange(
                    self.session,
                    self.member,
                    _valid(ExchangeCreate, data),
                    self.user_id if self.mine(x.organizer_id) else None,
                    x.draw_round,
                )

    def person(self, old: uuid.UUID, field: str) -> uuid.UUID:
        """The new id of a person the document names where leaving them out would change what
        the object is (who takes part in an exchange): refused if the document has no such person."""
        new = self.new(old)
        if new is None:
            raise InvalidInput(field, "is not one of the document's people")
        return new

    async def link_importer(self) -> None:
        for i, p in enumerate(self.doc.people):
            if p.linked_user_id == self.user_id:
                with _about(f"people.{i}"):
                    await people.update_person(
                        self.session,
                        self.member,
                        self.ids[p.id],
                        _valid(PersonUpdate, {"linked_user_id": self.user_id}),
                    )


async def import_household(
    session: AsyncSession, user_id: uuid.UUID, doc: HouseholdExport
) -> MyHousehold:
    """A new household made from an export, all or nothing; the importer is its admin."""
    async with session.begin():
        return await _Importer(session, doc, user_id).run()
