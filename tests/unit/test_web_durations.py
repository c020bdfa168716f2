"""The durations the web client offers are those the API gives back: it stores each in its canonical
spelling (P1W becomes P7D), and the client finds a saved reminder's box by its value."""

import re
from pathlib import Path

import pytest
from pydantic import TypeAdapter

from shared.validation import Duration

TASKS_VIEW = Path(__file__).resolve().parents[2] / "web" / "js" / "views" / "tasks.js"


def offered_reminders() -> list[str]:
    line = re.search(r"^const REMINDERS = (\[.*\]);$", TASKS_VIEW.read_text(), re.M)
    assert line, "web/js/views/tasks.js no longer lists its REMINDERS on one line"
    return re.findall(r'\["(P[^"]*)",', line.group(1))


def test_the_client_offers_reminders():
    assert len(offered_reminders()) >= 3


@pytest.mark.parametrize("value", offered_reminders())
def test_each_offered_reminder_is_already_in_the_spelling_the_api_stores(value):
    assert TypeAdapter(Duration).validate_python(value) == value
