"""The rehearsal's pieces that need no stack: the next release can still be made from the code as it is
(its anchors are there), and in it a consumer reads task.created v2 as v1 and the gateway publishes v2.
`make rehearsal` runs the whole of it live."""

import subprocess
import textwrap

import pytest

from scripts.rehearsal import next_build
from scripts.rehearsal.traffic import Tally
from scripts.stack.topology import VENV_PYTHON

IN_THE_NEXT_RELEASE = textwrap.dedent(
    """
    import uuid
    from datetime import UTC, datetime

    from sqlalchemy import MetaData

    from services.notification import wording
    from shared import outbox
    from shared.consumer import BulkConsumer
    from shared.events import EVENT_TYPES
    from shared.events.tasks import TaskCreated, TaskCreatedV2
    from shared.inbox import processed_event_table

    v1, v2 = "giftflow.task.created.v1", "giftflow.task.created.v2"
    assert EVENT_TYPES[v2] is TaskCreatedV2 and EVENT_TYPES[v1] is TaskCreated

    async def handle(session, envelope):
        pass

    consumer = BulkConsumer("x", None, processed_event_table(MetaData()), {v1: handle})
    assert consumer.handlers[v2] is handle, "a consumer of v1 reads v2"
    assert TaskCreatedV2 in wording.DESCRIBERS, "notification words v2"

    event = TaskCreated(household_id=uuid.uuid4(), task_id=uuid.uuid4(), revision=1,
                        title="Wrap", status="open")
    row = outbox._row(event, datetime.now(UTC), "test")
    assert row["event_type"] == v2, row["event_type"]
    print("next release ok")
    """
)


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    made = next_build.make(tmp_path_factory.mktemp("rehearsal") / "next")
    yield made
    next_build.remove(made.path)


def test_the_next_release_adds_one_migration_on_top_of_the_current_head(build):
    assert build.previous_revision == next_build.gateway_head()
    assert next_build.gateway_head(build.path) == build.revision


def test_in_the_next_release_consumers_read_v2_and_the_gateway_publishes_it(build):
    result = subprocess.run(
        [str(VENV_PYTHON), "-c", IN_THE_NEXT_RELEASE],
        cwd=build.path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "next release ok" in result.stdout


def test_the_current_release_parks_v2_rather_than_acknowledging_it_unread():
    from shared.consumer import Outcome, parse

    handlers = {next_build.OLD_TYPE: lambda session, envelope: None}
    raw = {
        "id": "6f1c54a4-4d0f-4a8b-9d1e-2f3a4b5c6d7e",
        "type": next_build.NEW_TYPE,
        "source": "gateway",
        "data": {},
    }
    outcome, envelope, reason = parse(raw, handlers)
    assert (outcome, envelope) == (Outcome.DROP, None)  # to the dead-letter topic, for a replay
    assert "unsupported version" in reason


def test_a_stream_that_skipped_a_position_is_noticed():
    assert Tally(stream_ids=[3, 4, 4, 5]).stream_ids_missed() == 0
    assert Tally(stream_ids=[3, 4, 6]).stream_ids_missed() == 1
