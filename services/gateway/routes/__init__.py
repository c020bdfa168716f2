from fastapi import APIRouter

from services.gateway.routes import households

api = APIRouter(prefix="/api")
api.include_router(households.router)
