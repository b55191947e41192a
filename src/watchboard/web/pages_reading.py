"""Reading a case: its documents (the reader, with every claim's span highlighted), the claims
table with facets, a claim's fields and grade, and the analyst's correction of a claim."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import pairwise
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import func, select

from watchboard import jobs
from watchboard.errors import WatchboardError
from watchboard.jobs import assess as assess_jobs
from watchboard.jobs import review
from watchboard.model.claim import MODALITIES
from watchboard.store import assessment as assess_q
from watchboard.store import claims as claim_q
from watchboard.store.schema import (
    claim_corrections,
    claims,
    document_versions,
    documents,
    sources,
)
from watchboard.web.api import case_of_claim, claim_out, decode_cursor, encode_cursor
from watchboard.web.pages_common import (
    CaseEdit,
    CaseRead,
    CaseView,
    is_fragment,
    redirect,
    safe_path,
    show,
    without_controls,
)
from watchboard.web.security import store_of

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50


# -- documents -----------------------------------------------------------------------------------


@router.get("/cases/{slug}/documents", response_class=HTMLResponse)
def document_list(
    request: Request,
    case: CaseRead,
    source: Annotated[str | None, Query(max_length=200)] = None,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> Response:
    store = store_of(request)
    docs = jobs.list_documents(
        store, case=case.slug, source=source or None, limit=PAGE_SIZE + 1, offset=offset
    )
    with store.reading() as conn:
        counts: dict[str, int] = dict(
            conn.execute(
                select(claims.c.document_id, func.count())
                .join(documents, documents.c.id == claims.c.document_id)
                .where(documents.c.case_id == case.case_id)
                .group_by(claims.c.document_id)
            ).all()
        )
        outlets = _case_outlets(conn, case.case_id)
    return show(
        request,
        "documents.html",
        {
            "documents": docs[:PAGE_SIZE],
            "claim_counts": counts,
            "outlets": outlets,
            "source": source or "",
            "offset": offset,
            "more": len(docs) > PAGE_SIZE,
            "page_size": PAGE_SIZE,
        },
        case=case,
        nav="documents",
    )


def _case_outlets(conn: Any, case_id: int) -> list[str]:
    rows = conn.execute(
        select(sources.c.name)
        .distinct()
        .join(document_versions, document_versions.c.source_id == sources.c.id)
        .join(documents, documents.c.id == document_versions.c.document_id)
        .where(documents.c.case_id == case_id)
        .order_by(sources.c.name)
    )
    return [name for (name,) in rows]


def _document_in_case(request: Request, case: CaseView, doc_id: str) -> str:
    with store_of(request).reading() as conn:
        found = conn.execute(select(documents.c.case_id).where(documents.c.id == doc_id)).first()
    if found is None or found[0] != case.case_id:
        raise HTTPException(404, f"no document {doc_id!r} in this case")
    return doc_id


@dataclass(frozen=True)
class Segment:
    """A run of a document's text covered by the same claims (none: plain text).

    ``claims`` holds every claim whose span covers the run, innermost (shortest) first, so
    overlapping spans stay visible: the run of an overlap is marked once, names all of them,
    and opens the most specific one.
    """

    start: int
    end: int
    text: str
    claims: tuple[dict[str, Any], ...] = ()


def segments(text: str, spans: list[dict[str, Any]]) -> list[Segment]:
    """Cut ``text`` at every claim boundary; each run lists the claims covering it."""
    usable = [c for c in spans if 0 <= c["start"] < c["end"] <= len(text)]
    cuts = sorted({0, len(text)} | {c["start"] for c in usable} | {c["end"] for c in usable})
    out = []
    for a, b in pairwise(cuts):
        covering = sorted(
            (c for c in usable if c["start"] <= a and b <= c["end"]),
            key=lambda c: (c["end"] - c["start"], c["start"], c["id"]),
        )
        out.append(Segment(a, b, text[a:b], tuple(covering)))
    return out


@router.get("/cases/{slug}/documents/{doc_id}", response_class=HTMLResponse)
def reader(
    request: Request,
    doc_id: str,
    case: CaseRead,
    version: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    claim: Annotated[str | None, Query(max_length=16)] = None,
) -> Response:
    store = store_of(request)
    _document_in_case(request, case, doc_id)
    doc = jobs.show_document(store, doc_id, version=version)
    with store.reading() as conn:
        rows = claim_q.query(conn, document_id=doc.id)
        fixes = review.corrections_for(conn, [r["id"] for r in rows])
    spans = [claim_out(r, fixes.get(r["id"])) for r in rows if r["version"] == doc.version]
    extracted = sorted({r["version"] for r in rows})
    versions = jobs.document_versions(store, doc.id) if doc.versions > 1 else []
    selected = None
    if claim and any(c["id"] == claim for c in spans):
        selected = claim_details(request, case, claim)
    return show(
        request,
        "reader.html",
        {
            "doc": doc,
            "segments": segments(doc.text, spans),
            "claims": sorted(spans, key=lambda c: c["start"]),
            "extracted": extracted,
            "versions": versions,
            "selected": selected,
            **_form_choices(),
        },
        case=case,
        nav="documents",
    )


@router.get("/cases/{slug}/documents/{doc_id}/diff", response_class=HTMLResponse)
def document_diff(
    request: Request,
    doc_id: str,
    case: CaseRead,
    old: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    new: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> Response:
    _document_in_case(request, case, doc_id)
    diff = jobs.diff_document(store_of(request), doc_id, old=old, new=new)
    return show(request, "diff.html", {"diff": diff}, case=case, nav="documents")


# -- claims --------------------------------------------------------------------------------------


@router.get("/cases/{slug}/claims", response_class=HTMLResponse)
def claim_list(
    request: Request,
    case: CaseRead,
    q: Annotated[str | None, Query(max_length=200)] = None,
    modality: Annotated[str | None, Query(max_length=40)] = None,
    event_type: Annotated[str | None, Query(max_length=40)] = None,
    max_credibility: Annotated[str | None, Query(max_length=2)] = None,
    source: Annotated[str | None, Query(max_length=200)] = None,
    cursor: Annotated[str | None, Query(max_length=400)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = PAGE_SIZE,
) -> Response:
    # Empty facets come from the form's "any" options; unknown values simply match nothing.
    q, source = without_controls(q), without_controls(source)
    most = int(max_credibility) if max_credibility and max_credibility.isdigit() else None
    filters = {
        "q": q or "",
        "modality": modality or "",
        "event_type": event_type or "",
        "max_credibility": str(most) if most else "",
        "source": source or "",
    }
    with store_of(request).reading() as conn:
        rows = claim_q.page(
            conn,
            case_id=case.case_id,
            after=decode_cursor(cursor),
            limit=limit,
            source=source or None,
            modality=modality or None,
            event_type=event_type or None,
            max_credibility=most,
            text=q or None,
        )
        fixes = review.corrections_for(conn, [r["id"] for r in rows])
        outlets = _case_outlets(conn, case.case_id)
    items = [claim_out(r, fixes.get(r["id"])) for r in rows]
    query = {k: v for k, v in filters.items() if v}
    if limit != PAGE_SIZE:
        query["limit"] = str(limit)
    first_url = f"{request.url.path}?{urlencode(query)}"
    next_url = None
    if len(rows) == limit:
        next_url = (
            f"{request.url.path}?{urlencode({**query, 'cursor': encode_cursor(rows[-1]['id'])})}"
        )
    context = {
        "items": items,
        "filters": filters,
        "next_url": next_url,
        "first_url": first_url,
        "paged": bool(cursor),
        "outlets": outlets,
        **_form_choices(),
    }
    if is_fragment(request, "claims-results"):
        return show(
            request,
            "_claims_results.html",
            context,
            case=case,
            fragment=True,
            headers={"Vary": "HX-Request"},
        )
    return show(
        request, "claims.html", context, case=case, nav="claims", headers={"Vary": "HX-Request"}
    )


def _form_choices() -> dict[str, Any]:
    return {"modalities": MODALITIES, "event_types": assess_jobs.event_types()}


def claim_details(request: Request, case: CaseView, claim_id: str) -> dict[str, Any]:
    """A claim of this case with corrections applied, its assessment and findings (else 404)."""
    row = case_of_claim(request, case.principal, claim_id)
    if row["case_id"] != case.case_id:
        raise HTTPException(404, f"no claim {claim_id!r} in this case")
    fixes = row.pop("_fixes")
    out = claim_out(row, fixes)
    out["data"] = review.correct_data(row["data"], fixes)
    out["assessment"] = assess_jobs.claim_assessment(store_of(request), row["id"])
    out["graded_before_correction"] = False
    if fixes and out["assessment"]:
        with store_of(request).reading() as conn:
            corrected_at = conn.execute(
                select(func.max(claim_corrections.c.at)).where(
                    claim_corrections.c.claim_id == row["id"]
                )
            ).scalar()
        if corrected_at is not None:
            out["graded_before_correction"] = _utc(out["assessment"]["assessed_at"]) < _utc(
                corrected_at
            )
    return out


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _claim_history(request: Request, claim_id: str) -> list[dict[str, Any]]:
    with store_of(request).reading() as conn:
        entries = assess_q.audit_entries(conn, action="claim.correct", target=claim_id)
        entries += assess_q.audit_entries(conn, action="claim.credibility", target=claim_id)
    return sorted(entries, key=lambda e: (e["at"], e["id"]), reverse=True)


@router.get("/cases/{slug}/claims/{claim_id}/panel", response_class=HTMLResponse)
def claim_panel(request: Request, claim_id: str, case: CaseRead) -> Response:
    """The claim's fields as an HTML fragment for the reader's side panel."""
    return show(
        request,
        "_claim_panel.html",
        {"claim": claim_details(request, case, claim_id), "panel": True, **_form_choices()},
        case=case,
        fragment=True,
    )


@router.get("/cases/{slug}/claims/{claim_id}", response_class=HTMLResponse)
def claim_page(request: Request, claim_id: str, case: CaseRead) -> Response:
    claim = claim_details(request, case, claim_id)
    return show(
        request,
        "claim.html",
        {
            "claim": claim,
            "panel": False,
            "history": _claim_history(request, claim["id"]),
            **_form_choices(),
        },
        case=case,
        nav="claims",
    )


@router.post("/cases/{slug}/claims/{claim_id}/correct")
def correct_claim(
    request: Request,
    claim_id: str,
    case: CaseEdit,
    reason: Annotated[str, Form(max_length=2000)] = "",
    modality: Annotated[str, Form(max_length=40)] = "",
    event_type: Annotated[str, Form(max_length=40)] = "",
    asserted_by: Annotated[str, Form(max_length=200)] = "",
    source_identified: Annotated[str, Form(max_length=5)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    claim = claim_details(request, case, claim_id)
    back = safe_path(next, f"{case.base}/claims/{claim['id']}")
    changes: dict[str, Any] = {}
    if modality:
        changes["modality"] = modality
    if event_type:
        changes["event_type"] = None if event_type == "-" else event_type
    if asserted_by.strip():
        changes["asserted_by"] = asserted_by
    if source_identified in ("yes", "no"):
        changes["source_identified"] = source_identified == "yes"
    if not reason.strip():
        return redirect(request, back, error="Give a reason for the correction.")
    try:
        result = review.correct_claim(
            store_of(request),
            claim["id"],
            changes,
            reason=reason,
            actor=case.principal.username,
        )
    except WatchboardError as exc:
        return redirect(request, back, error=f"Not corrected: {exc}")
    changed = result["changed"]
    if not changed:
        return redirect(request, back, done="Nothing changed: the claim already had those values.")
    said = "; ".join(
        f"{field.replace('_', ' ')} {_shown(c['before'])} → {_shown(c['after'])}"
        for field, c in changed.items()
    )
    return redirect(request, back, done=f"Corrected claim {claim['id']}: {said}.")


def _shown(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value).replace("_", " ")
