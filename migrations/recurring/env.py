"""Alembic environment of the recurring service (see shared.migrate)."""

from shared.migrate import run_env

run_env()
