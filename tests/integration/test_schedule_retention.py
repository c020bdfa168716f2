"""The reminder service forgets fired reminders and what it knows of tasks and occasions once no event
about them can arrive any more, and nothing it still has to fire; the recurring processor forgets the
requests the gateway answered, never one still pending."""

import uuid
from datetime import UTC, datetime, timedelta

from services.recurring.retention import occurrence_retention
from services.reminder.retention import schedule_retention
from tests.integration.test_reminder_schedule import (
    cloudevent,
    deliver,
    family,
    pending,
    sessions,
    task,
)  # noqa: F401

RETENTION = timedelta(days=45)


async def scheduled(admin_db, remind_ago: timedelta, fired_ago: timedelta | None) -> uuid.UUID:
    """A reminder of some task, due `remind_ago` ago, fired `fired_ago` ago (or not yet)."""
    reminder_id = uuid.uuid4()
    await admin_db.execute(
        'INSERT INTO reminder.reminder (id, household_id, subject_kind, subject_id, title, "offset", remind_at, '
        "fired_at) VALUES ($1, $2, 'task', $3, 'Wrap presents', 'PT1H', now() - $4::interval, now() - $5::interval)",
        reminder_id,
        uuid.uuid4(),
        uuid.uuid4(),
        remind_ago,
        fired_ago,
    )
    return reminder_id


async def known(admin_db, changed_ago: timedelta, deleted: bool = False) -> uuid.UUID:
    """A task the service knows the version of, last changed `changed_ago` ago."""
    subject_id = uuid.uuid4()
    await admin_db.execute(
        "INSERT INTO reminder.subject (kind, id, household_id, version, deleted, changed_at) "
        "VALUES ('task', $1, $2, 3, $3, now() - $4::interval)",
        subject_id,
        uuid.uuid4(),
        deleted,
        changed_ago,
    )
    return subject_id


async def test_fired_reminders_and_unchanged_subjects_past_the_retention_go_and_nothing_to_fire_does(
    engine_for, admin_db
):
    old_fired = [
        await scheduled(admin_db, timedelta(days=d + 1), timedelta(days=d)) for d in (46, 60, 400)
    ]
    recent_fired = await scheduled(admin_db, timedelta(days=31), timedelta(days=30))
    overdue = await scheduled(
        admin_db, timedelta(days=90), None
    )  # never fired (the service was down): it will
    old_known = [
        await known(admin_db, timedelta(days=50)),
        await known(admin_db, timedelta(days=50), deleted=True),
    ]
    recent_known = await known(admin_db, timedelta(days=44))
    pruner = schedule_retention(engine_for("reminder"), RETENTION, interval_s=3600, batch_size=1)

    rounds = [await pruner.run_once()]
    while rounds[-1]:
        rounds.append(await pruner.run_once())

    assert rounds[0] is True  # a full batch: it goes again at once rather than sleeping
    reminders = {
        r["id"]
        for r in await admin_db.fetch(
            "SELECT id FROM reminder.reminder WHERE id = ANY($1)",
            [*old_fired, recent_fired, overdue],
        )
    }
    assert reminders == {recent_fired, overdue}
    subjects = {
        r["id"]
        for r in await admin_db.fetch(
            "SELECT id FROM reminder.subject WHERE id = ANY($1)", [*old_known, recent_known]
        )
    }
    assert subjects == {recent_known}


async def test_a_task_forgotten_past_the_retention_is_scheduled_again_by_its_next_change(
    sessions,
    family,
    engine_for,
    admin_db,  # noqa: F811
):
    household_id, *_ = family
    due = datetime.now(UTC) + timedelta(days=3)
    created = task(household_id, due_at=due)
    await deliver(sessions, cloudevent(created))
    await admin_db.execute(
        "UPDATE reminder.subject SET changed_at = now() - interval '46 days' WHERE id = $1",
        created.task_id,
    )
    pruner = schedule_retention(engine_for("reminder"), RETENTION, interval_s=3600)
    while await pruner.run_once():
        pass
    assert (
        await admin_db.fetchval(
            "SELECT count(*) FROM reminder.subject WHERE id = $1", created.task_id
        )
        == 0
    )

    later = task(household_id, task_id=created.task_id, revision=2, due_at=due + timedelta(days=1))
    await deliver(sessions, cloudevent(later))

    assert [r.remind_at for r in await pending(sessions, created.task_id)] == [
        due + timedelta(days=1, hours=-1)
    ]
    assert (
        await admin_db.fetchval(
            "SELECT version FROM reminder.subject WHERE id = $1", created.task_id
        )
        == 2
    )


async def requested(admin_db, answered_ago: timedelta | None) -> uuid.UUID:
    """A next occurrence asked of the gateway, answered `answered_ago` ago (or still pending)."""
    occurrence_id = uuid.uuid4()
    await admin_db.execute(
        "INSERT INTO recurring.occurrence (id, kind, subject_id, occurrence, source_id, payload, status, done_at) "
        "VALUES ($1, 'task', $2, $3, $2, '{}', $4, now() - $5::interval)",
        occurrence_id,
        uuid.uuid4(),
        datetime.now(UTC).isoformat(),
        "pending" if answered_ago is None else "done",
        answered_ago,
    )
    return occurrence_id


async def test_answered_requests_for_next_occurrences_past_the_retention_go_and_pending_ones_never(
    engine_for, admin_db
):
    old = [await requested(admin_db, timedelta(days=d)) for d in (46, 90)]
    recent, pending_one = (
        await requested(admin_db, timedelta(days=44)),
        await requested(admin_db, None),
    )
    await admin_db.execute(
        "UPDATE recurring.occurrence SET created_at = now() - interval '400 days' WHERE id = $1",
        pending_one,
    )  # however old, a request not yet answered stays
    pruner = occurrence_retention(engine_for("recurring"), RETENTION, interval_s=3600, batch_size=1)

    while await pruner.run_once():
        pass

    kept = {
        r["id"]
        for r in await admin_db.fetch(
            "SELECT id FROM recurring.occurrence WHERE id = ANY($1)", [*old, recent, pending_one]
        )
    }
    assert kept == {recent, pending_one}
