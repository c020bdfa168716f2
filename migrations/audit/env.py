"""Alembic environment of the audit service (see shared.migrate)."""

from shared.migrate import run_env

run_env()
