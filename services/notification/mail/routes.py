"""REST of the mail channel: my mail choices and the mails that could not be delivered to me, and the
one-click unsubscribe a mail links to (RFC 8058), which needs no sign-in: its token says who and what.

My choices are served under the gateway's origin (it proxies `/api/households/{household_id}/
notifications/mail`), like the rest of my notification settings; the unsubscribe under `/api/mail/`.
"""

from datetime import datetime
from html import escape
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field, field_validator
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert

from services.notification.auth import CurrentMember
from services.notification.mail import links
from services.notification.mail.kinds import DEFAULT_MODES, MAIL_KINDS, MODES, mode_of
from services.notification.mail.tables import mail_address, mail_message, mail_preference
from services.notification.routes import SessionDep
from shared.errors import AppError

router = APIRouter(tags=["mail"])

RECENT_FAILURES = 10


class FailedMail(BaseModel):
    subject: str
    kind: str
    failed_at: datetime = Field(description="When it was given up on.")
    reason: str | None


class MailPreferences(BaseModel):
    kinds: dict[str, str] = Field(
        default_factory=dict,
        description=(
            f"How I get each kind by mail ({', '.join(MAIL_KINDS)}): one of {', '.join(MODES)}; "
            "a kind left out keeps its current choice."
        ),
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
        wrong = sorted(k for k, mode in kinds.items() if mode not in MODES)
        if wrong:
            raise ValueError(f"{', '.join(wrong)}: choose one of {', '.join(MODES)}")
        return kinds


class MyMail(MailPreferences):
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
        address_known=bool(known),
        failed=[FailedMail.model_validate(r, from_attributes=True) for r in failed],
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
    """Choose how I get each kind by mail: at once (`now`) or not at all (`off`)."""
    async with session.begin():
        await _choose(session, member.household_id, member.user_id, body.kinds)
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
    if found.kind not in DEFAULT_MODES:
        raise AppError("This unsubscribe link is for a kind of mail giftflow no longer sends.")
    return found


def _page(title: str, body: str) -> HTMLResponse:
    return HTMLResponse(
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width"><title>{escape(title)}</title></head>'
        f'<body style="font-family: system-ui, sans-serif; max-width: 32rem; margin: 2rem auto;">'
        f"<main><h1>{escape(title)}</h1>{body}</main></body></html>"
    )


@router.get("/api/mail/unsubscribe", response_class=HTMLResponse)
async def confirm_unsubscribe(request: Request, token: Token):
    """A page with one button: a link opened (or prefetched by a scanner) changes nothing."""
    what = _read(request, token)
    label = escape(what.kind)
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
        await _choose(session, what.household_id, what.user_id, {what.kind: "off"})
    return _page(
        "Unsubscribed",
        f"<p>You will get no more “{escape(what.kind)}” mails. You can turn them on again in "
        "giftflow's settings.</p>",
    )
