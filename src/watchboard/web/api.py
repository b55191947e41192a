"""The REST API, ``/api/v1``: everything the workbench shows and changes, for scripts too.

Reads answer with an ``ETag`` (a hash of the body) and honour ``If-None-Match`` with 304.
Lists are paged with an opaque cursor (``next_cursor``; also a ``Link: rel="next"`` header).
Errors are RFC 9457 problem details (``problems.py``). Changes need the analyst or admin role,
write an audit entry (who, when, before, after, why) in the same transaction, and can be
reverted through ``POST /api/v1/audit/{id}/revert``; the audit log itself has no route that
changes or deletes an entry.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from fastapi.security import HTTPBearer
from pydantic import BaseModel, Field
from sqlalchemy import func, select

from watchboard import jobs
from watchboard.errors import NotFoundError
from watchboard.jobs import accounts as account_jobs
from watchboard.jobs import assess as assess_jobs
from watchboard.jobs import brief as brief_jobs
from watchboard.jobs import indicators as indicator_jobs
from watchboard.jobs import review
from watchboard.jobs.accounts import Principal
from watchboard.model.claim import MODALITIES
from watchboard.store import accounts as account_q
from watchboard.store import assessment as assess_q
from watchboard.store import cases as case_q
from watchboard.store import claims as claim_q
from watchboard.store import observations as obs_q
from watchboard.store.documents import escape_like
from watchboard.store.schema import audit_log, claims, document_versions, documents, sources
from watchboard.web.security import admin, case_dependency, current_user, store_of, writer


class Problem(BaseModel):
    """An error (RFC 9457 problem details), sent as ``application/problem+json``."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[dict[str, str]] | None = Field(
        default=None, description="For invalid input: each bad field and why"
    )


def _problem_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/problem+json": {"schema": Problem.model_json_schema()}},
    }


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _problem_response("Bad request (e.g. a cursor this server did not give out)"),
    401: _problem_response("Not signed in, or an invalid API token"),
    403: _problem_response("Not allowed for your role, or a missing CSRF token"),
    404: _problem_response("No such thing, or a case you were not given"),
    413: _problem_response("Request body too large"),
    422: _problem_response("Invalid input"),
    429: _problem_response("Too many requests"),
}

#: Declares the bearer-token scheme in OpenAPI (Swagger's "Authorize"); a missing header is
#: fine here: the session cookie is the other way in (``security.current_user`` decides).
bearer = HTTPBearer(auto_error=False, description="An API token: 'watchboard user token'")

router = APIRouter(prefix="/api/v1", responses=PROBLEM_RESPONSES, dependencies=[Depends(bearer)])

Reader = Annotated[Principal, Depends(current_user)]
Writer = Annotated[Principal, Depends(writer)]
Admin = Annotated[Principal, Depends(admin)]
CaseRead = Annotated[tuple[Principal, int, str], Depends(case_dependency("reader"))]
CaseWrite = Annotated[tuple[Principal, int, str], Depends(case_dependency("writer"))]

MAX_LIMIT = 500
MAX_INT = 2**31 - 1  # ids, versions and offsets fit a 32-bit integer column on every backend
_NUMBER = r"-?\d{1,3}(\.\d{1,12})?"
BBOX_PATTERN = rf"^{_NUMBER},{_NUMBER},{_NUMBER},{_NUMBER}$"
BBOX_HELP = "west,south,east,north in degrees (west > east crosses 180°)"


def parse_bbox(text: str) -> tuple[float, float, float, float]:
    west, south, east, north = (float(v) for v in text.split(","))
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= north <= 90):
        raise HTTPException(422, "bbox: west,south,east,north within ±180, ±90, south ≤ north")
    return west, south, east, north


# -- helpers -------------------------------------------------------------------------------------


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return None
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    if hasattr(value, "__dataclass_fields__"):
        from dataclasses import asdict

        return asdict(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def respond(request: Request, data: Any, *, headers: dict[str, str] | None = None) -> Response:
    """JSON with an ETag; 304 when the client already has this body."""
    body = json.dumps(data, default=_default, ensure_ascii=False, separators=(",", ":")).encode()
    tag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    extra = {"ETag": tag, "Cache-Control": "private, no-cache", **(headers or {})}
    wanted = request.headers.get("if-none-match", "")
    if tag in {t.strip().removeprefix("W/") for t in wanted.split(",")} or wanted.strip() == "*":
        return Response(status_code=304, headers=extra)
    return Response(body, media_type="application/json", headers=extra)


def encode_cursor(last: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": last}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> str | None:
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        after = data["after"]
        if not isinstance(after, str):
            raise ValueError
        return after
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise HTTPException(400, "cursor is not one this server gave out") from None


def page_response(
    request: Request, items: list[dict[str, Any]], limit: int, last_key: str | None
) -> Response:
    next_cursor = encode_cursor(last_key) if last_key and len(items) == limit else None
    headers = {}
    if next_cursor:
        url = request.url.include_query_params(cursor=next_cursor)
        headers["Link"] = f'<{url}>; rel="next"'
    return respond(
        request, {"items": items, "next_cursor": next_cursor, "limit": limit}, headers=headers
    )


def claim_out(row: dict[str, Any], fixes: dict[str, Any] | None) -> dict[str, Any]:
    row = review.apply_corrections(row, fixes)
    data = row.get("data") or {}
    return {
        "id": row["id"],
        "document_id": row["document_id"],
        "version": row["version"],
        "start": row["start"],
        "end": row["end"],
        "quote": row["quote"],
        "attribution": row["attribution"],
        "asserted_by": row["asserted_by"],
        "source_identified": row["source_identified"],
        "modality": row["modality"],
        "event_type": row["event_type"],
        "outlet": row.get("outlet"),
        "title": row.get("title"),
        "published_at": row.get("published_at"),
        "url": row.get("url"),
        "rating": row.get("rating"),
        "credibility": row.get("credibility"),
        "independent_groups": row.get("independent_groups"),
        "places": [
            {k: p.get(k) for k in ("name", "lat", "lon", "site", "feature", "country")}
            | {"text": p["mention"]["span"]["text"]}
            for p in data.get("places") or ()
        ],
        "times": [
            {k: t.get(k) for k in ("value", "type", "start", "end")} | {"text": t["span"]["text"]}
            for t in data.get("times") or ()
        ],
        "quantities": [
            {k: v for k, v in q.items() if k in ("low", "high", "unit", "counted", "bound")}
            | {"text": q["span"]["text"]}
            for q in data.get("quantities") or ()
        ],
        "actors": [a.get("name") for a in data.get("actors") or ()],
        "negated": bool(data.get("negated")),
        "corrected": row.get("corrected", []),
    }


def case_of_document(request: Request, principal: Principal, doc_id: str) -> str:
    with store_of(request).reading() as conn:
        row = conn.execute(
            select(documents.c.id, documents.c.case_id).where(
                documents.c.id.like(f"{escape_like(doc_id)}%", escape="\\")
            )
        ).all()
    if len(doc_id) < 4 or len(row) != 1 or row[0].case_id is None:
        raise HTTPException(404, f"no document {doc_id!r}")
    if not principal.can_open(row[0].case_id):
        raise HTTPException(404, f"no document {doc_id!r}")
    return str(row[0].id)


def case_of_claim(request: Request, principal: Principal, claim_id: str) -> dict[str, Any]:
    with store_of(request).reading() as conn:
        try:
            row = claim_q.get(conn, claim_id)
        except NotFoundError:
            raise HTTPException(404, f"no claim {claim_id!r}") from None
        case_id = conn.execute(
            select(documents.c.case_id).where(documents.c.id == row["document_id"])
        ).scalar()
        fixes = review.corrections_for(conn, [row["id"]]).get(row["id"])
    if case_id is None or not principal.can_open(case_id):
        raise HTTPException(404, f"no claim {claim_id!r}")
    row["case_id"] = case_id
    row["_fixes"] = fixes
    return row


# -- who am I, cases -----------------------------------------------------------------------------


@router.get("/me", tags=["account"], summary="The signed-in user")
def me(request: Request, principal: Reader) -> Response:
    return respond(
        request,
        {
            "username": principal.username,
            "role": principal.role,
            "via": principal.via,
            "cases": None if principal.case_ids is None else sorted(principal.case_ids),
        },
    )


@router.get("/cases", tags=["cases"], summary="Cases you may open")
def list_cases(request: Request, principal: Reader) -> Response:
    with store_of(request).reading() as conn:
        rows = case_q.summaries(conn)
        ids = {slug: case_id for case_id, slug in case_q.slugs(conn).items()}
    return respond(request, [r for r in rows if principal.can_open(ids[r["slug"]])])


@router.get("/cases/{slug}", tags=["cases"], summary="A case and what it declares")
def get_case(request: Request, case: CaseRead) -> Response:
    with store_of(request).reading() as conn:
        details = case_q.details(conn, case[2])
    return respond(request, details)


# -- claims --------------------------------------------------------------------------------------


@router.get("/cases/{slug}/claims", tags=["claims"], summary="A case's claims, filtered, paged")
def list_claims(
    request: Request,
    case: CaseRead,
    source: Annotated[str | None, Query(max_length=200, description="Outlet name")] = None,
    modality: Annotated[Literal[MODALITIES] | None, Query()] = None,  # type: ignore[valid-type]
    event_type: Annotated[str | None, Query(max_length=40)] = None,
    max_credibility: Annotated[int | None, Query(ge=1, le=6)] = None,
    bbox: Annotated[str | None, Query(pattern=BBOX_PATTERN, description=BBOX_HELP)] = None,
    since: Annotated[date | None, Query(description="Claims dated on or after")] = None,
    until: Annotated[date | None, Query(description="Claims dated on or before")] = None,
    q: Annotated[str | None, Query(max_length=200, description="Words in the quote")] = None,
    document: Annotated[str | None, Query(max_length=16)] = None,
    cursor: Annotated[str | None, Query(max_length=400)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
) -> Response:
    box = parse_bbox(bbox) if bbox else None
    if since and until and since > until:
        raise HTTPException(422, "since is after until")
    with store_of(request).reading() as conn:
        rows = claim_q.page(
            conn,
            case_id=case[1],
            after=decode_cursor(cursor),
            limit=limit,
            source=source,
            modality=modality,
            event_type=event_type,
            max_credibility=max_credibility,
            bbox=box,
            since=since,
            until=until,
            text=q,
            document_id=document,
        )
        fixes = review.corrections_for(conn, [r["id"] for r in rows])
    items = [claim_out(r, fixes.get(r["id"])) for r in rows]
    return page_response(request, items, limit, rows[-1]["id"] if rows else None)


@router.get("/claims/{claim_id}", tags=["claims"], summary="A claim with its assessment")
def get_claim(request: Request, claim_id: str, principal: Reader) -> Response:
    row = case_of_claim(request, principal, claim_id)
    out = claim_out(row, row.pop("_fixes"))
    out["data"] = review.correct_data(row["data"], row.get("_fixes"))
    out["assessment"] = assess_jobs.claim_assessment(store_of(request), row["id"])
    return respond(request, out)


class ClaimCorrection(BaseModel):
    modality: Literal[MODALITIES] | None = None  # type: ignore[valid-type]
    event_type: str | None = Field(default=None, max_length=40)
    asserted_by: str | None = Field(default=None, min_length=1, max_length=200)
    source_identified: bool | None = None
    clear_event_type: bool = False
    reason: str = Field(min_length=1, max_length=2000)


@router.patch("/claims/{claim_id}", tags=["claims"], summary="Correct a claim's fields")
def correct_claim(
    request: Request, claim_id: str, body: ClaimCorrection, principal: Writer
) -> Response:
    row = case_of_claim(request, principal, claim_id)
    changes = {
        k: v
        for k, v in body.model_dump(exclude={"reason", "clear_event_type"}).items()
        if v is not None
    }
    if body.clear_event_type:
        changes["event_type"] = None
    result = review.correct_claim(
        store_of(request), row["id"], changes, reason=body.reason, actor=principal.username
    )
    return respond(request, result)


# -- documents -----------------------------------------------------------------------------------


@router.get("/cases/{slug}/documents", tags=["documents"], summary="A case's documents")
def list_documents(
    request: Request,
    case: CaseRead,
    source: Annotated[str | None, Query(max_length=200)] = None,
    offset: Annotated[int, Query(ge=0, le=MAX_INT)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
) -> Response:
    docs = jobs.list_documents(
        store_of(request), case=case[2], source=source, limit=limit, offset=offset
    )
    items = [
        {
            "id": d.id,
            "title": d.title,
            "source": d.source,
            "published_at": d.published_at,
            "url": d.url,
            "version": d.version,
            "versions": d.versions,
            "words": len(d.text.split()),
        }
        for d in docs
    ]
    return respond(request, {"items": items, "offset": offset, "limit": limit})


@router.get("/documents/{doc_id}", tags=["documents"], summary="A document with its claims")
def get_document(
    request: Request,
    doc_id: str,
    principal: Reader,
    version: Annotated[int | None, Query(ge=1, le=MAX_INT)] = None,
) -> Response:
    full = case_of_document(request, principal, doc_id)
    store = store_of(request)
    doc = jobs.show_document(store, full, version=version)
    with store.reading() as conn:
        rows = claim_q.query(conn, document_id=full)
        fixes = review.corrections_for(conn, [r["id"] for r in rows])
    claims_out = [claim_out(r, fixes.get(r["id"])) for r in rows if r["version"] == doc.version]
    return respond(
        request,
        {
            "id": doc.id,
            "key": doc.key,
            "version": doc.version,
            "versions": doc.versions,
            "title": doc.title,
            "source": doc.source,
            "author": doc.author,
            "published_at": doc.published_at,
            "retrieved_at": doc.retrieved_at,
            "url": doc.url,
            "language": doc.language,
            "text": doc.text,
            "claims": claims_out,
        },
    )


@router.get("/documents/{doc_id}/versions", tags=["documents"], summary="Every version")
def document_versions_(request: Request, doc_id: str, principal: Reader) -> Response:
    full = case_of_document(request, principal, doc_id)
    versions = jobs.document_versions(store_of(request), full)
    return respond(
        request,
        [
            {
                "version": d.version,
                "title": d.title,
                "retrieved_at": d.retrieved_at,
                "published_at": d.published_at,
                "text_sha256": d.text_sha256,
            }
            for d in versions
        ],
    )


@router.get("/documents/{doc_id}/diff", tags=["documents"], summary="What changed between versions")
def document_diff(
    request: Request,
    doc_id: str,
    principal: Reader,
    old: Annotated[int | None, Query(ge=1, le=MAX_INT)] = None,
    new: Annotated[int | None, Query(ge=1, le=MAX_INT)] = None,
) -> Response:
    full = case_of_document(request, principal, doc_id)
    d = jobs.diff_document(store_of(request), full, old=old, new=new)
    return respond(
        request,
        {
            "document_id": d.document_id,
            "old": d.old.version,
            "new": d.new.version,
            "metadata": {k: list(v) for k, v in d.metadata.items()},
            "diff": d.text_diff,
        },
    )


# -- sources -------------------------------------------------------------------------------------


def visible_sources(request: Request, principal: Principal) -> list[dict[str, Any]]:
    """The registry as this user may see it: sources of the cases they were given (admins:
    all), with document counts from those cases only."""
    from watchboard.store import sources as source_q

    with store_of(request).reading() as conn:
        return source_q.list_with_counts(conn, principal.case_ids)


def check_regrade(request: Request, principal: Principal, name: str) -> None:
    """A source's grade counts in every case that uses it: an analyst may change it only for
    a source of a case they were given (else 404, as for anything they cannot see)."""
    if principal.is_admin:
        return
    if not any(s["name"].lower() == name.lower() for s in visible_sources(request, principal)):
        raise HTTPException(404, f"no source {name!r}")


@router.get("/sources", tags=["sources"], summary="The source registry with grades")
def list_sources(request: Request, principal: Reader) -> Response:
    return respond(request, visible_sources(request, principal))


class Regrade(BaseModel):
    reliability: Literal["A", "B", "C", "D", "E", "F"]
    reason: str = Field(min_length=1, max_length=2000)


@router.patch("/sources/{name}", tags=["sources"], summary="Regrade a source (A-F)")
def regrade_source(request: Request, name: str, body: Regrade, principal: Writer) -> Response:
    check_regrade(request, principal, name)
    result = assess_jobs.regrade_source(
        store_of(request), name, body.reliability, reason=body.reason, actor=principal.username
    )
    return respond(request, result)


# -- entities ------------------------------------------------------------------------------------


@router.get("/cases/{slug}/entities", tags=["entities"], summary="Actors named in claims")
def list_entities(request: Request, case: CaseRead) -> Response:
    return respond(request, review.list_entities(store_of(request), case[2]))


class Merge(BaseModel):
    alias: str = Field(min_length=1, max_length=200)
    canonical: str = Field(min_length=1, max_length=200)
    reason: str = Field(min_length=1, max_length=2000)


class Split(BaseModel):
    alias: str = Field(min_length=1, max_length=200)
    reason: str = Field(min_length=1, max_length=2000)


@router.post("/cases/{slug}/entities/merge", tags=["entities"], summary="Merge two entities")
def merge_entities(request: Request, body: Merge, case: CaseWrite) -> Response:
    result = review.merge_entity(
        store_of(request),
        body.alias,
        body.canonical,
        case=case[2],
        reason=body.reason,
        actor=case[0].username,
    )
    return respond(request, result)


@router.post("/cases/{slug}/entities/split", tags=["entities"], summary="Undo a merge")
def split_entity(request: Request, body: Split, case: CaseWrite) -> Response:
    result = review.split_entity(
        store_of(request), body.alias, case=case[2], reason=body.reason, actor=case[0].username
    )
    return respond(request, result)


# -- sites, milestones ---------------------------------------------------------------------------


@router.get("/cases/{slug}/sites", tags=["cases"], summary="A case's sites")
def list_sites(request: Request, case: CaseRead) -> Response:
    with store_of(request).reading() as conn:
        details = case_q.details(conn, case[2]) or {}
    return respond(request, details.get("sites", []))


@router.get("/cases/{slug}/milestones", tags=["milestones"], summary="Milestone status")
def list_milestones(
    request: Request, case: CaseRead, as_of: Annotated[date | None, Query()] = None
) -> Response:
    if as_of is not None:
        report = assess_jobs.assess_case(
            store_of(request), request.app.state.settings, case[2], as_of=as_of
        )
        items = [m.__dict__ for m in report.assessment.milestones]
    else:
        with store_of(request).reading() as conn:
            rows = {r["key"]: r for r in assess_q.milestone_rows(conn, case[1])}
            statuses: dict[str, Any] = {
                r["milestone_key"]: dict(r)
                for r in conn.execute(
                    select(assess_q.milestone_status).where(
                        assess_q.milestone_status.c.case_id == case[1]
                    )
                ).mappings()
            }
        items = [
            {
                "key": key,
                "title": m["title"],
                "due_start": m["due_start"],
                "due_end": m["due_end"],
                "site_key": m["site_key"],
                "event_type": m["event_type"],
                "origin": m["origin"],
                "status": (statuses.get(key) or {}).get("status", "pending"),
                "reason": (statuses.get(key) or {}).get("reason", "not assessed yet"),
                "evidence": (statuses.get(key) or {}).get("evidence", []),
            }
            for key, m in rows.items()
        ]
    return respond(request, items)


@router.get("/cases/{slug}/suggestions", tags=["milestones"], summary="Suggested milestones")
def list_suggestions(
    request: Request,
    case: CaseRead,
    status: Annotated[Literal["pending", "accepted", "rejected"] | None, Query()] = "pending",
) -> Response:
    return respond(
        request, assess_jobs.milestone_suggestions(store_of(request), case[2], status=status)
    )


class Review(BaseModel):
    reason: str | None = Field(default=None, max_length=2000)
    key: str | None = Field(default=None, max_length=100, pattern=r"^[a-z0-9][a-z0-9_-]*$")
    title: str | None = Field(default=None, max_length=500)


@router.post(
    "/cases/{slug}/suggestions/{ref}/{decision}",
    tags=["milestones"],
    summary="Accept or reject a suggested milestone",
)
def review_suggestion(
    request: Request,
    ref: str,
    decision: Literal["accept", "reject"],
    body: Review,
    case: CaseWrite,
) -> Response:
    result = assess_jobs.review_suggestion(
        store_of(request),
        ref,
        accept=decision == "accept",
        case=case[2],
        key=body.key,
        title=body.title,
        reason=body.reason,
        actor=case[0].username,
    )
    return respond(request, result)


class Link(BaseModel):
    claim: str = Field(min_length=4, max_length=16)
    contradicts: bool = False
    note: str | None = Field(default=None, max_length=2000)


@router.post("/cases/{slug}/milestones/{key}/links", tags=["milestones"], summary="Link evidence")
def link_evidence(request: Request, key: str, body: Link, case: CaseWrite) -> Response:
    case_of_claim(request, case[0], body.claim)
    result = assess_jobs.link_evidence(
        store_of(request),
        key,
        body.claim,
        contradicts=body.contradicts,
        note=body.note,
        case=case[2],
        actor=case[0].username,
    )
    return respond(request, result)


# -- indicators ----------------------------------------------------------------------------------


@router.get("/cases/{slug}/indicators", tags=["indicators"], summary="Indicators and changes")
def list_indicators(request: Request, case: CaseRead) -> Response:
    store = store_of(request)
    items = indicator_jobs.list_indicators(store, case[2])
    changes = indicator_jobs.list_changes(store, case[2])
    for item in items:
        item["changes"] = [c for c in changes if c["indicator_key"] == item["key"]]
    return respond(request, items)


@router.get(
    "/cases/{slug}/indicators/{key}/observations",
    tags=["indicators"],
    summary="An indicator's observations",
)
def list_observations(
    request: Request,
    key: str,
    case: CaseRead,
    since: Annotated[date | None, Query()] = None,
    until: Annotated[date | None, Query()] = None,
) -> Response:
    with store_of(request).reading() as conn:
        obs_q.indicator(conn, case[1], key)
        rows = obs_q.series(conn, case[1], key)
    rows = [
        r
        for r in rows
        if (since is None or r["time"].date() >= since)
        and (until is None or r["time"].date() <= until)
    ]
    for r in rows:
        r.pop("id", None)
        r.pop("case_id", None)
    return respond(request, rows)


@router.get(
    "/cases/{slug}/indicators/{key}/chart.svg",
    tags=["indicators"],
    summary="An indicator's chart (SVG)",
    response_class=Response,
)
def indicator_chart(request: Request, key: str, case: CaseRead) -> Response:
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        path = indicator_jobs.chart(store_of(request), key, Path(tmp) / "c.svg", case=case[2])
        svg = path.read_bytes()
    return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "private, no-cache"})


# -- alerts --------------------------------------------------------------------------------------


@router.get("/cases/{slug}/alerts", tags=["alerts"], summary="Alerts, newest first")
def list_alerts(
    request: Request, case: CaseRead, all: Annotated[bool, Query()] = False
) -> Response:
    rows = assess_jobs.list_alerts(store_of(request), case[2], include_acknowledged=all)
    return respond(request, rows)


class Ack(BaseModel):
    note: str | None = Field(default=None, max_length=2000)


@router.post("/alerts/{alert_id}/ack", tags=["alerts"], summary="Acknowledge an alert")
def acknowledge(request: Request, alert_id: str, body: Ack, principal: Writer) -> Response:
    store = store_of(request)
    with store.reading() as conn:
        try:
            row = assess_q.alert(conn, alert_id)
        except NotFoundError:
            raise HTTPException(404, f"no alert {alert_id!r}") from None
    if not principal.can_open(row["case_id"]):
        raise HTTPException(404, f"no alert {alert_id!r}")
    result = assess_jobs.acknowledge_alert(
        store, row["id"], note=body.note, actor=principal.username
    )
    return respond(request, result)


# -- briefs and exports --------------------------------------------------------------------------

_BRIEF_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "md": "text/markdown; charset=utf-8",
}


@router.get(
    "/cases/{slug}/brief",
    tags=["briefs"],
    summary="The case's brief (HTML, PDF or Markdown)",
    response_class=Response,
)
def brief(
    request: Request,
    case: CaseRead,
    format: Annotated[Literal["html", "pdf", "md"], Query()] = "html",
    as_of: Annotated[date | None, Query()] = None,
) -> Response:
    from watchboard.report import render

    made = brief_jobs.make_brief(
        store_of(request), request.app.state.settings, case[2], as_of=as_of, figures=format != "md"
    )
    if format == "html":
        data = render.render_html(made).encode()
    elif format == "pdf":
        data = render.render_pdf(made)
    else:
        data = render.render_markdown(made)[0].encode()
    name = f"{made.case.slug}-{made.as_of:%Y-%m-%d}.{format}"
    return Response(
        data,
        media_type=_BRIEF_TYPES[format],
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


@router.get(
    "/cases/{slug}/export",
    tags=["briefs"],
    summary="Export the case (json, stix, geojson, tables)",
    response_class=Response,
)
def export(
    request: Request,
    case: CaseRead,
    format: Annotated[Literal["json", "stix", "geojson", "tables"], Query()] = "json",
) -> Response:
    data = brief_jobs.case_snapshot(store_of(request), case[2])
    if format == "json":
        text = json.dumps(data, ensure_ascii=False)
    elif format == "stix":
        from watchboard.report.stix import stix_json

        text = stix_json(data)
    elif format == "geojson":
        from watchboard.report.geojson import geojson_text

        text = geojson_text(data)
    else:
        from watchboard.report.tables import json_tables

        text = json_tables(data)
    media = "application/geo+json" if format == "geojson" else "application/json"
    return Response(text.encode(), media_type=media)


@router.get("/basemap", tags=["briefs"], summary="Country outlines for offline maps (GeoJSON)")
def basemap(
    request: Request,
    principal: Reader,
    bbox: Annotated[str | None, Query(pattern=BBOX_PATTERN, description=BBOX_HELP)] = None,
) -> Response:
    from watchboard.report.basemap import basemap_geojson

    box = parse_bbox(bbox) if bbox else None
    return respond(request, basemap_geojson(box))


# -- audit ---------------------------------------------------------------------------------------


@router.get("/audit", tags=["audit"], summary="The audit log (newest first)")
def audit(
    request: Request,
    principal: Reader,
    case: Annotated[str | None, Query(max_length=100)] = None,
    before: Annotated[
        int | None, Query(ge=1, le=MAX_INT, description="Entries with a smaller id")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
) -> Response:
    store = store_of(request)
    with store.reading() as conn:
        q = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
        if case is not None:
            case_id = case_q.find_id(conn, case)
            if case_id is None or not principal.can_open(case_id):
                raise HTTPException(404, f"no case {case!r}")
            q = q.where(audit_log.c.case_id == case_id)
        elif not principal.is_admin:
            allowed = sorted(principal.case_ids or ())
            q = q.where(audit_log.c.case_id.in_(allowed))
        if before is not None:
            q = q.where(audit_log.c.id < before)
        rows = [dict(r._mapping) for r in conn.execute(q)]
    return respond(
        request, {"items": rows, "next_before": rows[-1]["id"] if len(rows) == limit else None}
    )


class Revert(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


@router.post("/audit/{entry_id}/revert", tags=["audit"], summary="Undo a recorded change")
def revert(
    request: Request,
    entry_id: Annotated[int, Path(ge=1, le=MAX_INT)],
    body: Revert,
    principal: Writer,
) -> Response:
    store = store_of(request)
    with store.reading() as conn:
        case_id = conn.execute(
            select(audit_log.c.case_id).where(audit_log.c.id == entry_id)
        ).first()
    if case_id is None or (case_id[0] is not None and not principal.can_open(case_id[0])):
        raise HTTPException(404, f"no audit entry {entry_id}")
    if case_id[0] is None and not principal.is_admin:
        raise HTTPException(403, "only an admin can revert a change that belongs to no case")
    return respond(
        request, review.revert(store, entry_id, reason=body.reason, actor=principal.username)
    )


# -- accounts (admin) ----------------------------------------------------------------------------


class NewUser(BaseModel):
    username: str = Field(min_length=1, max_length=100, pattern=r"^\S+$")
    password: str = Field(min_length=account_jobs.MIN_PASSWORD, max_length=1000)
    role: Literal["viewer", "analyst", "admin"] = "viewer"
    cases: list[str] = Field(default_factory=list, max_length=1000)
    display_name: str | None = Field(default=None, max_length=200)


@router.get("/users", tags=["account"], summary="Users (admin)")
def users(request: Request, principal: Admin) -> Response:
    return respond(request, account_jobs.list_users(store_of(request)))


@router.post("/users", tags=["account"], summary="Add a user (admin)", status_code=201)
def add_user(request: Request, body: NewUser, principal: Admin) -> Response:
    account_jobs.add_user(
        store_of(request),
        body.username,
        body.password,
        role=body.role,
        cases=body.cases,
        display_name=body.display_name,
        actor=principal.username,
    )
    with store_of(request).reading() as conn:
        row = account_q.user(conn, body.username)
    return JSONResponse(
        {"username": row["username"], "role": row["role"], "cases": sorted(body.cases)},
        status_code=201,
    )


class UserUpdate(BaseModel):
    role: Literal["viewer", "analyst", "admin"] | None = None
    cases: list[str] | None = Field(default=None, max_length=1000)
    disabled: bool | None = None


@router.patch("/users/{username}", tags=["account"], summary="Change a user (admin)")
def update_user(request: Request, username: str, body: UserUpdate, principal: Admin) -> Response:
    result = account_jobs.update_user(
        store_of(request),
        username,
        role=body.role,
        cases=body.cases,
        disabled=body.disabled,
        actor=principal.username,
    )
    return respond(request, result)


@router.get("/stats", tags=["cases"], summary="Counts per case you may open")
def stats(request: Request, principal: Reader) -> Response:
    with store_of(request).reading() as conn:
        rows = conn.execute(
            select(documents.c.case_id, func.count(claims.c.id))
            .join(claims, claims.c.document_id == documents.c.id)
            .group_by(documents.c.case_id)
        ).all()
        names = case_q.slugs(conn)
        n_sources = conn.execute(select(func.count()).select_from(sources)).scalar_one()
        n_versions = conn.execute(select(func.count()).select_from(document_versions)).scalar_one()
    return respond(
        request,
        {
            "claims": {names[c]: n for c, n in rows if c is not None and principal.can_open(c)},
            "sources": n_sources,
            "document_versions": n_versions if principal.is_admin else None,
        },
    )
