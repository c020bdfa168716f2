"""Snoozing a reminder, which the reminder service keeps: the gateway checks the request and passes it
on through Dapr service invocation, for the caller alone."""

import uuid

import httpx
from dateutil.relativedelta import relativedelta

from services.gateway.models import utcnow
from services.gateway.models.households import Member
from services.gateway.models.tasks import SnoozeRequest
from shared.dapr import DaprClient
from shared.errors import AppError, InvalidInput, NotFound
from shared.validation import parse_offset


async def snooze_reminder(
    dapr: DaprClient, member: Member, reminder_id: uuid.UUID, data: SnoozeRequest
) -> dict:
    if (data.until is None) == (data.snooze_for is None):
        raise InvalidInput(
            "until", "give either `until` (a time) or `for` (a duration such as PT15M)"
        )
    if data.until is not None:
        until = data.until
    else:
        offset = parse_offset(data.snooze_for)  # read and bounded by the request model already
        until = utcnow() + relativedelta(
            years=offset.years,
            months=offset.months,
            weeks=offset.weeks,
            days=offset.days,
            hours=offset.hours,
            minutes=offset.minutes,
            seconds=offset.seconds,
        )
    body = {
        "household_id": str(member.household_id),
        "user_id": str(member.user_id),
        "until": until.isoformat(),
    }
    try:
        response = await dapr.invoke(
            "reminder", f"internal/reminders/{reminder_id}/snooze", json=body
        )
    except httpx.HTTPError:
        raise Unavailable(
            "Reminders can't be snoozed just now; please try again in a moment."
        ) from None
    if response.status_code == 404:
        raise NotFound("No such reminder in this household.")
    if response.status_code >= 300:
        raise Unavailable("Reminders can't be snoozed just now; please try again in a moment.")
    return response.json()


class Unavailable(AppError):
    status_code = 503
    code = "service_unavailable"
