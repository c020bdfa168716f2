"""REST of the mail channel: my mail choices and the mails that could not be delivered to me, and the
one-click unsubscribe a mail links to (RFC 8058), which needs no sign-in: its token says who and what.

My choices are served under the gateway's origin (it proxies `/api/households/{household_id}/
notifications/mail`), like the rest of my notification settings; the unsubscribe under `/api/mail/`.
"""

from datetime import datetime
from html import escape
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field, field_validator
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert

from services.notification.auth import CurrentMember
from services.notification.mail import links
from services.notification.mail.digests import DIGEST_LABELS, wake
from services.notification.mail.kinds import (
    DEFAULT_MODES,
    DIGESTS,
    MAIL_KINDS,
    MODES,
    SUMMARIES,
    mode_of,
    modes_for,
)
from services.notification.mail.schedule import DEFAULT_TIME, WEEKDAYS
from services.notification.mail.tables import (
    mail_address,
    mail_digest_time,
    mail_message,
    mail_preference,
)
from services.notification.routes import SessionDep
from shared.errors import AppError

router = APIRouter(tags=["mail"])

RECENT_FAILURES = 10


class FailedMail(BaseModel):
    subject: str
    kind: str
    failed_at: datetime = Field(description="When it was given up on.")
    reason: str | None


Weekday = Literal[WEEKDAYS]  # type: ignore[valid-type]
SUMMARY_KINDS = ", ".join(sorted(SUMMARIES))


class MailPreferences(BaseModel):
    kinds: dict[str, str] = Field(
        default_factory=dict,
        description=(
            f"How I get each kind by mail ({', '.join(MAIL_KINDS)}): one of {', '.join(MODES)} "
            f"({SUMMARY_KINDS}: not `now`, it is a summary); `daily` and `weekly` gather the kind "
            "into one digest mail at my digest time. A kind left out keeps its current choice."
        ),
    )
    digest_hour: int | None = Field(
        default=None,
        ge=0,
        le=23,
        description="The hour my digests come, on my household's clock; left out: unchanged.",
    )
    digest_weekday: Weekday | None = Field(
        default=None, description="The day my weekly digest comes; left out: unchanged."
    )

    @field_validator("kinds")
    @classmethod
    def _known(cls, kinds: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(kinds) - set(MAIL_KINDS))
        if unknown:
            # quoted as ASCII: a key is anything the client sent, a lone surrogate included, and the
            # message must still encode as the UTF-8 of the error envelope
            raise ValueError(
                f"unknown kind(s) {', '.join(map(ascii, unknown[:5]))}; the kinds are "
                f"{', '.join(MAIL_KINDS)}"
            )
        for kind, mode in sorted(kinds.items()):
            if mode not in modes_for(kind):
                raise ValueError(f"{kind}: choose one of {', '.join(modes_for(kind))}")
        return kinds


class MyMail(BaseModel):
    kinds: dict[str, str] = Field(description="How I get each kind by mail.")
    digest_hour: int = Field(description="The hour my digests come, on my household's clock.")
    digest_weekday: Weekday = Field(description="The day my weekly digest comes.")
    address_known: bool = Field(description="Whether giftflow knows where to mail me.")
    failed: list[FailedMail] = Field(description="My latest mails that could not be delivered.")


async def _my_mail(session, member) -> MyMail:
    chosen = dict(
        (
            await session.execute(
                select(mail_preference.c.kind, mail_preference.c.mode).where(
                    mail_preference.c.household_id == member.household_id,
                    mail_preference.c.user_id == member.user_id,
                )
            )
        ).all()
    )
    known = await session.scalar(
        select(func.count()).where(mail_address.c.user_id == member.user_id)
    )
    time = (
        await session.execute(
            select(mail_digest_time.c.hour, mail_digest_time.c.weekday).where(
                mail_digest_time.c.household_id == member.household_id,
                mail_digest_time.c.user_id == member.user_id,
            )
        )
    ).first() or (DEFAULT_TIME.hour, DEFAULT_TIME.weekday)
    failed = (
        await session.execute(
            select(
                mail_message.c.subject,
                mail_message.c.kind,
                mail_message.c.next_attempt_at.label("failed_at"),
                mail_message.c.last_error.label("reason"),
            )
            .where(
                mail_message.c.user_id == member.user_id,
                mail_message.c.status == "failed",
                (mail_message.c.household_id == member.household_id)
                | mail_message.c.household_id.is_(None),
            )
            .order_by(mail_message.c.created_at.desc())
            .limit(RECENT_FAILURES)
        )
    ).all()
    return MyMail(
        kinds={k: mode_of(chosen, k) for k in MAIL_KINDS},
        digest_hour=time[0],
        digest_weekday=WEEKDAYS[time[1]],
        address_known=bool(known),
        failed=[FailedMail.model_validate(r, from_attributes=True) for r in failed],
    )


async def _choose_time(session, member, hour: int | None, weekday: str | None) -> None:
    if hour is None and weekday is None:
        return
    current = (
        await session.execute(
            select(mail_digest_time.c.hour, mail_digest_time.c.weekday).where(
                mail_digest_time.c.household_id == member.household_id,
                mail_digest_time.c.user_id == member.user_id,
            )
        )
    ).first() or (DEFAULT_TIME.hour, DEFAULT_TIME.weekday)
    values = {
        "hour": current[0] if hour is None else hour,
        "weekday": current[1] if weekday is None else WEEKDAYS.index(weekday),
        "chosen_at": func.now(),
    }
    await session.execute(
        insert(mail_digest_time)
        .values(household_id=member.household_id, user_id=member.user_id, **values)
        .on_conflict_do_update(index_elements=["household_id", "user_id"], set_=values)
    )


async def _choose(session, household_id, user_id, kinds: dict[str, str]) -> None:
    for kind, mode in kinds.items():
        await session.execute(
            insert(mail_preference)
            .values(household_id=household_id, user_id=user_id, kind=kind, mode=mode)
            .on_conflict_do_update(
                index_elements=["household_id", "user_id", "kind"],
                set_={"mode": mode, "updated_at": func.now()},
            )
        )


@router.get("/api/households/{household_id}/notifications/mail", response_model=MyMail)
async def get_mail(session: SessionDep, member: CurrentMember):
    """Which kinds I get by mail, whether giftflow knows my address, and mails that failed."""
    async with session.begin():
        return await _my_mail(session, member)


@router.put("/api/households/{household_id}/notifications/mail", response_model=MyMail)
async def set_mail(session: SessionDep, member: CurrentMember, body: MailPreferences):
    """Choose how I get each kind by mail (at once, in a daily or weekly digest, or not at all) and
    when my digests come."""
    async with session.begin():
        await _choose(session, member.household_id, member.user_id, body.kinds)
        await _choose_time(session, member, body.digest_hour, body.digest_weekday)
        await wake(session)
        return await _my_mail(session, member)


Token = Annotated[
    str, Query(max_length=2000, description="The token of the mail's unsubscribe link.")
]


def _read(request: Request, token: str) -> links.Unsubscribe:
    secret = request.app.state.settings.jwt_secret.get_secret_value()
    try:
        found = links.read_unsubscribe_token(secret, token)
    except links.InvalidUnsubscribeToken:
        raise AppError(
            "This unsubscribe link is not valid; use the link of a giftflow mail, or change your "
            "mail choices in giftflow's settings."
        ) from None
    if found.kind not in DEFAULT_MODES and found.kind not in DIGESTS:
        raise AppError("This unsubscribe link is for a kind of mail giftflow no longer sends.")
    return found


def _page(title: str, body: str) -> HTMLResponse:
    return HTMLResponse(
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width"><title>{escape(title)}</title></head>'
        f'<body style="font-family: system-ui, sans-serif; max-width: 32rem; margin: 2rem auto;">'
        f"<main><h1>{escape(title)}</h1>{body}</main></body></html>"
    )


def _label(kind: str) -> str:
    return DIGEST_LABELS.get(kind, kind)


async def _stop(session, what: links.Unsubscribe) -> None:
    """Stop the kind, or for a digest's link every kind that digest gathers."""
    if what.kind not in DIGESTS:
        await _choose(session, what.household_id, what.user_id, {what.kind: "off"})
        return
    chosen = dict(
        (
            await session.execute(
                select(mail_preference.c.kind, mail_preference.c.mode).where(
                    mail_preference.c.household_id == what.household_id,
                    mail_preference.c.user_id == what.user_id,
                )
            )
        ).all()
    )
    gathered = {k: "off" for k in MAIL_KINDS if mode_of(chosen, k) == what.kind}
    await _choose(session, what.household_id, what.user_id, gathered)


@router.get("/api/mail/unsubscribe", response_class=HTMLResponse)
async def confirm_unsubscribe(request: Request, token: Token):
    """A page with one button: a link opened (or prefetched by a scanner) changes nothing."""
    what = _read(request, token)
    label = escape(_label(what.kind))
    return _page(
        "Stop these mails?",
        f'<form method="post"><p>You will get no more “{label}” mails from this household.</p>'
        f'<input type="hidden" name="List-Unsubscribe" value="One-Click">'
        f'<button type="submit">Stop “{label}” mails</button></form>',
    )


@router.post("/api/mail/unsubscribe", response_class=HTMLResponse)
async def unsubscribe(request: Request, session: SessionDep, token: Token):
    """One-click unsubscribe (RFC 8058): stop this kind of mail for the member the link was sent to."""
    what = _read(request, token)
    async with session.begin():
        await _stop(session, what)
    return _page(
        "Unsubscribed",
        f"<p>You will get no more “{escape(_label(what.kind))}” mails. You can turn them on again in "
        "giftflow's settings.</p>",
    )
