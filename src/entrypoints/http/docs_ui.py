"""API documentation that works offline: Swagger UI from vendored assets, and the pages problem types name."""

from __future__ import annotations

import re
from pathlib import Path

from litestar import Response, get
from litestar.exceptions import NotFoundException
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme, Tag
from litestar.params import FromPath
from litestar.router import Router
from litestar.static_files import create_static_files_router

STATIC_DIR = Path(__file__).parent / "static"
STATIC_PATH = "/schema/assets"


def static_assets_router() -> Router:
    """Serve the vendored Swagger UI files."""
    return create_static_files_router(path=STATIC_PATH, directories=[STATIC_DIR], include_in_schema=False)


def openapi_config(version: str) -> OpenAPIConfig:
    """Return OpenAPI 3.1 at /schema/openapi.json with Swagger UI at /schema, bearer tokens declared."""
    swagger = SwaggerRenderPlugin(
        js_url=f"{STATIC_PATH}/swagger-ui-bundle.js",
        css_url=f"{STATIC_PATH}/swagger-ui.css",
        standalone_preset_js_url=f"{STATIC_PATH}/swagger-ui-standalone-preset.js",
        favicon=f"<link rel='icon' type='image/png' href='{STATIC_PATH}/favicon-32x32.png'>",
        path="/",
    )
    return OpenAPIConfig(
        title="IVR platform API",
        version=version,
        path="/schema",
        render_plugins=[swagger],
        components=Components(
            security_schemes={
                "BearerToken": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT"),
            }
        ),
        tags=[
            Tag(name="auth", description="Login, tokens and passwords"),
            Tag(name="users", description="Accounts, permissions and the sales hierarchy"),
            Tag(name="practices", description="Physician offices"),
            Tag(name="patients", description="Patients and their insurances (PHI)"),
            Tag(name="health", description="Liveness and readiness"),
        ],
    )


def _problem_docs() -> Path:
    # A wheel carries the pages beside this module; a source checkout (editable install) has them in docs/.
    packaged = Path(__file__).parent / "problem_docs"
    return packaged if packaged.is_dir() else Path(__file__).parents[3] / "docs" / "problems"


PROBLEM_DOCS = _problem_docs()


@get("/docs/problems/{code:str}", include_in_schema=False, sync_to_thread=False)
def problem_page(code: FromPath[str]) -> Response[bytes]:
    """Serve the page a problem's `type` URI names: what the problem means and what a client should do."""
    page = PROBLEM_DOCS / f"{code}.md"
    if not re.fullmatch(r"[a-z_]{1,64}", code) or not page.is_file():
        raise NotFoundException(f"no page about a problem called {code!r}")
    return Response(page.read_bytes(), media_type="text/markdown")
