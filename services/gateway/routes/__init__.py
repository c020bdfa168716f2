from fastapi import APIRouter

from services.gateway.routes import (
    auth,
    budgets,
    calendar_feeds,
    comments,
    dashboard,
    exchanges,
    gifts,
    history,
    household_data,
    households,
    internal_digest,
    invitations,
    items,
    lists,
    members,
    occasions,
    password_reset,
    people,
    proxy,
    tags,
    tasks,
    url_import,
)

api = APIRouter(prefix="/api")
api.include_router(households.router)
api.include_router(household_data.router)
api.include_router(auth.router)
api.include_router(password_reset.router)
api.include_router(members.router)
api.include_router(invitations.router)
api.include_router(url_import.router)
api.include_router(people.router)
api.include_router(occasions.router)
api.include_router(lists.router)
api.include_router(gifts.router)
api.include_router(items.router)
api.include_router(comments.router)
api.include_router(tasks.router)
api.include_router(tags.router)
api.include_router(budgets.router)
api.include_router(dashboard.router)
api.include_router(internal_digest.router)
api.include_router(calendar_feeds.router)
api.include_router(exchanges.router)
api.include_router(history.router)
api.include_router(proxy.router)
