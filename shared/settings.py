"""Settings every service reads once from the environment (see .env.example)."""

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """What every giftflow service needs; each service's `config.py` extends it."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore")

    service_name: str = "giftflow"
    database_url: str = "postgresql+asyncpg://giftflow@127.0.0.1:8432/giftflow"
    db_pool_size: int = 10

    dapr_http_endpoint: str = "http://127.0.0.1:3500"
    pubsub_name: str = "pubsub"
    # apps -> sidecar: sent as `dapr-api-token`; sidecar -> apps: checked on event routes
    dapr_api_token: SecretStr = SecretStr("")
    app_api_token: SecretStr = SecretStr("")

    log_level: str = "info"


class ConsumerSettings(ServiceSettings):
    """What every event consumer adds: how long its inbox remembers an event id (see shared.inbox)."""

    # longer than the Kafka topics keep events (7 days), so a redelivery is always still recognised
    inbox_retention_days: int = 14
    # how often the inbox is pruned of ids older than that
    inbox_prune_interval_s: float = 3600
