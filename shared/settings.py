"""Settings every service reads once from the environment (see .env.example)."""

from pathlib import Path

from pydantic import IPvAnyNetwork, SecretStr, field_validator
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

    # the proxies (addresses or CIDRs) whose X-Forwarded-For / X-Forwarded-Host are believed; nobody's by
    # default, so a client cannot choose the address it is throttled by (see shared.forwarded)
    trusted_proxies: list[IPvAnyNetwork] = []
    # other origins (`https://host[:port]`) whose pages may make cookie-signed changes, besides the
    # service's own (see shared.origin)
    allowed_origins: list[str] = []
    # a file whose existence means the instance is about to stop: every answer then closes its
    # connection (see shared.draining). Unset where nothing drains this way (the local stack).
    draining_file: Path | None = None

    @field_validator("draining_file", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("allowed_origins")
    @classmethod
    def _origins_as_browsers_send_them(cls, origins: list[str]) -> list[str]:
        return [o.strip().rstrip("/").lower() for o in origins]


class ConsumerSettings(ServiceSettings):
    """What every event consumer adds: how long its inbox remembers an event id (see shared.inbox)."""

    # longer than the Kafka topics keep events (7 days), so a redelivery is always still recognised
    inbox_retention_days: int = 14
    # how often the inbox is pruned of ids older than that
    inbox_prune_interval_s: float = 3600
