"""Composition root of the recurring service."""

from fastapi import FastAPI

from services.recurring.config import Settings
from services.recurring.handlers import HANDLERS
from services.recurring.models import processed_event
from shared.app import create_service_app
from shared.consumer import events_router



def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    app = create_service_app(settings, title="giftflow recurring")
    app.include_router(events_router(settings.service_name, processed_event, HANDLERS))
    return app


app = create_app()
