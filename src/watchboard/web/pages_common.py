"""What every workbench page shares: who is asking, the case being looked at, rendering with
the case's navigation and a flash message, and redirect-after-post.

A change made through a form answers ``303 See Other`` to the page to show next and leaves a
one-shot flash message in the ``wb_flash`` cookie (HttpOnly, SameSite=Strict): the next page
rendered shows it and clears it. Kept in a cookie rather than the URL, so a link cannot make
the workbench display a message it never wrote.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import func, select

from watchboard.jobs.accounts import Principal
from watchboard.store.schema import alerts, cases
from watchboard.web.security import open_case, principal_of, store_of, writer
from watchboard.web.templating import render

FLASH_COOKIE = "wb_flash"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

#: The case navigation: (key, label, path under /cases/{slug}).
CASE_NAV = (
    ("overview", "Overview", ""),
    ("documents", "Documents", "/documents"),
    ("claims", "Claims", "/claims"),
    ("map", "Map", "/map"),
    ("timeline", "Timeline", "/timeline"),
    ("milestones", "Milestones", "/milestones"),
    ("indicators", "Indicators", "/indicators"),
    ("alerts", "Alerts", "/alerts"),
    ("entities", "Entities", "/entities"),
    ("audit", "Audit", "/audit"),
    ("brief", "Brief", "/brief"),
)

#: Information credibility (Admiralty code) in words, for labels and legends.
CREDIBILITY_WORDS = {
    1: "confirmed",
    2: "probably true",
    3: "possibly true",
    4: "doubtful",
    5: "improbable",
    6: "cannot be judged",
}
RELIABILITY_WORDS = {
    "A": "completely reliable",
    "B": "usually reliable",
    "C": "fairly reliable",
    "D": "not usually reliable",
    "E": "unreliable",
    "F": "reliability cannot be judged",
}
MILESTONE_STATUSES = ("pending", "due", "achieved", "overdue", "contradicted")


@dataclass(frozen=True)
class CaseView:
    """A case the signed-in user may open, as the pages need it."""

    principal: Principal
    case_id: int
    slug: str
    title: str
    open_alerts: int

    @property
    def base(self) -> str:
        return f"/cases/{self.slug}"


def page_user(request: Request) -> Principal:
    """The signed-in user; otherwise a 401 that the HTML error handler turns into a redirect
    to the login form."""
    principal = principal_of(request)
    if principal is None:
        raise HTTPException(401, "sign in")
    return principal


async def page_writer(request: Request) -> Principal:
    """An analyst or admin posting a form with the session's CSRF token (else 403).

    Fields holding control characters other than tab and newlines are refused (422): no
    one types them, and PostgreSQL cannot store a NUL in text."""
    principal = await writer(request, page_user(request))
    form = await request.form()
    for value in form.values():
        if isinstance(value, str) and _CONTROL.search(value):
            raise HTTPException(422, "a form field holds a control character; retype it")
    return principal


def without_controls(text: str | None) -> str:
    """A query parameter with control characters dropped (search boxes, filters)."""
    return _CONTROL.sub("", text or "")


def _case_view(request: Request, principal: Principal, slug: str) -> CaseView:
    case_id, found = open_case(request, principal, slug)
    with store_of(request).reading() as conn:
        title = conn.execute(select(cases.c.title).where(cases.c.id == case_id)).scalar_one()
        open_alerts = conn.execute(
            select(func.count())
            .select_from(alerts)
            .where(alerts.c.case_id == case_id, alerts.c.acknowledged_at.is_(None))
        ).scalar_one()
    return CaseView(principal, case_id, found, title, int(open_alerts))


def case_reader(request: Request, slug: str) -> CaseView:
    """The case in the path, for a user given it (else 404, its existence not revealed)."""
    return _case_view(request, page_user(request), slug)


async def case_writer(request: Request, slug: str) -> CaseView:
    """The case in the path, for an analyst or admin given it, with a valid CSRF token."""
    principal = await page_writer(request)
    return _case_view(request, principal, slug)


User = Annotated[Principal, Depends(page_user)]
Editor = Annotated[Principal, Depends(page_writer)]
CaseRead = Annotated[CaseView, Depends(case_reader)]
CaseEdit = Annotated[CaseView, Depends(case_writer)]


# -- flash messages and redirect-after-post ------------------------------------------------------


def _flash_of(request: Request) -> dict[str, str] | None:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return None
    try:
        kind, text = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        return None
    if kind not in ("done", "error") or not isinstance(text, str):
        return None
    return {"kind": kind, "text": text}


def safe_path(target: str | None, default: str) -> str:
    """``target`` when it is a path on this site, else ``default`` (no open redirects)."""
    if (
        not target
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or any(ord(ch) < 32 for ch in target)
    ):
        return default
    return target


def redirect(
    request: Request, url: str, *, done: str | None = None, error: str | None = None
) -> RedirectResponse:
    """303 to ``url`` with a one-shot message for the page shown there."""
    response = RedirectResponse(url, status_code=303)
    kind, text = ("error", error) if error is not None else ("done", done)
    if text:
        value = json.dumps([kind, text[:500]], ensure_ascii=False).encode()
        response.set_cookie(
            FLASH_COOKIE,
            base64.urlsafe_b64encode(value).decode().rstrip("="),
            httponly=True,
            samesite="strict",
            secure=request.app.state.secure_cookies,
            path="/",
        )
    return response


# -- rendering -----------------------------------------------------------------------------------


def day(value: Any) -> str:
    """A date (or datetime, or ISO text) as YYYY-MM-DD; "—" when unknown."""
    if value is None or value == "":
        return "—"
    if isinstance(value, datetime | date):
        return value.strftime("%Y-%m-%d")
    return str(value)[:10]


def when(value: Any) -> str:
    """A time as YYYY-MM-DD HH:MM (UTC as stored); "—" when unknown."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return day(value)


def label(value: Any) -> str:
    """A taxonomy key for people: ``under_way`` → "under way"; None → "—"."""
    if value is None or value == "":
        return "—"
    return str(value).replace("_", " ")


def credibility_class(credibility: Any) -> str:
    """The brief's credibility classes (high 1–2, medium 3, low 4–6, ungraded)."""
    if not isinstance(credibility, int):
        return "ungraded"
    return "high" if credibility <= 2 else "medium" if credibility == 3 else "low"


def compact(value: Any) -> str:
    """A before/after value of an audit entry as short text."""
    if value is None:
        return "—"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {compact(v)}" for k, v in value.items()) or "—"
    if isinstance(value, list | tuple):
        return ", ".join(compact(v) for v in value) or "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


HELPERS = {
    "day": day,
    "when": when,
    "label": label,
    "cred_class": credibility_class,
    "cred_words": CREDIBILITY_WORDS,
    "rel_words": RELIABILITY_WORDS,
    "compact": compact,
}


def show(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    case: CaseView | None = None,
    nav: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    fragment: bool = False,
) -> HTMLResponse:
    """Render a page with the case navigation, helpers and any flash message (which it
    clears); a ``fragment`` for htmx leaves the flash message for the next page."""
    flash = None if fragment else _flash_of(request)
    principal = principal_of(request)
    response = render(
        request,
        template,
        {
            "case": case,
            "case_nav": CASE_NAV,
            "nav": nav,
            "flash": flash,
            "h": HELPERS,
            "can_change": principal is not None and principal.can_change,
            **(context or {}),
        },
        status_code=status_code,
        headers=headers,
    )
    if not fragment and FLASH_COOKIE in request.cookies:
        response.delete_cookie(FLASH_COOKIE, path="/")
    return response


def is_fragment(request: Request, target: str) -> bool:
    """Whether htmx asked for just the element ``target`` (not a history restore)."""
    return (
        request.headers.get("hx-request") == "true"
        and request.headers.get("hx-target") == target
        and "hx-history-restore-request" not in request.headers
    )
