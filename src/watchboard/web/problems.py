"""Errors as RFC 9457 problem details (``application/problem+json``), for every API error.

Pages get the same information as an HTML error page (see ``pages.py``); the API always
answers with ``{"type", "title", "status", "detail", "instance"}`` and, for validation errors,
``errors`` listing each bad field. Unexpected errors are logged and answered with a 500 that
says nothing about the internals.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from watchboard.errors import (
    CaseFileError,
    InputError,
    NotFoundError,
    StoreError,
    WatchboardError,
    WorkspaceError,
)

log = logging.getLogger(__name__)

PROBLEM = "application/problem+json"
TITLES = {
    400: "Bad request",
    401: "Not signed in",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    412: "Precondition failed",
    413: "Too large",
    415: "Unsupported media type",
    422: "Invalid input",
    429: "Too many requests",
    500: "Internal error",
    503: "Unavailable",
}


def problem(
    status: int,
    detail: str,
    *,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def status_of(error: WatchboardError) -> int:
    if isinstance(error, NotFoundError):
        return 404
    if isinstance(error, InputError | CaseFileError):
        return 422
    if isinstance(error, StoreError | WorkspaceError):
        return 503
    return 422


def wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get(
        "accept", ""
    )


def install(app: FastAPI, html_error: Any = None) -> None:
    """Register the handlers; ``html_error(request, status, detail)`` renders page errors."""

    def respond(request: Request, status: int, detail: str, **kw: Any) -> Any:
        if html_error is not None and wants_html(request):
            return html_error(request, status, detail, headers=kw.get("headers"))
        return problem(status, detail, instance=request.url.path, **kw)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Any:
        headers = dict(exc.headers) if exc.headers else None
        detail = exc.detail if isinstance(exc.detail, str) else TITLES.get(exc.status_code, "")
        return respond(request, exc.status_code, detail, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Any:
        errors = [
            {
                "field": ".".join(str(p) for p in e.get("loc", ()) if p != "body"),
                "message": str(e.get("msg", "")),
            }
            for e in exc.errors()
        ]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or "invalid input"
        return respond(request, 422, detail, errors=errors)

    @app.exception_handler(WatchboardError)
    async def watchboard_error(request: Request, exc: WatchboardError) -> Any:
        return respond(request, status_of(exc), str(exc))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Any:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return respond(request, 500, "an unexpected error occurred; it has been logged")
