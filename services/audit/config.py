from pydantic import SecretStr

from shared.settings import ConsumerSettings


class Settings(ConsumerSettings):
    service_name: str = "audit"
    # verifies the gateway's access tokens (the query API is for household admins)
    jwt_secret: SecretStr = SecretStr("local-only-jwt-secret-never-used-in-production")
    # monthly partitions made ahead of time, so an insert never lacks one
    audit_months_ahead: int = 2
    # entries are kept this many months; older partitions are dropped whole
    audit_retention_months: int = 13
    # how often partitions are created ahead and old ones dropped (and once at start)
    audit_maintenance_interval_s: float = 24 * 3600
