"""Issue 16: the API docs work offline (Swagger UI's assets come from this server, not a CDN), and the
app has a favicon."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient


def test_the_api_docs_load_swagger_ui_from_this_server_not_a_cdn(anonymous: TestClient) -> None:
    page = anonymous.get("/api/v1/docs")

    assert page.status_code == 200
    assert "cdn." not in page.text and "https://" not in page.text
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert "/api/v1/docs-assets/swagger-ui-bundle.js" in assets
    assert "/api/v1/docs-assets/swagger-ui.css" in assets
    for asset in assets:
        answer = anonymous.get(asset, follow_redirects=True)
        assert answer.status_code == 200, asset
        assert len(answer.content) > 100, asset
    assert "'/api/v1/openapi.json'" in page.text


def test_swagger_ui_is_version_5_which_reads_openapi_3_1(anonymous: TestClient) -> None:
    bundle = anonymous.get("/api/v1/docs-assets/swagger-ui-bundle.js").text
    assert anonymous.get("/api/v1/openapi.json").json()["openapi"].startswith("3.1")
    assert re.search(r'"5\.\d+\.\d+"', bundle), "Swagger UI 4 shows 'invalid version field' for 3.1"


def test_the_favicon_is_served_to_anyone(anonymous: TestClient) -> None:
    icon = anonymous.get("/favicon.ico", follow_redirects=True)
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")
    assert anonymous.get("/login").text.count('rel="icon" href="/static/favicon.svg"') == 1
