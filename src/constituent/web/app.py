"""The ASGI application: /healthz, the JSON API at /api/v1, and (issue 8) the browser pages."""

from __future__ import annotations

from fastapi import FastAPI

from constituent.jobs import registry
from constituent.kit.runtime import Database, database_for, get_database
from constituent.kit.settings import Settings, get_settings
from constituent.web import health, mailchimp_routes, metrics
from constituent.web.api import create_api
from constituent.web.body_limit import BodyLimit
from constituent.web.pages import install_pages

API_PREFIX = "/api/v1"


def create_app(settings: Settings | None = None, *, database: Database | None = None) -> FastAPI:
    """Build the app for ``settings`` (default: the environment); tests may hand in a ``database``."""
    if database is None:
        database = database_for(settings) if settings is not None else get_database()
    settings = settings or get_settings()
    # The API documents itself at /api/v1/openapi.json; the root app's routes are not part of it.
    app = FastAPI(title="Constituent", openapi_url=None, docs_url=None, redoc_url=None)
    app.state.database = database
    app.state.settings = settings
    # Jobs this process runs itself (an immediate queue, serve --with-worker) use the app's database.
    registry.use_database(settings, database)
    app.include_router(health.router)
    app.include_router(metrics.router)  # Bearer token or admin session
    app.include_router(mailchimp_routes.router)
    app.mount(API_PREFIX, create_api(database, settings))
    # Inside the session middleware (added by install_pages), so a logged-in upload may be larger.
    app.add_middleware(BodyLimit)
    # The browser pages (Jinja2 + htmx, session cookies + CSRF) live on the root app, so they get their
    # own HTML error handling and never the API's Bearer auth.
    install_pages(app, settings)
    return app
