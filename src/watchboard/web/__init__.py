"""The web workbench and REST API: ``create_app(settings)`` gives the FastAPI application.

``watchboard serve`` runs it with uvicorn. Layout: ``api.py`` (``/api/v1``, JSON), ``pages.py``
(server-rendered pages with Jinja2 and htmx), ``auth.py`` (sign in and out), ``security.py``
(sessions, tokens, roles, CSRF), ``problems.py`` (RFC 9457 errors). Every asset is served by the
app itself from ``static/`` (third-party files vendored by ``scripts/vendor_web_assets.py``);
the interactive API docs at ``/api/docs`` use the vendored Swagger UI, so they load offline.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from importlib import resources
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.staticfiles import StaticFiles

from watchboard import __version__
from watchboard.config import Settings
from watchboard.store import Store
from watchboard.web import problems

#: Pages may load only what the app serves; inline styles are needed by SVG charts and Leaflet.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'self'; object-src 'none'"
)


def create_app(
    settings: Settings, *, store: Store | None = None, secure_cookies: bool = True
) -> FastAPI:
    """The application for a workspace. ``secure_cookies=False`` only for plain-HTTP
    development on a loopback address (``watchboard serve --insecure-cookies``)."""
    owned = store is None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        if owned:
            app.state.store.close()

    app = FastAPI(
        title="Watchboard",
        version=__version__,
        summary="Sourced claims, grades, milestones, indicators and alerts for a declared "
        "programme, from open sources.",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.store = store or Store.open(settings.database_url)
    app.state.secure_cookies = secure_cookies

    static = resources.files("watchboard.web") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")

    from watchboard.web import api, auth, pages

    problems.install(app, html_error=pages.error_page)
    app.include_router(api.router)
    app.include_router(auth.router)
    app.include_router(pages.router)

    @app.get("/api/docs", include_in_schema=False)
    def api_docs() -> Any:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/api/v1/openapi.json",
            title="Watchboard API",
            swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/vendor/swagger-ui/favicon-32x32.png",
            swagger_ui_parameters={"validatorUrl": None, "tryItOutEnabled": True},
        )

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "no-referrer")
        headers.setdefault("X-Frame-Options", "DENY")
        if request.url.path == "/api/docs":
            # Swagger UI runs an inline bootstrap script.
            headers.setdefault(
                "Content-Security-Policy",
                CONTENT_SECURITY_POLICY.replace(
                    "script-src 'self'", "script-src 'self' 'unsafe-inline'"
                ),
            )
        else:
            headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response

    from watchboard.web.guard import InputGuard

    app.add_middleware(InputGuard)
    return app


__all__ = ["create_app"]
