"""Digest mails: at each member's digest time, one mail with what their daily or weekly mode held back
and, for the weekly `upcoming` kind, their week ahead.

What a member may see is decided in one place, the gateway: the week ahead is the member's dashboard,
which this service asks the gateway for through Dapr service invocation (the gateway's sidecar lets
only this app call that route). The held notifications were written only for members allowed to hear
of them, and one kept from a person the member has been linked to since is left out.

A digest is a mail-outbox row whose dedup key names the member and the period (`schedule`); it is
decided under a transaction-scoped advisory lock on that key, together with marking what it carries, so
two replicas or a crash never make it twice; the sender then sends it once, like any mail.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from uuid import UUID

import httpx
import structlog
from sqlalchemy import Select, and_, exists, func, literal_column, select, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from services.notification.config import Settings
from services.notification.mail import links
from services.notification.mail.channel import KIND_LABELS
from services.notification.mail.digest_content import (
    Held,
    Section,
    held_sections,
    upcoming_sections,
)
from services.notification.mail.kinds import DIGESTS, MAIL_KINDS, SUMMARIES, mode_of
from services.notification.mail.outbox import Mail, enqueue
from services.notification.mail.render import Rendered, local_time, render
from services.notification.mail.schedule import (
    DEFAULT_TIME,
    DigestTime,
    is_due,
    last_moment,
    period_of,
    start_of_hour,
)
from services.notification.mail.tables import (
    mail_address,
    mail_digest_entry,
    mail_digest_time,
    mail_household,
    mail_message,
    mail_preference,
)
from services.notification.models import member, person_link
from shared.dapr import DaprClient, DaprError
from shared.worker import BackgroundWorker

log = structlog.get_logger()

CHANNEL = "mail_digest"  # a member chose their digest time or modes: look again now
GATEWAY = "gateway"
DIGEST_LABELS = {"daily": "daily digest", "weekly": "weekly digest"}
# digests decided per round; a round that had more starts the next at once
ROUND = 50


def week_ahead_method(household_id: UUID, user_id: UUID) -> str:
    return f"api/internal/households/{household_id}/members/{user_id}/week-ahead"


@dataclass(frozen=True)
class Candidate:
    """A member with an address, and what their digests depend on."""

    household_id: UUID
    user_id: UUID
    display_name: str | None
    address: str
    timezone: str | None
    joined_at: datetime
    time: DigestTime
    chosen_at: datetime | None
    choices: dict[str, str]
    holds_some: bool

    def kinds(self, digest: str) -> list[str]:
        return [k for k in MAIL_KINDS if mode_of(self.choices, k) == digest]

    def since(self) -> datetime:
        """From when a digest moment can be theirs: from their joining, or once they chose their time
        from the start of the hour they chose it in (choosing this hour means this hour's digest)."""
        if self.chosen_at is None:
            return self.joined_at
        return start_of_hour(self.chosen_at, self.timezone)


@dataclass(frozen=True)
class Due:
    candidate: Candidate
    digest: str
    moment: datetime

    @property
    def key(self) -> str:
        c = self.candidate
        period = period_of(self.digest, self.moment, c.timezone)
        return f"digest:{c.household_id}:{c.user_id}:{period}"


CANDIDATES = (
    select(
        member.c.household_id,
        member.c.user_id,
        member.c.display_name,
        member.c.joined_at,
        mail_address.c.address,
        mail_household.c.timezone,
        mail_digest_time.c.hour,
        mail_digest_time.c.weekday,
        mail_digest_time.c.chosen_at,
        select(func.jsonb_object_agg(mail_preference.c.kind, mail_preference.c.mode, type_=JSONB))
        .where(
            mail_preference.c.household_id == member.c.household_id,
            mail_preference.c.user_id == member.c.user_id,
        )
        .scalar_subquery()
        .label("choices"),
        exists()
        .where(
            mail_digest_entry.c.household_id == member.c.household_id,
            mail_digest_entry.c.user_id == member.c.user_id,
            mail_digest_entry.c.digest_key.is_(None),
        )
        .label("holds_some"),
    )
    .join(mail_address, mail_address.c.user_id == member.c.user_id)
    .outerjoin(mail_household, mail_household.c.household_id == member.c.household_id)
    .outerjoin(
        mail_digest_time,
        and_(
            mail_digest_time.c.household_id == member.c.household_id,
            mail_digest_time.c.user_id == member.c.user_id,
        ),
    )
)


def candidate_from(row) -> Candidate:
    time = DEFAULT_TIME if row.hour is None else DigestTime(row.hour, row.weekday)
    return Candidate(
        household_id=row.household_id,
        user_id=row.user_id,
        display_name=row.display_name,
        address=row.address,
        timezone=row.timezone,
        joined_at=row.joined_at,
        time=time,
        chosen_at=row.chosen_at,
        choices=dict(row.choices or {}),
        holds_some=row.holds_some,
    )


def due_digests(candidates: Sequence[Candidate], now: datetime, catch_up: timedelta) -> list[Due]:
    """The digests whose moment has come, for members who have something for them."""
    found = []
    for c in candidates:
        for digest in DIGESTS:
            kinds = c.kinds(digest)
            if not (set(kinds) & SUMMARIES) and not (kinds and c.holds_some):
                continue
            moment = last_moment(digest, c.time, now, c.timezone)
            if is_due(moment, now, c.since(), catch_up):
                found.append(Due(c, digest, moment))
    return found


class DigestMaker(BackgroundWorker):
    name = "mail_digests"
    channel: ClassVar[str | None] = CHANNEL
    transient_errors = (*BackgroundWorker.transient_errors, httpx.HTTPError, DaprError)

    def __init__(
        self, engine: AsyncEngine, dapr: DaprClient, listen_dsn: str, settings: Settings
    ) -> None:
        super().__init__(listen_dsn, poll_interval=settings.mail_digest_poll_s)
        self.engine = engine
        self.dapr = dapr
        self.settings = settings

    async def run_once(self) -> bool:
        now = datetime.now(UTC)
        async with self.engine.connect() as conn:
            candidates = [candidate_from(r) for r in await conn.execute(CANDIDATES)]
            due = due_digests(
                candidates, now, timedelta(hours=self.settings.mail_digest_catch_up_h)
            )
            if not due:
                return False
            made = set(
                await conn.scalars(
                    select(mail_message.c.dedup_key).where(
                        mail_message.c.dedup_key.in_([d.key for d in due])
                    )
                )
            )
        todo = [d for d in due if d.key not in made]
        for one in todo[:ROUND]:
            try:
                await self.make(one, now)
            except self.transient_errors as exc:
                # one member's digest failing (the gateway, for them) holds up nobody else's: it is
                # tried again next round, while its moment is still within the catch-up
                log.warning("mail.digest_failed", digest=one.digest, error=repr(exc))
        return len(todo) > ROUND

    async def week_ahead(self, household_id: UUID, user_id: UUID) -> dict[str, Any] | None:
        """The member's week ahead as the gateway lets them see it; None if no longer a member."""
        response = await self.dapr.invoke(
            GATEWAY,
            week_ahead_method(household_id, user_id),
            json={"days": self.settings.mail_digest_days_ahead},
        )
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise DaprError(f"week ahead: {response.status_code} {response.text[:200]}")
        return response.json()

    async def make(self, due: Due, now: datetime) -> bool:
        """Decide one digest: True when it was written now, False when there was none to write."""
        c = due.candidate
        ahead = None
        if set(c.kinds(due.digest)) & SUMMARIES:
            ahead = await self.week_ahead(c.household_id, c.user_id)
            if ahead is None:
                return False
        async with self.engine.begin() as conn:
            locked = await conn.scalar(
                select(func.pg_try_advisory_xact_lock(func.hashtext(due.key)))
            )
            if not locked:
                return False  # another replica is deciding it
            if await conn.scalar(select(func.count()).where(mail_message.c.dedup_key == due.key)):
                return False
            composed = await self.compose(conn, due, ahead, now)
            if composed is None:
                return False
            mail, carried = composed
            await enqueue(conn, [mail])
            if carried:
                await conn.execute(
                    update(mail_digest_entry)
                    .where(mail_digest_entry.c.id.in_(carried))
                    .values(digest_key=due.key)
                )
        log.info("mail.digest_decided", digest=due.digest, held=len(carried), ahead=bool(ahead))
        return True

    async def compose(
        self, conn: AsyncConnection, due: Due, ahead: dict[str, Any] | None, now: datetime
    ) -> tuple[Mail, list[UUID]] | None:
        """The digest's mail and the held entries it carries (locked until the transaction ends), or
        None when there is nothing to tell."""
        c = due.candidate
        held = await self._held(conn, c, c.kinds(due.digest), now)
        if not held and ahead is None:
            return None
        token = links.unsubscribe_token(
            self.settings.jwt_secret.get_secret_value(),
            links.Unsubscribe(c.household_id, c.user_id, due.digest),
        )
        unsubscribe = links.unsubscribe_url(self.settings.mail_public_url, token)
        hidden = sorted({p for _, h in held for p in h}, key=str)
        mail = Mail(
            dedup_key=due.key,
            kind=due.digest,
            to_address=c.address,
            content=self.rendered(due, self.content(due, held, ahead, now), unsubscribe, now),
            household_id=c.household_id,
            user_id=c.user_id,
            headers=links.unsubscribe_headers(unsubscribe),
            hidden_persons=tuple(hidden),
        )
        return mail, [r.id for r, _ in held]

    async def _held(
        self, conn: AsyncConnection, c: Candidate, kinds: list[str], now: datetime
    ) -> list[tuple[Any, list[UUID]]]:
        """What the digest carries of what was held back, but what is kept from the member now."""
        linked: Select = select(literal_column("1")).where(
            person_link.c.user_id == c.user_id,
            person_link.c.person_id == func.any(mail_digest_entry.c.hidden_persons),
        )
        rows = (
            await conn.execute(
                select(mail_digest_entry)
                .where(
                    mail_digest_entry.c.household_id == c.household_id,
                    mail_digest_entry.c.user_id == c.user_id,
                    mail_digest_entry.c.digest_key.is_(None),
                    mail_digest_entry.c.kind.in_(kinds),
                    mail_digest_entry.c.created_at <= now,
                    ~linked.exists(),
                )
                .order_by(mail_digest_entry.c.created_at)
                .with_for_update()
            )
        ).all()
        return [(r, list(r.hidden_persons)) for r in rows]

    def content(
        self, due: Due, held: list[tuple[Any, list[UUID]]], ahead: dict | None, now: datetime
    ) -> list[Section]:
        tz = due.candidate.timezone
        sections = []
        if ahead is not None:
            sections += upcoming_sections(ahead, tz, self.settings.mail_digest_days_ahead)
        labels = {k: v for k, v in KIND_LABELS.items() if k not in SUMMARIES}
        sections += held_sections([Held(r.kind, r.text, r.created_at) for r, _ in held], labels, tz)
        return [s for s in sections if s.lines]

    def rendered(
        self, due: Due, sections: list[Section], unsubscribe: str, now: datetime
    ) -> Rendered:
        c = due.candidate
        days = self.settings.mail_digest_days_ahead
        weekly = due.digest == "weekly"
        subject = "Your week ahead on giftflow" if weekly else "Your day on giftflow"
        return render(
            "digest",
            subject,
            name=c.display_name or "there",
            intro=(
                f"What is coming up in the next {days} days, and what you asked to hear of weekly."
                if weekly
                else "What you asked to hear of once a day."
            ),
            sections=sections,
            nothing=f"Nothing is planned for the next {days} days.",
            app_link=links.app_url(self.settings.mail_public_url),
            sent_at=local_time(now, c.timezone),
            digest_label=DIGEST_LABELS[due.digest],
            unsubscribe_link=unsubscribe,
        )


async def wake(session: AsyncSession) -> None:
    """Tell the digest makers to look again, once the transaction commits (a member changed their
    digest time or modes)."""
    await session.execute(select(func.pg_notify(CHANNEL, "")))
