"""The emulator as one ASGI app: the /3.0 Mailchimp API, /oauth2, and the /_emulator control API."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import APIRouter, FastAPI

from mailchimp_emulator import control, control_events, oauth, persistence
from mailchimp_emulator.config import EmulatorConfig
from mailchimp_emulator.errors import install_error_handlers
from mailchimp_emulator.limits import API_PREFIX, ApiLimitsMiddleware, Limits, RouteTable
from mailchimp_emulator.routes import (
    batch_subscribe,
    batches,
    campaigns,
    interests,
    lists,
    members,
    merge_fields,
    reports,
    root,
    segments,
    tags,
    webhooks,
)
from mailchimp_emulator.state import Store

API_ROUTERS: tuple[APIRouter, ...] = (
    root.router,
    lists.router,
    batch_subscribe.router,
    merge_fields.router,
    interests.router,
    members.router,
    tags.router,
    segments.router,
    webhooks.router,
    campaigns.router,
    reports.router,
    batches.router,
)


def create_app(config: EmulatorConfig, store: Store | None = None) -> FastAPI:
    store = store if store is not None else Store()
    app = FastAPI(
        title="Mailchimp emulator",
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        lifespan=_keep_state_file(config, store),
    )
    app.state.store = store
    app.state.config = config
    install_error_handlers(app)
    for router in API_ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
    app.include_router(oauth.router)
    app.include_router(control.router, prefix=control.PREFIX)
    control_events.install(app)
    limits = Limits(config, store, routes=RouteTable(API_ROUTERS))
    app.state.limits = limits
    app.add_middleware(ApiLimitsMiddleware, limits=limits)
    return app


def _keep_state_file(
    config: EmulatorConfig, store: Store
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if config.state_file is not None and config.state_file.exists():
            persistence.load(config.state_file, store)
        yield
        if config.state_file is not None:
            persistence.save(store, config.state_file)

    return lifespan
