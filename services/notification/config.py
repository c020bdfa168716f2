from typing import Literal

from pydantic import SecretStr

from shared.settings import ConsumerSettings


class Settings(ConsumerSettings):
    service_name: str = "notification"
    # verifies the gateway's access tokens (Bearer header or the gf_access cookie)
    jwt_secret: SecretStr = SecretStr("local-only-jwt-secret-never-used-in-production")

    # the live stream: a comment line this often keeps proxies from closing an idle stream
    stream_heartbeat_s: float = 15.0
    # a client that cannot take a message within this long is dead: its stream is closed
    stream_send_timeout_s: float = 10.0
    # a reconnect that missed more than this is told to reload (`resync`) instead of replayed
    stream_replay_limit: int = 1000
    # messages waiting for one slow client before it is dropped (it reconnects and replays)
    stream_client_backlog: int = 2000
    # a safety net: catch up from the database this often even if a NOTIFY was lost
    stream_poll_interval_s: float = 30.0

    # retention: stream messages serve reconnects only; notifications are the member's inbox
    stream_retention_days: int = 7
    notification_retention_days: int = 180
    # an event parked for its household (see parking) is dropped once it could no longer come: the
    # household's creation is in Kafka for at most the topics' retention (7 days)
    parked_retention_days: int = 7
    retention_interval_s: float = 24 * 3600

    # mail (services/notification/mail): the SMTP server, how to reach it, who mail comes from
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    # none (a local catcher), starttls (upgrade on the submission port, 587) or tls (implicit, 465)
    smtp_security: Literal["none", "starttls", "tls"] = "none"
    smtp_username: str = ""
    smtp_password: SecretStr = SecretStr("")
    smtp_timeout_s: float = 30.0
    mail_from: str = "giftflow <giftflow@localhost>"
    # where links in mails point: the address families open giftflow at
    mail_public_url: str = "http://127.0.0.1:8000"
    # a mail the server refuses for now is tried again after 30 s, 60 s, … up to this many times
    mail_max_attempts: int = 8
    mail_first_retry_s: float = 30.0
    mail_poll_interval_s: float = 10.0
    # digests: looked for this often; one not sent within the catch-up after its moment (the service
    # was down) waits for the next period; the week ahead looks this many days forward
    mail_digest_poll_s: float = 60.0
    mail_digest_catch_up_h: float = 12.0
    mail_digest_days_ahead: int = 14
