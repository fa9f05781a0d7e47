"""/docs and /redoc work without internet: every asset they name is served by the app itself,
from the installed fastapi-offline package (nothing copied into the repository)."""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from tests.conftest import make_settings


class _Urls(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [v for k, v in attrs if k in {"src", "href", "spec-url"} and v]


def urls_in(html: str) -> list[str]:
    parser = _Urls()
    parser.feed(html)
    return parser.urls


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(make_settings("memory", tmp_path / "var"))) as the_client:
        yield the_client


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_documentation_pages_name_only_assets_the_app_serves(client: TestClient, page: str):
    answer = client.get(page)

    assert answer.status_code == 200
    urls = urls_in(answer.text)
    assert len(urls) >= 2  # the script and the favicon at least
    for url in urls:
        assert url.startswith("/") and not url.startswith("//"), url
        assert client.get(url).status_code == 200, url
    assert "cdn" not in answer.text.lower() and "fonts.googleapis" not in answer.text


def test_swagger_ui_loads_its_bundle_and_stylesheet_from_the_app(client: TestClient):
    urls = urls_in(client.get("/docs").text)

    bundle = next(u for u in urls if u.endswith("swagger-ui-bundle.js"))
    assert "SwaggerUIBundle" in client.get(bundle).text
    assert any(u.endswith("swagger-ui.css") for u in urls)


def test_redoc_reads_the_specification_served_beside_it(client: TestClient):
    urls = urls_in(client.get("/redoc").text)

    assert "/openapi.json" in urls
    assert client.get("/openapi.json").json()["info"]["title"] == "Hoctap Ledger"
