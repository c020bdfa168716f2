"""The calendar feed as a calendar app reads it: built with `icalendar`, parsed back with a second
library (vobject), for any occasions and tasks. What the app shows must be what giftflow means: the same
names, the same days and due times in the household's zone, a yearly occasion on the days giftflow
counts (29 February on the 28th in other years), a task's reminders before its due time, and a series'
next occurrences as the recurring processor would make them."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import vobject
from dateutil.tz import tzical
from hypothesis import given, settings
from hypothesis import strategies as st

from services.gateway.calendar_ics import FeedOccasion, FeedTask, build, repeat_rule
from services.gateway.use_cases.occasions import next_occurrence
from services.recurring.recurrence import next_due

ZONES = ("UTC", "Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata")
# zones whose changes follow yearly rules (Chile's: the Sunday after the first Saturday of a month),
# north and south; a zone whose changes follow no yearly rule (Morocco's move with Ramadan) is written
# as a list of dates (RDATE), which is valid but which dateutil ignores
REGULAR_ZONES = (
    *ZONES,
    "Europe/London",
    "America/Santiago",
    "America/Sao_Paulo",
    "Pacific/Auckland",
    "Australia/Lord_Howe",
    "Asia/Tehran",
    "America/Havana",
)
STAMP = dt.datetime(2026, 12, 7, tzinfo=dt.UTC)
# printable text a person might type, no control characters (the API refuses those)
TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Co", "Cn")),
    min_size=1,
    max_size=60,
).filter(str.strip)

occasions = st.builds(
    FeedOccasion,
    id=st.uuids().map(str),
    name=TEXT,
    kind=st.sampled_from(["birthday", "christmas", "anniversary", "other"]),
    date=st.dates(dt.date(1930, 1, 1), dt.date(2030, 12, 31)),
    recurs_yearly=st.booleans(),
    for_names=st.lists(TEXT, max_size=3).map(tuple),
)

RULES = (
    None,
    "FREQ=DAILY",
    "FREQ=DAILY;INTERVAL=3;COUNT=7",
    "FREQ=WEEKLY;BYDAY=MO,TH",
    "FREQ=WEEKLY;COUNT=5",
    "FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=6",
    "FREQ=MONTHLY;BYDAY=2SA",
    "FREQ=YEARLY",
)


@st.composite
def tasks(draw) -> FeedTask:
    anchor = draw(
        st.datetimes(dt.datetime(2025, 1, 1), dt.datetime(2027, 12, 31), timezones=st.just(dt.UTC))
    ).replace(second=0, microsecond=0)
    rule = draw(st.sampled_from(RULES))
    return FeedTask(
        uid=str(draw(st.uuids())),
        title=draw(TEXT),
        notes=draw(st.none() | TEXT),
        due_at=anchor,
        reminders=tuple(
            draw(st.lists(st.sampled_from(["PT15M", "PT2H", "P1D", "P7D"]), unique=True))
        ),
        rrule=rule,
        from_completion=draw(st.booleans()) if rule else False,
        anchor_at=anchor,
        rotates=draw(st.booleans()) if rule else False,
    )


def parse(body: bytes) -> dict[str, vobject.base.Component]:
    # vobject keeps every zone it has read, by name, for good: each feed is read with its own
    getattr(vobject.icalendar, "__tzidMap").clear()
    calendar = vobject.readOne(body.decode())
    return {event.uid.value: event for event in getattr(calendar, "vevent_list", [])}


@settings(max_examples=30, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    occasion_list=st.lists(occasions, max_size=6, unique_by=lambda o: o.id),
    task_list=st.lists(tasks(), max_size=6, unique_by=lambda t: t.uid),
)
def test_a_calendar_app_reads_what_giftflow_means(zone, occasion_list, task_list):
    events = parse(build("The Okafors", zone, occasion_list, task_list, STAMP))
    assert len(events) == len(occasion_list) + len(task_list)

    for occasion in occasion_list:
        event = events[f"occasion-{occasion.id}@giftflow"]
        assert event.summary.value == occasion.name
        assert event.dtstart.value == occasion.date
        if occasion.for_names:
            assert event.description.value == "For " + ", ".join(occasion.for_names)
        shown = sorted(event.getrruleset() or [occasion.date])
        if occasion.recurs_yearly:
            days = [d.date() for d in shown[:12]]
            for day in days[1:]:  # each next one, as giftflow counts it from the day after the last
                assert day == next_occurrence(
                    occasion.date, True, days[days.index(day) - 1] + dt.timedelta(days=1)
                )
        else:
            assert shown == [occasion.date]

    tz = ZoneInfo(zone)
    for task in task_list:
        event = events[f"task-{task.uid}@giftflow"]
        assert event.summary.value == task.title
        assert event.dtstart.value == task.due_at  # the same instant
        assert event.dtstart.value.utcoffset() == task.due_at.astimezone(tz).utcoffset()
        triggers = sorted(-a.trigger.value for a in getattr(event, "valarm_list", []))
        assert triggers == sorted(_duration(r) for r in task.reminders)
        rules = event.getrruleset()
        if not task.rrule or task.from_completion or task.rotates:
            # a chore taken in turns shows only this member's turn: the next may be someone else's
            assert rules is None
            continue
        shown = list(rules)[:5] if _counted_or_bounded(task.rrule) else _first(rules, 5)
        expected, due, index = [task.due_at], task.due_at, 0
        while len(expected) < len(shown) + 1:
            due = next_due(task.rrule, "from_due", zone, task.anchor_at, due, index)
            if due is None:
                break
            expected.append(due)
            index += 1
        assert [s.astimezone(dt.UTC) for s in shown] == expected[: len(shown)]


@settings(max_examples=60, deadline=None)
@given(
    zone=st.sampled_from(REGULAR_ZONES),
    due=st.datetimes(dt.datetime(2025, 1, 1), dt.datetime(2045, 12, 31), timezones=st.just(dt.UTC)),
)
def test_the_zone_written_in_the_feed_gives_the_same_hour_as_the_zone_database(zone, due):
    """A reader that goes by the feed's VTIMEZONE, not the zone's name (dateutil's, as vobject and
    others do), finds the same offset at the task's wall time as the zone database."""
    due = due.replace(microsecond=0)
    first = FeedTask(
        "first", "t", None, dt.datetime(2025, 1, 1, tzinfo=dt.UTC), (), None, False, None
    )
    task = FeedTask("t", "t", None, due, (), None, False, None)
    body = build("H", zone, [], [first, task], STAMP).decode()
    block = body[body.index("BEGIN:VTIMEZONE") : body.index("END:VTIMEZONE") + len("END:VTIMEZONE")]
    written = tzical(io.StringIO(block)).get(zone)
    wall = due.astimezone(ZoneInfo(zone)).replace(tzinfo=None)
    assert wall.replace(tzinfo=written).utcoffset() == due.astimezone(ZoneInfo(zone)).utcoffset()


def test_a_count_counts_from_the_series_first_occurrence():
    tz = ZoneInfo("Europe/Berlin")
    anchor = dt.datetime(2026, 12, 1, 8, tzinfo=dt.UTC)  # a Tuesday, 09:00 in Berlin
    assert repeat_rule("FREQ=WEEKLY;COUNT=5", anchor, tz) == "FREQ=WEEKLY;UNTIL=20261229T080000Z"
    # an UNTIL in wall time or as a day is the instant it means in the household's zone
    assert (
        repeat_rule("FREQ=DAILY;UNTIL=20261231", anchor, tz) == "FREQ=DAILY;UNTIL=20261231T225959Z"
    )
    assert (
        repeat_rule("FREQ=DAILY;UNTIL=20260701T120000", anchor, tz)
        == "FREQ=DAILY;UNTIL=20260701T100000Z"
    )


def _duration(iso: str) -> dt.timedelta:
    from icalendar import vDuration

    return vDuration.from_ical(iso)


def _counted_or_bounded(rule: str) -> bool:
    return "COUNT=" in rule or "UNTIL=" in rule


def _first(rules, n: int) -> list:
    out = []
    for when in rules:
        out.append(when)
        if len(out) == n:
            break
    return out


def test_a_gift_exchange_is_its_day_with_the_price_range_and_nothing_of_the_draw():
    from services.gateway.calendar_ics import FeedExchange

    stamp = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    day = dt.date(2026, 12, 24)
    feed = build(
        "Smiths", "Europe/Berlin", [], [], stamp, [FeedExchange("x1", "Cousins", day, "10–25 EUR")]
    )
    [event] = vobject.readOne(feed.decode()).vevent_list
    assert event.summary.value == "Gift exchange: Cousins"
    assert event.dtstart.value == day and event.dtend.value == day + dt.timedelta(days=1)
    assert event.description.value == "Price range 10–25 EUR"
    assert event.uid.value == "exchange-x1@giftflow"


def test_a_typed_backslash_stays_a_backslash():
    """icalendar's own escaping reads a typed backslash and N as a line break; a family's title
    `Back up C:\\New` must come back as typed, and a real line break as one."""
    title = "Back up C:\\New; then, tidy\nthe rest"
    task = FeedTask(
        uid="t1",
        title=title,
        notes=title,
        due_at=dt.datetime(2026, 12, 24, 18, tzinfo=ZoneInfo("UTC")),
        reminders=("PT1H",),
        rrule=None,
        from_completion=False,
        anchor_at=None,
    )
    occasion = FeedOccasion(
        id="o1",
        name=title,
        kind="other",
        date=dt.date(2026, 12, 24),
        recurs_yearly=False,
        for_names=(title,),
    )
    event = parse(build("The Okafors", "UTC", [occasion], [task], STAMP))
    assert event["task-t1@giftflow"].summary.value == title
    assert event["task-t1@giftflow"].description.value == title
    assert event["task-t1@giftflow"].valarm.description.value == title
    assert event["occasion-o1@giftflow"].summary.value == title
    assert event["occasion-o1@giftflow"].description.value == "For " + title
