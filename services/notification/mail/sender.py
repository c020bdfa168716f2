"""Sends the mail outbox: each pending row once, retried with backoff, given up on with a reason.

One row at a time, locked `FOR UPDATE SKIP LOCKED` for as long as its SMTP conversation lasts, so
replicas never send the same row, and marked sent in the same transaction once the server took it.
Only a crash after the server said 250 and before that commit sends a row again; its Message-ID stays
the same, so a receiving server or client can tell it is the same mail.

A refusal the server means for good (5xx) fails the row at once; anything else (4xx, the connection)
is tried again after a doubling delay, up to `mail_max_attempts`. Failed rows are what the member sees
on their mail settings.
"""

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

import aiosmtplib
import structlog
from prometheus_client import Counter
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from services.notification.config import Settings
from services.notification.mail.outbox import CHANNEL
from services.notification.mail.tables import mail_message
from services.notification.models import person_link
from shared.worker import BackgroundWorker

log = structlog.get_logger()

MAILS = Counter(
    "giftflow_mails_total", "Mails by outcome: sent, retried, failed, cancelled", ["outcome"]
)


def build_message(row, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = row.to_address
    message["Subject"] = row.subject
    message["Date"] = format_datetime(row.created_at)
    message["Message-ID"] = f"<{row.id}@giftflow>"
    for name, value in (row.headers or {}).items():
        message[name] = value
    message.set_content(row.text_body)
    message.add_alternative(row.html_body, subtype="html")
    return message


def is_permanent(error: Exception) -> bool:
    """A 5xx answer: the server will never take this mail as it is."""
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        return all(e.code >= 500 for e in error.recipients)
    return isinstance(error, aiosmtplib.SMTPResponseException) and error.code >= 500


class MailSender(BackgroundWorker):
    name = "mail_sender"
    channel = CHANNEL

    def __init__(self, engine: AsyncEngine, listen_dsn: str, settings: Settings) -> None:
        super().__init__(listen_dsn, poll_interval=settings.mail_poll_interval_s)
        self.engine = engine
        self.settings = settings

    async def smtp_send(self, message: EmailMessage) -> None:
        s = self.settings
        await aiosmtplib.send(
            message,
            hostname=s.smtp_host,
            port=s.smtp_port,
            username=s.smtp_username or None,
            password=s.smtp_password.get_secret_value() or None,
            use_tls=s.smtp_security == "tls",
            start_tls=s.smtp_security == "starttls",
            timeout=s.smtp_timeout_s,
        )

    async def run_once(self) -> bool:
        async with self.engine.begin() as conn:
            row = (
                await conn.execute(
                    select(mail_message)
                    .where(
                        mail_message.c.status == "pending",
                        mail_message.c.next_attempt_at <= func.now(),
                    )
                    .order_by(mail_message.c.next_attempt_at)
                    .limit(1)
                    .with_for_update(skip_locked=True)
                )
            ).first()
            if row is None:
                return False
            outcome = await self._deliver(conn, row)
            await conn.execute(
                update(mail_message).where(mail_message.c.id == row.id).values(**outcome)
            )
            MAILS.labels(outcome["status"] if outcome["status"] != "pending" else "retried").inc()
        return True

    async def _deliver(self, conn, row) -> dict:
        if row.hidden_persons and row.user_id is not None:
            # the recipient was linked since to a person this mail is kept from: it must never go
            linked = await conn.scalar(
                select(func.count())
                .select_from(person_link)
                .where(
                    person_link.c.user_id == row.user_id,
                    person_link.c.person_id.in_(row.hidden_persons),
                )
            )
            if linked:
                return {"status": "cancelled", "last_error": "kept from its recipient"}
        attempts = row.attempts + 1
        try:
            await self.smtp_send(build_message(row, self.settings.mail_from))
        except (aiosmtplib.SMTPException, OSError) as error:
            reason = f"{type(error).__name__}: {error}"[:500]
            if is_permanent(error) or attempts >= self.settings.mail_max_attempts:
                # the reason may name the address: it stays in the row, for its member, out of the logs
                log.warning(
                    "mail.failed", mail_id=str(row.id), kind=row.kind, error=type(error).__name__
                )
                return {"status": "failed", "attempts": attempts, "last_error": reason}
            delay = self.settings.mail_first_retry_s * 2 ** (attempts - 1)
            log.info("mail.retry", mail_id=str(row.id), attempts=attempts, delay_s=delay)
            return {
                "attempts": attempts,
                "last_error": reason,
                "next_attempt_at": datetime.now(UTC) + timedelta(seconds=delay),
                "status": "pending",
            }
        log.info("mail.sent", mail_id=str(row.id), kind=row.kind)
        return {"status": "sent", "attempts": attempts, "sent_at": datetime.now(UTC)}

    async def idle_delay(self) -> float:
        """Until the next retry falls due, or the poll interval, whichever is sooner."""
        async with self.engine.connect() as conn:
            due = await conn.scalar(
                select(func.min(mail_message.c.next_attempt_at)).where(
                    mail_message.c.status == "pending"
                )
            )
        if due is None:
            return self.poll_interval
        return max(0.05, min(self.poll_interval, (due - datetime.now(UTC)).total_seconds()))
