"""The recurring processor against Postgres: completions and passing due times record the next
occurrence once, and the generator asks the gateway for it until the gateway answers."""

import uuid
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import DBAPIError

from services.recurring.generator import OccurrenceGenerator
from services.recurring.handlers import HANDLERS
from services.recurring.models import occurrence, processed_event, series_task, yearly_occasion
from shared.consumer import BulkConsumer
from shared.events import Event, HouseholdCreated
from shared.events.gifting import OccasionCreated
from shared.events.tasks import TaskCompleted, TaskCreated, TaskDeleted


def cloudevent(event: Event, event_id: uuid.UUID | None = None) -> dict:
    return {
        "specversion": "1.0",
        "id": str(event_id or uuid.uuid4()),
        "source": "giftflow/gateway",
        "type": event.event_type(),
        "subject": str(event.aggregate_id()),
        "household": str(event.household_id),
        "time": datetime.now(UTC).isoformat(),
        "data": event.model_dump(mode="json"),
    }


async def deliver(sessions, *events: dict) -> None:
    body = {"entries": [{"entryId": f"e{i}", "event": e} for i, e in enumerate(events)]}
    answer = await BulkConsumer("recurring", sessions, processed_event, HANDLERS).handle_bulk(body)
    assert {s["status"] for s in answer["statuses"]} == {"SUCCESS"}, answer


class FakeGateway:
    """Stands in for the gateway's sidecar: answers service invocations, counting them."""

    def __init__(self, status: int = 201) -> None:
        self.status = status
        self.calls: list[tuple[str, str, dict]] = []

    async def invoke(
        self, app_id: str, method: str, json: dict, headers: dict | None = None
    ) -> httpx.Response:
        self.calls.append((app_id, method, json))
        return httpx.Response(self.status, json={"id": str(uuid.uuid4())})


class WatchingGateway(FakeGateway):
    """While it is asked, looks at the occurrence from a connection of its own: it must find the
    lease already committed and be able to lock the row without waiting (no lock held by the sender)."""

    def __init__(self, sessions) -> None:
        super().__init__()
        self.sessions = sessions
        self.seen: dict[uuid.UUID, tuple] = {}

    async def invoke(
        self, app_id: str, method: str, json: dict, headers: dict | None = None
    ) -> httpx.Response:
        source_id = uuid.UUID(method.split("/")[3])
        async with self.sessions() as session, session.begin():
            try:
                row = (
                    await session.execute(
                        select(occurrence.c.leased_until, occurrence.c.status)
                        .where(occurrence.c.source_id == source_id)
                        .with_for_update(nowait=True)
                    )
                ).first()
                self.seen[source_id] = ("unlocked", row.leased_until, row.status)
            except DBAPIError:
                self.seen[source_id] = ("locked", None, None)
        return await super().invoke(app_id, method, json, headers)


async def completed_daily_task(sessions):
    """A daily task completed: its next occurrence is recorded, pending and due to be sent now."""
    household_id = uuid.uuid4()
    created = daily(household_id, status="open")
    await deliver(
        sessions,
        cloudevent(created),
        cloudevent(
            daily(
                household_id,
                task_id=created.task_id,
                revision=2,
                kind=TaskCompleted,
                status="done",
                completed_at=datetime(2030, 6, 1, 8, 0, tzinfo=UTC),
            )
        ),
    )
    return created


@pytest.fixture
def sessions(sessions_for):
    return sessions_for("recurring")


def daily(
    household_id, task_id=None, revision=1, due_at=None, kind=TaskCreated, mode="from_due", **extra
):
    task_id = task_id or uuid.uuid4()
    return kind(
        household_id=household_id,
        task_id=task_id,
        revision=revision,
        title="Feed the cat",
        due_at=due_at or datetime(2030, 6, 1, 7, 0, tzinfo=UTC),
        timezone="Europe/Berlin",
        rrule="FREQ=DAILY",
        recurrence_mode=mode,
        series_id=extra.pop("series_id", task_id),
        **extra,
    )


async def occurrences(sessions, series_id) -> list:
    async with sessions() as session:
        return (
            await session.execute(select(occurrence).where(occurrence.c.subject_id == series_id))
        ).all()


async def test_completing_a_daily_task_twice_records_one_next_occurrence(sessions):
    household_id = uuid.uuid4()
    created = daily(household_id, status="open")
    done = daily(
        household_id,
        task_id=created.task_id,
        revision=2,
        kind=TaskCompleted,
        status="done",
        completed_at=datetime(2030, 6, 1, 8, 0, tzinfo=UTC),
    )
    completion = cloudevent(done)
    await deliver(sessions, cloudevent(created))
    await deliver(sessions, completion)
    await deliver(sessions, completion)  # the same event again
    await deliver(sessions, cloudevent(done))  # the same completion under another id
    [row] = await occurrences(sessions, created.task_id)
    assert row.occurrence == "2030-06-02T07:00:00+00:00"
    assert row.source_id == created.task_id and row.occurrence_index == 1
    assert row.payload == {"occurrence_due_at": "2030-06-02T07:00:00+00:00"}


async def test_from_completion_counts_from_the_completion_day(sessions):
    household_id = uuid.uuid4()
    created = daily(household_id, status="open", mode="from_completion")
    done = daily(
        household_id,
        task_id=created.task_id,
        revision=2,
        kind=TaskCompleted,
        status="done",
        mode="from_completion",
        completed_at=datetime(2030, 6, 5, 18, 0, tzinfo=UTC),
    )
    await deliver(sessions, cloudevent(created), cloudevent(done))
    [row] = await occurrences(sessions, created.task_id)
    assert row.occurrence == "2030-06-06T07:00:00+00:00"


async def test_a_from_due_task_gets_its_successor_once_its_due_time_passes(sessions):
    household_id = uuid.uuid4()
    created = daily(household_id, status="open", due_at=datetime.now(UTC) - timedelta(minutes=1))
    await deliver(sessions, cloudevent(created))
    gateway = FakeGateway()
    generator = OccurrenceGenerator(sessions, gateway, listen_dsn="unused")
    assert await generator.record_overdue() >= 1
    [row] = await occurrences(sessions, created.task_id)
    await generator.send_pending()
    assert [c for c in gateway.calls if str(created.task_id) in c[1]] == [
        ("gateway", f"api/internal/tasks/{created.task_id}/next-occurrence", row.payload)
    ]
    [sent] = await occurrences(sessions, created.task_id)
    assert sent.status == "done"


async def test_the_generator_retries_until_the_gateway_answers_and_gives_up_on_a_refusal(sessions):
    household_id = uuid.uuid4()
    first, second = daily(household_id, status="open"), daily(household_id, status="open")
    for task in (first, second):
        await deliver(
            sessions,
            cloudevent(task),
            cloudevent(
                daily(
                    household_id,
                    task_id=task.task_id,
                    revision=2,
                    kind=TaskCompleted,
                    status="done",
                    completed_at=datetime(2030, 6, 1, 8, 0, tzinfo=UTC),
                )
            ),
        )
    generator = OccurrenceGenerator(sessions, FakeGateway(503), listen_dsn="unused")
    await generator.send_pending()
    [waiting] = await occurrences(sessions, first.task_id)
    assert (waiting.status, waiting.attempts) == (
        "pending",
        1,
    ) and waiting.next_attempt_at > datetime.now(UTC)
    async with sessions() as session, session.begin():
        await session.execute(update(occurrence).values(next_attempt_at=datetime.now(UTC)))
    generator.dapr = FakeGateway(404)
    await generator.send_pending()
    assert (await occurrences(sessions, second.task_id))[0].status == "abandoned"


async def test_a_deleted_task_gets_no_successor(sessions):
    household_id = uuid.uuid4()
    created = daily(household_id, status="open", due_at=datetime.now(UTC) - timedelta(minutes=1))
    await deliver(
        sessions,
        cloudevent(created),
        cloudevent(TaskDeleted(household_id=household_id, task_id=created.task_id, revision=2)),
    )
    async with sessions() as session:
        assert (
            await session.execute(
                select(series_task).where(series_task.c.task_id == created.task_id)
            )
        ).first() is None


async def test_a_count_limited_series_ends(sessions):
    household_id = uuid.uuid4()
    created = daily(household_id, status="open")
    created = created.model_copy(update={"rrule": "FREQ=DAILY;COUNT=1"})
    done = created.model_copy(
        update={
            "revision": 2,
            "status": "done",
            "completed_at": datetime(2030, 6, 1, 8, tzinfo=UTC),
        }
    )
    await deliver(
        sessions, cloudevent(created), {**cloudevent(done), "type": TaskCompleted.event_type()}
    )
    assert await occurrences(sessions, created.task_id) == []


async def test_a_passed_yearly_occasion_is_rolled_over_to_its_next_date(sessions):
    household_id, occasion_id = uuid.uuid4(), uuid.uuid4()
    await deliver(
        sessions,
        cloudevent(
            HouseholdCreated(
                household_id=household_id,
                name="Smiths",
                created_at=datetime.now(UTC),
                timezone="Europe/Berlin",
            )
        ),
    )
    await deliver(
        sessions,
        cloudevent(
            OccasionCreated(
                household_id=household_id,
                occasion_id=occasion_id,
                name="Grandpa",
                kind="birthday",
                date=date(1950, 1, 1),
                recurs_yearly=True,
            )
        ),
    )
    async with sessions() as session, session.begin():
        await session.execute(
            update(yearly_occasion)
            .where(yearly_occasion.c.occasion_id == occasion_id)
            .values(occurs_on=date(2026, 1, 1), rolls_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    gateway = FakeGateway()
    generator = OccurrenceGenerator(sessions, gateway, listen_dsn="unused")
    await generator.record_rollovers()
    await generator.send_pending()
    [row] = await occurrences(sessions, occasion_id)
    assert row.payload == {"previous_date": "2026-01-01", "next_date": "2027-01-01"}
    assert (
        "gateway",
        f"api/internal/occasions/{occasion_id}/roll-over",
        row.payload,
    ) in gateway.calls


async def test_the_gateway_is_asked_with_the_lease_committed_and_no_row_lock_held(sessions):
    created = await completed_daily_task(sessions)
    gateway = WatchingGateway(sessions)
    before = datetime.now(UTC)
    await OccurrenceGenerator(sessions, gateway, listen_dsn="unused", lease_s=60).send_pending()
    held, leased_until, status = gateway.seen[created.task_id]
    assert held == "unlocked" and status == "pending"
    assert before + timedelta(seconds=50) < leased_until < datetime.now(UTC) + timedelta(seconds=70)
    [sent] = await occurrences(sessions, created.task_id)
    assert (sent.status, sent.attempts, sent.leased_until) == ("done", 1, None)


async def test_an_occurrence_whose_sender_died_is_claimed_again_once_its_lease_runs_out(sessions):
    stalled, crashed = await completed_daily_task(sessions), await completed_daily_task(sessions)
    for task, lease_ends in (
        (stalled, datetime.now(UTC) + timedelta(hours=1)),  # its sender may still answer
        (crashed, datetime.now(UTC) - timedelta(seconds=1)),  # its sender is gone
    ):
        async with sessions() as session, session.begin():
            await session.execute(
                update(occurrence)
                .where(occurrence.c.source_id == task.task_id)
                .values(leased_until=lease_ends)
            )
    gateway = FakeGateway()
    await OccurrenceGenerator(sessions, gateway, listen_dsn="unused").send_pending()
    asked = {c[1] for c in gateway.calls}
    assert f"api/internal/tasks/{crashed.task_id}/next-occurrence" in asked
    assert f"api/internal/tasks/{stalled.task_id}/next-occurrence" not in asked
    assert [r.status for r in await occurrences(sessions, crashed.task_id)] == ["done"]
    assert [r.status for r in await occurrences(sessions, stalled.task_id)] == ["pending"]


async def test_a_sender_that_lost_its_lease_leaves_the_answer_to_the_new_holder(sessions):
    created = await completed_daily_task(sessions)

    class OvertakenGateway(FakeGateway):
        """Answers only after another sender has claimed the occurrence (this one took too long)."""

        async def invoke(self, app_id, method, json, headers=None):
            async with sessions() as session, session.begin():
                await session.execute(
                    update(occurrence)
                    .where(occurrence.c.source_id == created.task_id)
                    .values(leased_until=datetime.now(UTC) + timedelta(minutes=5))
                )
            return await super().invoke(app_id, method, json, headers)

    await OccurrenceGenerator(sessions, OvertakenGateway(), listen_dsn="unused").send_pending()
    [row] = await occurrences(sessions, created.task_id)
    assert (row.status, row.attempts) == ("pending", 0) and row.leased_until is not None
