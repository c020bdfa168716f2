from fastapi import APIRouter

from services.gateway.routes import auth, households, invitations, members, url_import

api = APIRouter(prefix="/api")
api.include_router(households.router)
api.include_router(auth.router)
api.include_router(members.router)
api.include_router(invitations.router)
api.include_router(url_import.router)
