"""Alembic environment of the reminder service (see shared.migrate)."""

from shared.migrate import run_env

run_env()
