"""Alembic environment of the notification service (see shared.migrate)."""

from shared.migrate import run_env

run_env()
