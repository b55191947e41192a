"""Who is asking, what they may do, and protection against cross-site requests.

* **Sessions**: the ``wb_session`` cookie (random, HttpOnly, SameSite=Strict, Secure unless
  the server is told it runs without TLS on a loopback address) names a stored session.
* **API tokens**: ``Authorization: Bearer wb_…`` for scripts; no cookies, so no CSRF risk.
* **CSRF**: every state-changing request made with a session cookie must carry the session's
  CSRF token — the ``X-CSRF-Token`` header (htmx and fetch send it) or a ``csrf_token`` form
  field — compared in constant time. The login form uses a double-submit cookie
  (``wb_login``), since there is no session yet.
* **Roles**: viewer reads; analyst also changes assessments; admin also manages accounts and
  sees every case. Per-case access: a case a user was not given answers 404 (not 403), so its
  existence is not revealed.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request

from watchboard.errors import NotFoundError
from watchboard.jobs import accounts
from watchboard.jobs.accounts import Principal
from watchboard.jobs.assess import resolve_case
from watchboard.store import Store

SESSION_COOKIE = "wb_session"
LOGIN_COOKIE = "wb_login"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def store_of(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def principal_of(request: Request) -> Principal | None:
    """The signed-in user, or None (cached on the request)."""
    if hasattr(request.state, "principal"):
        cached: Principal | None = request.state.principal
        return cached
    store = store_of(request)
    found: Principal | None = None
    header = request.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        found = accounts.token_principal(store, header[7:].strip())
        if found is None:
            raise HTTPException(401, "invalid or revoked API token", {"WWW-Authenticate": "Bearer"})
    else:
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie:
            found = accounts.session_principal(store, cookie)
    request.state.principal = found
    return found


def current_user(request: Request) -> Principal:
    principal = principal_of(request)
    if principal is None:
        raise HTTPException(
            401,
            "sign in, or send an API token as 'Authorization: Bearer …'",
            {"WWW-Authenticate": "Bearer"},
        )
    return principal


async def csrf_token_of(request: Request) -> str | None:
    token = request.headers.get(CSRF_HEADER)
    if token:
        return token
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get("csrf_token")
        return value if isinstance(value, str) else None
    return None


async def check_csrf(request: Request, principal: Principal) -> None:
    if request.method in SAFE_METHODS or principal.via != "session":
        return
    sent = await csrf_token_of(request)
    if not sent or not principal.csrf or not hmac.compare_digest(sent, principal.csrf):
        raise HTTPException(403, "missing or wrong CSRF token; reload the page and try again")


async def writer(
    request: Request, principal: Annotated[Principal, Depends(current_user)]
) -> Principal:
    """An analyst or admin, with a valid CSRF token when signed in by cookie."""
    await check_csrf(request, principal)
    if not principal.can_change:
        raise HTTPException(403, f"a {principal.role} cannot change anything; ask an admin")
    return principal


async def admin(
    request: Request, principal: Annotated[Principal, Depends(current_user)]
) -> Principal:
    await check_csrf(request, principal)
    if not principal.is_admin:
        raise HTTPException(403, "only an admin can do this")
    return principal


def open_case(request: Request, principal: Principal, slug: str) -> tuple[int, str]:
    """A case the principal may open, else 404 (its existence is not revealed)."""
    with store_of(request).reading() as conn:
        try:
            case_id, found = resolve_case(conn, slug)
        except NotFoundError:
            raise HTTPException(404, f"no case {slug!r}") from None
    if not principal.can_open(case_id):
        raise HTTPException(404, f"no case {slug!r}")
    return case_id, found


def case_dependency(role: str = "reader") -> Callable[..., Any]:
    """A dependency giving (principal, case id, slug) for the ``slug`` path parameter."""

    async def dependency(request: Request, slug: str) -> tuple[Principal, int, str]:
        principal = current_user(request)
        if role == "writer":
            principal = await writer(request, principal)
        case_id, found = open_case(request, principal, slug)
        return principal, case_id, found

    return dependency
