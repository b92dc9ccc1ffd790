"""The API's interactive docs (Swagger UI) served entirely from this server.

FastAPI's default page loads Swagger UI from a CDN, so on a machine without internet access (or behind a
strict proxy) the page stays blank. The assets ship inside the pinned ``fastapi-offline`` package (Swagger
UI 5, which reads OpenAPI 3.1); we only serve its files.
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS_DIR = Path(fastapi_offline.__file__).resolve().parent / "static"
ASSETS_URL = "/docs-assets"


def install_docs(api: FastAPI, docs_url: str = "/docs") -> None:
    """``docs_url`` answers Swagger UI's page; its scripts, styles and icon come from ``/docs-assets``.

    Added as plain routes, like FastAPI's own docs: the page and the OpenAPI document describe the API and
    hold no data, while every endpoint they describe still needs a token (the page's Authorize button).
    """
    api.mount(ASSETS_URL, StaticFiles(directory=ASSETS_DIR), name="docs-assets")

    async def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "").rstrip("/")
        return get_swagger_ui_html(
            openapi_url=f"{root}{api.openapi_url}",
            title=f"{api.title} — docs",
            swagger_js_url=f"{root}{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
        )

    api.add_route(docs_url, swagger_ui, include_in_schema=False)
