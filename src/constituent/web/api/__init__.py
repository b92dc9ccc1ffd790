"""The JSON API, mounted at /api/v1: every endpoint requires a Bearer token (a personal API token)."""

from __future__ import annotations

from fastapi import Depends, FastAPI

from constituent.kit.runtime import Database
from constituent.kit.settings import Settings
from constituent.web.api import (
    activities,
    contacts,
    contributions,
    doctor,
    emails,
    groups,
    health,
    mailchimp,
    me,
    organization,
    searches,
    sync,
    webhook_events,
)
from constituent.web.api.docs import install_docs
from constituent.web.api.errors import install_error_handlers
from constituent.web.deps import current_principal
from constituent.web.nul_guard import refuse_nul

ROUTERS = (
    me.router,
    contacts.router,
    emails.router,
    groups.router,
    searches.router,
    contributions.router,
    activities.router,
    organization.router,
    mailchimp.router,
    doctor.router,
    health.router,
    sync.router,
    webhook_events.router,
)


def create_api(database: Database, settings: Settings) -> FastAPI:
    api = FastAPI(
        title="Constituent API",
        version="1",
        # App-wide, so an endpoint added later cannot forget to require a token.
        dependencies=[Depends(current_principal), Depends(refuse_nul)],
        openapi_url="/openapi.json",
        docs_url=None,  # served by docs.install_docs, with Swagger UI's assets from this server
        redoc_url=None,
    )
    api.state.database = database
    api.state.settings = settings
    install_error_handlers(api)
    install_docs(api)
    for router in ROUTERS:
        api.include_router(router)
    return api
