from shared.settings import ConsumerSettings


class Settings(ConsumerSettings):
    service_name: str = "recurring"

    # how many overdue tasks, passed occasions or pending requests one tick takes on
    generator_batch_size: int = 50
    # the loop sleeps until the next thing comes due (woken early when an occurrence is recorded),
    # but never longer than this
    generator_max_sleep_s: float = 30.0
    # how long a sender may take to ask the gateway for one occurrence and record its answer before
    # another may claim it (the call itself times out after 10 s)
    generator_lease_s: float = 60.0

    # a request the gateway answered is forgotten this long after: longer than any event about its task
    # can still arrive (Kafka keeps 7 days, dead-letter topics 30); how often they are pruned
    occurrence_retention_days: int = 45
    occurrence_prune_interval_s: float = 3600
