"""Which failures a retry may get past: those of what lies outside the work (the database, the
network). Everything else, retried, would fail the same way every time.
"""

from asyncpg import PostgresConnectionError, PostgresError
from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

# SQLSTATE classes of failures outside the work: the connection, a conflict with a concurrent
# transaction, the server's resources or its operator, a lock not granted in time
_TRANSIENT_SQLSTATES = ("08", "40", "53", "55P03", "57", "58")


def is_transient(exc: BaseException) -> bool:
    """Whether a failure lies outside the work (the database, the network), so a retry may get past it.

    For a consumer, anything else is the event's own data (a zone, a date, a duration that cannot be
    computed with) or a fault of ours, which a dead-letter replay redoes once it is fixed; retried, it
    would hold up every event behind it for minutes.
    """
    if isinstance(exc, (OSError, DisconnectionError, PoolTimeoutError, InterfaceError)):
        return True
    if isinstance(exc, DBAPIError) and (
        exc.connection_invalidated or isinstance(exc, OperationalError)
    ):
        return True
    if isinstance(exc, PostgresConnectionError):
        return True
    driver = (
        exc.orig if isinstance(exc, DBAPIError) else exc if isinstance(exc, PostgresError) else None
    )
    return (getattr(driver, "sqlstate", None) or "").startswith(_TRANSIENT_SQLSTATES)
