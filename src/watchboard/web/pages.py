"""The workbench's pages: server-rendered HTML (Jinja2) with htmx for small interactions.

Every page needs a signed-in user (else a redirect to /login); case pages answer 404 for a
case the user was not given. Forms that change something post to the same routes as the API's
logic (``watchboard.jobs``) and carry the session's CSRF token.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from watchboard.jobs.accounts import Principal
from watchboard.store import cases as case_q
from watchboard.web.problems import TITLES
from watchboard.web.security import principal_of, store_of
from watchboard.web.templating import render

router = APIRouter(include_in_schema=False)


class SignInRequired(Exception):
    pass


def error_page(
    request: Request, status: int, detail: str, headers: dict[str, str] | None = None
) -> Response:
    if status == 401:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
    return render(
        request,
        "error.html",
        {"status": status, "title": TITLES.get(status, "Error"), "detail": detail},
        status_code=status,
        headers=headers,
    )


def page_user(request: Request) -> Principal:
    from fastapi import HTTPException

    principal = principal_of(request)
    if principal is None:
        raise HTTPException(401, "sign in")
    return principal


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    principal = page_user(request)
    with store_of(request).reading() as conn:
        rows = case_q.summaries(conn)
        ids = {slug: case_id for case_id, slug in case_q.slugs(conn).items()}
    cases: list[dict[str, Any]] = [r for r in rows if principal.can_open(ids[r["slug"]])]
    return render(request, "home.html", {"cases": cases})
