from datetime import time

from shared.settings import ConsumerSettings
from shared.validation import Duration


class Settings(ConsumerSettings):
    service_name: str = "reminder"

    # occasion events carry no reminder offsets: every occasion is reminded of this long before,
    # counted back from this time of day in the household's time zone
    occasion_reminder_offsets: tuple[Duration, ...] = (
        "P14D",
        "P1D",
    )  # read as task reminders are: at start
    occasion_remind_time: time = time(9, 0)

    # the scheduler claims due reminders in batches; it sleeps until the nearest one (woken early when
    # a nearer one is scheduled), but never longer than this, in case a wake-up is lost
    scheduler_batch_size: int = 500
    scheduler_max_sleep_s: float = 30.0

    # fired reminders, and the last version applied of a task or occasion unchanged this long, are
    # forgotten: longer than any event can still arrive (Kafka keeps 7 days, dead-letter topics 30)
    schedule_retention_days: int = 45
    schedule_prune_interval_s: float = 3600

    outbox_batch_size: int = 500
    outbox_poll_interval_s: float = 1.0
