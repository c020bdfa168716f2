"""Whom a fired reminder goes to, and whom it is kept from."""

import uuid
from types import SimpleNamespace

from services.reminder.scheduler import audience

ANN, BEN, CLEO = (uuid.UUID(int=i) for i in (1, 2, 3))
MEMBERS = {ANN, BEN, CLEO}
CLEO_PERSON = uuid.UUID(int=99)


def row(**kwargs) -> SimpleNamespace:
    return SimpleNamespace(
        **{
            "hidden_from": [],
            "person_ids": [],
            "notify_user_ids": None,
            "assignee_id": None,
            **kwargs,
        }
    )


def test_a_task_reminder_goes_to_its_assignee_alone():
    assert audience(row(assignee_id=BEN), MEMBERS, {}) == ([BEN], [])


def test_a_task_reminder_without_assignee_goes_to_every_member_but_those_it_is_kept_from():
    assert audience(row(hidden_from=[CLEO]), MEMBERS, {}) == ([ANN, BEN], [CLEO])


def test_an_assignee_the_task_is_kept_from_is_not_told_and_everyone_else_is():
    assert audience(row(assignee_id=CLEO, hidden_from=[CLEO]), MEMBERS, {}) == ([ANN, BEN], [CLEO])


def test_an_occasion_reminder_is_kept_from_the_members_it_is_for():
    notify, hidden = audience(row(person_ids=[CLEO_PERSON]), MEMBERS, {CLEO_PERSON: CLEO})
    assert (notify, hidden) == ([ANN, BEN], [CLEO])


def test_a_snoozed_reminder_goes_back_only_to_whoever_snoozed_it():
    assert audience(row(notify_user_ids=[BEN]), MEMBERS, {}) == ([BEN], [])


def test_a_snoozer_who_has_left_the_household_is_not_told():
    assert audience(row(notify_user_ids=[uuid.UUID(int=7)]), MEMBERS, {}) == ([], [])
