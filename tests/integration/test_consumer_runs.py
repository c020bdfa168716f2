"""A run of events applied at once (`Together`: one statement for the run) leaves exactly what applying
them one by one leaves: for any sequence of household, member and person events, one delivery of them
all and one delivery per event end in the same rows, in the reminder and the recurring services."""

import uuid
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.recurring.handlers import HANDLERS as RECURRING_HANDLERS
from services.recurring.models import processed_event as recurring_inbox
from services.reminder.config import Settings as ReminderSettings
from services.reminder.handlers import handlers as reminder_handlers
from services.reminder.models import processed_event as reminder_inbox
from shared.consumer import BulkConsumer
from shared.events import HouseholdCreated
from shared.events.gifting import PersonCreated, PersonDeleted, PersonUpdated
from shared.events.household import HouseholdUpdated, MemberJoined, MemberRemoved
from shared.outbox import to_cloudevent

HOUSEHOLDS, USERS, PEOPLE = range(2), range(3), range(3)
ZONES = ("UTC", "Europe/London", "America/New_York")
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

# each event as plain indices into the pools above, made into a real event per run of the test
households = st.sampled_from(HOUSEHOLDS)
users = st.sampled_from(USERS)
steps = st.one_of(
    st.tuples(st.just("created"), households, st.none() | users, st.sampled_from(ZONES)),
    st.tuples(st.just("updated"), households, st.sampled_from(ZONES)),
    st.tuples(st.just("joined"), households, users),
    st.tuples(st.just("removed"), households, users),
    st.tuples(st.just("person"), st.sampled_from(PEOPLE), households, st.none() | users),
    st.tuples(st.just("person_deleted"), st.sampled_from(PEOPLE), households),
)


class Ids:
    """Fresh ids for the pools, so that each application writes rows of its own."""

    def __init__(self) -> None:
        self.household = [uuid.uuid4() for _ in HOUSEHOLDS]
        self.user = [uuid.uuid4() for _ in USERS]
        self.person = [uuid.uuid4() for _ in PEOPLE]
        self.back = {
            **{v: ("h", i) for i, v in enumerate(self.household)},
            **{v: ("u", i) for i, v in enumerate(self.user)},
            **{v: ("p", i) for i, v in enumerate(self.person)},
        }

    def event(self, step: tuple):
        kind, *args = step
        if kind == "created":
            h, actor, zone = args
            return HouseholdCreated(
                household_id=self.household[h],
                actor_id=None if actor is None else self.user[actor],
                name="Smiths",
                timezone=zone,
                created_at=NOW,
            )
        if kind == "updated":
            h, zone = args
            return HouseholdUpdated(
                household_id=self.household[h], name="Smiths", timezone=zone, changed=("timezone",)
            )
        if kind in ("joined", "removed"):
            h, u = args
            if kind == "removed":
                return MemberRemoved(
                    household_id=self.household[h], user_id=self.user[u], role="adult"
                )
            return MemberJoined(
                household_id=self.household[h],
                user_id=self.user[u],
                display_name="Ben",
                role="adult",
                joined_at=NOW,
            )
        if kind == "person":
            p, h, linked = args
            contract = PersonCreated if p % 2 else PersonUpdated
            return contract(
                person_id=self.person[p],
                household_id=self.household[h],
                name="Gran",
                linked_user_id=None if linked is None else self.user[linked],
            )
        p, h = args
        return PersonDeleted(person_id=self.person[p], household_id=self.household[h])

    def deliveries(self, plan: list[tuple]) -> list[dict]:
        return [to_cloudevent(self.event(step), uuid.uuid4(), NOW) for step in plan]

    def plain(self, rows) -> set[tuple]:
        """Rows with our ids put back as pool indices (and other rows left out)."""
        out = set()
        for row in rows:
            values = tuple(self.back.get(v, v) for v in row)
            if any(isinstance(v, tuple) for v in values):
                out.add(values)
        return out


def delivery(events: list[dict]) -> dict:
    return {"entries": [{"entryId": f"e{i}", "event": e} for i, e in enumerate(events)]}


TABLES = {
    "reminder": (
        "SELECT id, timezone FROM reminder.household WHERE id = ANY($1)",
        "SELECT household_id, user_id FROM reminder.household_member WHERE household_id = ANY($1)",
        "SELECT person_id, household_id, user_id FROM reminder.person_link WHERE household_id = ANY($1)",
    ),
    "recurring": (
        "SELECT id, timezone FROM recurring.household WHERE id = ANY($1)",
        "SELECT household_id, user_id FROM recurring.former_member WHERE household_id = ANY($1)",
    ),
}


async def _state(admin_db, service: str, ids: Ids) -> list[set[tuple]]:
    return [
        ids.plain(tuple(r) for r in await admin_db.fetch(sql, ids.household))
        for sql in TABLES[service]
    ]


@settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(plan=st.lists(steps, min_size=1, max_size=30))
async def test_a_delivered_run_ends_where_one_event_at_a_time_ends(sessions_for, admin_db, plan):
    consumers = {
        "reminder": BulkConsumer(
            "reminder",
            sessions_for("reminder"),
            reminder_inbox,
            reminder_handlers(ReminderSettings()),
        ),
        "recurring": BulkConsumer(
            "recurring", sessions_for("recurring"), recurring_inbox, RECURRING_HANDLERS
        ),
    }
    for service, consumer in consumers.items():
        together, one_by_one = Ids(), Ids()
        answer = await consumer.handle_bulk(delivery(together.deliveries(plan)))
        assert {s["status"] for s in answer["statuses"]} == {"SUCCESS"}
        for event in one_by_one.deliveries(plan):
            answer = await consumer.handle_bulk(delivery([event]))
            assert answer["statuses"][0]["status"] == "SUCCESS"

        expected = await _state(admin_db, service, one_by_one)
        assert await _state(admin_db, service, together) == expected, service
        # the control: what the plan names is there (its households, at least)
        named = {("h", step[1]) for step in plan if step[0] in ("created", "updated")}
        assert {row[0] for row in expected[0]} == named
