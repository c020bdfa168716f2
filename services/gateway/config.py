from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "gateway"
    outbox_batch_size: int = 500
    outbox_poll_interval_s: float = 1.0
