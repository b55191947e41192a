"""Signing in and out of the workbench.

The login form is protected against cross-site submission by a double-submit token: GET
/login sets a random ``wb_login`` cookie and puts the same value in the form; POST /login
accepts only when both match. A successful login starts a new session (a fresh random cookie,
so a planted session id is useless) and sends the user where they were going — only to a path
on this site.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from watchboard.jobs import accounts
from watchboard.web.security import LOGIN_COOKIE, SESSION_COOKIE, check_csrf, principal_of, store_of
from watchboard.web.templating import render

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None, error: str | None = None) -> Response:
    token = secrets.token_urlsafe(24)
    response = render(
        request,
        "login.html",
        {"login_token": token, "next": _safe_next(next), "error": error},
        status_code=401 if error else 200,
    )
    response.set_cookie(
        LOGIN_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=request.app.state.secure_cookies,
        max_age=3600,
        path="/login",
    )
    return response


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    username: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=1000)],
    login_token: Annotated[str, Form(max_length=100)],
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    cookie = request.cookies.get(LOGIN_COOKIE, "")
    if not cookie or not hmac.compare_digest(cookie, login_token):
        raise HTTPException(403, "the login form expired or came from another site; reload it")
    store = store_of(request)
    try:
        user = accounts.login(store, username, password, client=_client(request))
    except accounts.RateLimited as exc:
        raise HTTPException(429, str(exc), {"Retry-After": str(exc.retry_after)}) from None
    except accounts.LoginError as exc:
        return login_form(request, next=next, error=str(exc))
    session, _csrf, expires = accounts.open_session(store, user["id"])
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        session,
        httponly=True,
        samesite="strict",
        secure=request.app.state.secure_cookies,
        expires=expires,
        path="/",
    )
    response.delete_cookie(LOGIN_COOKIE, path="/login")
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    principal = principal_of(request)
    if principal is not None:
        await check_csrf(request, principal)
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie:
            accounts.close_session(store_of(request), cookie)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
