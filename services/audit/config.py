from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "audit"
    audit_months_ahead: int = 2
