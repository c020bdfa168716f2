"""What every service's composition root shares: settings, engine, sidecar client, middleware, health."""

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext

from fastapi import FastAPI

from shared import health, heap, metrics
from shared.dapr import DaprClient
from shared.db import create_engine, session_factory
from shared.draining import CloseWhenDraining
from shared.errors import install_error_handlers
from shared.logging import TraceContextMiddleware, configure_logging
from shared.openapi import document_common_responses
from shared.operator_paths import OperatorPathsGuard
from shared.origin import CrossOriginGuard
from shared.request_sessions import CloseSessions
from shared.settings import ServiceSettings
from shared.validation.query import QueryGuard

Extra = Callable[[FastAPI], AbstractAsyncContextManager[None]]


def create_service_app(
    settings: ServiceSettings, title: str, extra: Extra | None = None, **kwargs
) -> FastAPI:
    """A FastAPI app with logging, metrics, health, the error envelope and the cross-site guard;
    `extra` adds startup work."""
    configure_logging(settings.service_name, settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            async with extra(app) if extra is not None else nullcontext():
                heap.settle()  # started: what is alive now lives as long as the process
                yield
        finally:
            await app.state.dapr.aclose()
            await app.state.engine.dispose()

    app = FastAPI(title=title, lifespan=lifespan, **kwargs)
    app.state.settings = settings
    # neither connects until first used, so an app can be built (and tested) without its database
    app.state.engine = create_engine(settings.database_url, settings.db_pool_size)
    app.state.sessions = session_factory(app.state.engine)
    app.state.dapr = DaprClient(
        settings.dapr_http_endpoint,
        settings.dapr_api_token.get_secret_value(),
        settings.pubsub_name,
    )
    # innermost: the request's database sessions are closed as soon as its answer is out
    app.add_middleware(CloseSessions)
    # its refusals are counted and traced like any other answer
    app.add_middleware(
        CrossOriginGuard,
        trusted_proxies=settings.trusted_proxies,
        allowed_origins=settings.allowed_origins,
    )
    app.add_middleware(
        QueryGuard
    )  # inside the metrics and the trace context, so its 422s are counted
    app.add_middleware(OperatorPathsGuard, trusted_proxies=settings.trusted_proxies)
    app.add_middleware(metrics.MetricsMiddleware, service=settings.service_name)
    app.add_middleware(TraceContextMiddleware)
    # outermost: whatever answers, while the pod drains it closes the connection behind it
    app.add_middleware(CloseWhenDraining, flag=settings.draining_file)
    app.include_router(health.router)
    app.include_router(metrics.router)
    install_error_handlers(app)
    document_common_responses(app)
    return app
