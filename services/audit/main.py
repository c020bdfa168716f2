"""Composition root of the audit logger."""

from fastapi import FastAPI

from services.audit.config import Settings
from services.audit.handlers import record_entry
from services.audit.partitions import keep_partitions_ahead
from services.audit.models import processed_event
from shared.app import create_service_app
from shared.consumer import events_router



def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    app = create_service_app(settings, title="giftflow audit", extra=keep_partitions_ahead)
    app.include_router(events_router(settings.service_name, processed_event, {}, catch_all=record_entry))
    return app


app = create_app()
