"""Composition root of the reminder service."""

from fastapi import FastAPI

from services.reminder.config import Settings
from services.reminder.handlers import HANDLERS
from services.reminder.models import processed_event
from shared.app import create_service_app
from shared.consumer import events_router



def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    app = create_service_app(settings, title="giftflow reminder")
    app.include_router(events_router(settings.service_name, processed_event, HANDLERS))
    return app


app = create_app()
