"""Alembic environment of the gateway service (see shared.migrate)."""

from shared.migrate import run_env

run_env()
