"""Jinja2 for the workbench's pages: one environment, autoescaping, the CSRF token and the
signed-in user in every template."""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse

from watchboard import __version__
from watchboard.report.brief import number


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("watchboard.web", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["day"] = lambda d: d.strftime("%Y-%m-%d") if d else "—"
    env.filters["when"] = lambda d: d.strftime("%Y-%m-%d %H:%M") if d else "—"
    env.filters["num"] = lambda v: "—" if v is None else number(float(v))
    env.globals["version"] = __version__
    return env


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    principal = getattr(request.state, "principal", None)
    page = (
        environment()
        .get_template(template)
        .render(
            request=request,
            user=principal,
            csrf_token=principal.csrf if principal is not None else None,
            **(context or {}),
        )
    )
    return HTMLResponse(page, status_code=status_code, headers=headers)
