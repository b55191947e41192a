"""The registries analysts curate: sources with their grades, a case's entities (merge and
split), and the audit log of every change, with a revert for the reversible ones.

The audit pages only read the log; the one form on them (Revert) writes a new entry, as the
API's revert does, so no page edits or deletes an entry.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from watchboard.errors import WatchboardError
from watchboard.jobs import assess as assess_jobs
from watchboard.jobs import review
from watchboard.jobs.accounts import Principal
from watchboard.store import cases as case_q
from watchboard.store.schema import audit_log
from watchboard.web.api import check_regrade, visible_sources
from watchboard.web.pages_common import (
    RELIABILITY_WORDS,
    CaseEdit,
    CaseRead,
    CaseView,
    Editor,
    User,
    redirect,
    safe_path,
    show,
)
from watchboard.web.security import store_of

router = APIRouter(include_in_schema=False)

AUDIT_PAGE = 50


# -- sources -------------------------------------------------------------------------------------


@router.get("/sources", response_class=HTMLResponse)
def source_registry(request: Request, user: User) -> Response:
    return show(
        request,
        "sources.html",
        {"sources": visible_sources(request, user), "grades": RELIABILITY_WORDS},
        nav="sources",
    )


@router.post("/sources/regrade")
def regrade_source(
    request: Request,
    user: Editor,
    name: Annotated[str, Form(max_length=200)] = "",
    reliability: Annotated[str, Form(max_length=1)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    back = "/sources"
    if reliability.upper() not in RELIABILITY_WORDS:
        return redirect(request, back, error="Choose a reliability grade A–F.")
    if not reason.strip():
        return redirect(request, back, error=f"Give a reason for regrading {name}.")
    check_regrade(request, user, name)
    try:
        result = assess_jobs.regrade_source(
            store_of(request), name, reliability, reason=reason, actor=user.username
        )
    except WatchboardError as exc:
        return redirect(request, back, error=f"Not regraded: {exc}")
    if result["before"] == result["after"]:
        return redirect(request, back, done=f"{result['source']} already had grade {reliability}.")
    return redirect(
        request,
        back,
        done=f"Regraded {result['source']}: {result['before']} → {result['after']}. "
        "Claims are graded again at the next assessment.",
    )


# -- entities ------------------------------------------------------------------------------------


@router.get("/cases/{slug}/entities", response_class=HTMLResponse)
def entities(request: Request, case: CaseRead) -> Response:
    rows = review.list_entities(store_of(request), case.slug)
    return show(request, "entities.html", {"entities": rows}, case=case, nav="entities")


@router.post("/cases/{slug}/entities/merge")
def merge_entities(
    request: Request,
    case: CaseEdit,
    alias: Annotated[str, Form(max_length=200)] = "",
    canonical: Annotated[str, Form(max_length=200)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    back = f"{case.base}/entities"
    try:
        result = review.merge_entity(
            store_of(request),
            alias,
            canonical,
            case=case.slug,
            reason=reason,
            actor=case.principal.username,
        )
    except WatchboardError as exc:
        return redirect(request, back, error=f"Not merged: {exc}")
    return redirect(request, back, done=f"Merged {result['alias']} into {result['canonical']}.")


@router.post("/cases/{slug}/entities/split")
def split_entity(
    request: Request,
    case: CaseEdit,
    alias: Annotated[str, Form(max_length=200)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    back = f"{case.base}/entities"
    try:
        result = review.split_entity(
            store_of(request), alias, case=case.slug, reason=reason, actor=case.principal.username
        )
    except WatchboardError as exc:
        return redirect(request, back, error=f"Not split: {exc}")
    return redirect(
        request,
        back,
        done=f"Split {result['alias']} from {result['before']}: its own entity again.",
    )


# -- audit ---------------------------------------------------------------------------------------


def _audit_rows(
    request: Request, principal: Principal, case: CaseView | None, before: int | None
) -> list[dict[str, Any]]:
    with store_of(request).reading() as conn:
        q = select(audit_log).order_by(audit_log.c.id.desc()).limit(AUDIT_PAGE)
        if case is not None:
            q = q.where(audit_log.c.case_id == case.case_id)
        elif not principal.is_admin:
            q = q.where(audit_log.c.case_id.in_(sorted(principal.case_ids or ())))
        if before is not None:
            q = q.where(audit_log.c.id < before)
        rows = [dict(r._mapping) for r in conn.execute(q)]
        slugs = case_q.slugs(conn)
    for row in rows:
        row["case_slug"] = slugs.get(row["case_id"]) if row["case_id"] is not None else None
        row["revertible"] = _revert_refusal(principal, row) is None
    return rows


def _revert_refusal(principal: Principal, row: dict[str, Any]) -> tuple[int, str] | None:
    """Why this user may not revert this entry (a status and a message), or None."""
    if not principal.can_change:
        return 403, f"a {principal.role} cannot change anything; ask an admin"
    if row["action"] not in review.REVERSIBLE:
        return 409, f"a {row['action']} entry cannot be reverted"
    # A change that belongs to no case (a source's grade) is an admin's to undo, as in the API.
    if row["case_id"] is None and not principal.is_admin:
        return 403, "only an admin can revert a change that belongs to no case"
    return None


def _audit_page(
    request: Request, principal: Principal, case: CaseView | None, before: int | None
) -> Response:
    rows = _audit_rows(request, principal, case, before)
    return show(
        request,
        "audit.html",
        {
            "entries": rows,
            "next_before": rows[-1]["id"] if len(rows) == AUDIT_PAGE else None,
            "paged": before is not None,
            "reversible": review.REVERSIBLE,
        },
        case=case,
        nav="audit",
    )


@router.get("/audit", response_class=HTMLResponse)
def audit(
    request: Request, user: User, before: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None
) -> Response:
    return _audit_page(request, user, None, before)


@router.get("/cases/{slug}/audit", response_class=HTMLResponse)
def case_audit(
    request: Request,
    case: CaseRead,
    before: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> Response:
    return _audit_page(request, case.principal, case, before)


@router.post("/audit/{entry_id}/revert")
def revert(
    request: Request,
    entry_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    user: Editor,
    reason: Annotated[str, Form(max_length=2000)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    store = store_of(request)
    with store.reading() as conn:
        row = conn.execute(select(audit_log).where(audit_log.c.id == entry_id)).first()
    entry = dict(row._mapping) if row is not None else None
    if entry is None or (entry["case_id"] is not None and not user.can_open(entry["case_id"])):
        raise HTTPException(404, f"no audit entry {entry_id}")
    refusal = _revert_refusal(user, entry)
    if refusal is not None:
        raise HTTPException(*refusal)
    back = safe_path(next, "/audit")
    if not reason.strip():
        return redirect(request, back, error=f"Give a reason for reverting entry {entry_id}.")
    try:
        result = review.revert(store, entry_id, reason=reason, actor=user.username)
    except WatchboardError as exc:
        return redirect(request, back, error=f"Not reverted: {exc}")
    return redirect(
        request,
        back,
        done=f"Reverted entry {result['reverted']} ({result['action']} of {result['target']}); "
        "the revert is a new entry.",
    )
