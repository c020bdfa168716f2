from pydantic import SecretStr

from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "gateway"
    outbox_batch_size: int = 500
    outbox_poll_interval_s: float = 1.0

    # accounts: JWT_SECRET signs access tokens (the local default is for development only)
    jwt_secret: SecretStr = SecretStr("local-only-jwt-secret-never-used-in-production")
    access_token_ttl_s: int = 15 * 60
    refresh_token_ttl_s: int = 30 * 24 * 3600
    # the auth cookies are sent over https only; off for local http
    cookie_secure: bool = False
    # login throttling (the scheme: services/gateway/throttle.py): failures count for this long
    login_failure_window_s: int = 15 * 60
    # failures of one account from unfamiliar browsers and addresses before those must wait
    login_max_failures_per_email: int = 10
    # failures from one client address, every account together (a whole family may share one address)
    login_max_failures_per_ip: int = 20
    # failures from a browser familiar to the account (its device cookie) before it counts as unfamiliar
    login_max_failures_per_device: int = 10
    # per account and address: the wait after the third failure, doubling with each further one
    login_backoff_base_s: float = 1.0
    # how long a browser (its device cookie) or an address stays familiar after a sign-in
    login_trust_ttl_s: int = 180 * 24 * 3600
    # retention (services/gateway/retention.py): failed logins go once out of the window above; refresh
    # tokens and invitations this long after they expired
    account_rows_retention_days: int = 30
    account_prune_interval_s: float = 3600
    # the occasion wrap-up (services/gateway/wrap_up.py): how often it looks for occasions whose day is
    # over (their gifts go into the history) and for reveals that are due
    wrap_up_interval_s: float = 300
    # password reset (services/gateway/use_cases/password_reset.py): how long a mailed link works, and
    # how many requests within the window: per e-mail address (more are answered alike, not mailed) and
    # per client address (more get 429)
    password_reset_ttl_s: int = 30 * 60
    password_reset_window_s: int = 3600
    password_reset_max_per_email: int = 3
    password_reset_max_per_client: int = 20

    # URL import: fetching private or loopback addresses is for tests only (their sample shop is on 127.0.0.1)
    url_import_allow_private: bool = False
    url_import_timeout_s: float = 5.0
    url_import_max_bytes: int = 2 * 1024 * 1024

    # the notification service, whose REST and live stream the gateway serves under its own origin
    notification_url: str = "http://127.0.0.1:8001"
    # esbuild, to serve the web client's modules as one script (services/gateway/web_bundle.py): empty
    # for the one `make install` puts in scripts/web (the modules one by one if it is not there), a
    # path, or `none`
    web_bundler: str = ""
