"""The recurring processor against Postgres picks whose turn a rotating chore's next occurrence is:
in turn, or whoever has done it least, from the completions it has seen; members who left are passed
over until they join again. The pick is recorded with the occurrence, so every retry asks for the same."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from shared.events.household import MemberJoined, MemberRemoved
from shared.events.tasks import TaskCompleted, TaskCreated
from tests.integration.test_recurring_series import cloudevent, deliver, occurrences

ANN, BEN, CLEO = (uuid.uuid4() for _ in range(3))
DONE_AT = datetime(2030, 6, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def sessions(sessions_for):
    return sessions_for("recurring")


def chore(
    household_id, series_id, nth: int, assignee, mode="round_robin", rotation=(ANN, BEN, CLEO)
) -> TaskCreated:
    """The nth task (from 0) of a rotating chore, every 3 days after it was done, as created."""
    due = datetime(2030, 6, 1, 7, 0, tzinfo=UTC) + timedelta(days=3 * nth)
    return TaskCreated(
        household_id=household_id,
        task_id=series_id if nth == 0 else uuid.uuid4(),
        revision=1,
        title="Take the bins out",
        status="open",
        due_at=due,
        timezone="Europe/Berlin",
        rrule="FREQ=DAILY;INTERVAL=3",
        recurrence_mode="from_completion",
        series_id=series_id,
        occurrence_at=None if nth == 0 else due,
        assignee_id=assignee,
        rotation=rotation,
        rotation_mode=mode,
    )


def completed(task: TaskCreated, by, nth: int) -> TaskCompleted:
    return TaskCompleted(
        **task.model_dump()
        | {
            "revision": task.revision + 1,
            "status": "done",
            "completed_by": by,
            "completed_at": DONE_AT + timedelta(days=3 * nth),
        }
    )


async def picked(sessions, series_id, task) -> str | None:
    [row] = [r for r in await occurrences(sessions, series_id) if r.source_id == task.task_id]
    return row.payload.get("assignee_id", "not given")


async def test_round_robin_hands_the_next_one_to_the_one_after_whoever_had_it(sessions):
    household_id, series_id = uuid.uuid4(), uuid.uuid4()
    first = chore(household_id, series_id, 0, ANN)
    await deliver(sessions, cloudevent(first), cloudevent(completed(first, ANN, 0)))
    assert await picked(sessions, series_id, first) == str(BEN)
    # Ben's turn, done by Cleo who stepped in: the turn goes on from Ben, to Cleo
    second = chore(household_id, series_id, 1, BEN)
    await deliver(sessions, cloudevent(second), cloudevent(completed(second, CLEO, 1)))
    assert await picked(sessions, series_id, second) == str(CLEO)


async def test_least_done_goes_to_whoever_has_done_it_least_often(sessions):
    household_id = uuid.uuid4()
    series_id = uuid.uuid4()
    tasks = [chore(household_id, series_id, n, ANN, mode="least_done") for n in range(3)]
    # Ann did the first two, Ben the third: Cleo has done it least
    for n, (task, by) in enumerate(zip(tasks, (ANN, ANN, BEN), strict=True)):
        await deliver(sessions, cloudevent(task), cloudevent(completed(task, by, n)))
    assert await picked(sessions, series_id, tasks[2]) == str(CLEO)


async def test_a_member_who_left_is_passed_over_until_they_join_again(sessions):
    household_id = uuid.uuid4()
    left = MemberRemoved(household_id=household_id, actor_id=BEN, user_id=BEN, role="adult")
    await deliver(sessions, cloudevent(left))
    first = chore(household_id, uuid.uuid4(), 0, ANN)
    await deliver(sessions, cloudevent(first), cloudevent(completed(first, ANN, 0)))
    assert await picked(sessions, first.task_id, first) == str(CLEO)

    back = MemberJoined(
        household_id=household_id,
        actor_id=BEN,
        user_id=BEN,
        display_name="Ben",
        role="adult",
        joined_at=datetime.now(UTC),
    )
    await deliver(sessions, cloudevent(back))
    second = chore(household_id, first.task_id, 1, CLEO)
    await deliver(sessions, cloudevent(second), cloudevent(completed(second, CLEO, 1)))
    assert await picked(sessions, first.task_id, second) == str(ANN)
    third = chore(household_id, first.task_id, 2, ANN)
    await deliver(sessions, cloudevent(third), cloudevent(completed(third, ANN, 2)))
    assert await picked(sessions, first.task_id, third) == str(BEN)


async def test_when_everyone_in_the_rotation_has_left_the_next_one_is_up_for_grabs(sessions):
    household_id = uuid.uuid4()
    for user in (ANN, BEN):
        gone = MemberRemoved(household_id=household_id, actor_id=user, user_id=user, role="adult")
        await deliver(sessions, cloudevent(gone))
    first = chore(household_id, uuid.uuid4(), 0, ANN, rotation=(ANN, BEN))
    await deliver(sessions, cloudevent(first), cloudevent(completed(first, ANN, 0)))
    assert await picked(sessions, first.task_id, first) is None


async def test_a_chore_without_a_rotation_asks_for_no_assignee(sessions):
    household_id = uuid.uuid4()
    first = chore(household_id, uuid.uuid4(), 0, ANN, mode=None, rotation=())
    await deliver(sessions, cloudevent(first), cloudevent(completed(first, ANN, 0)))
    assert await picked(sessions, first.task_id, first) == "not given"
