"""Tracking a case: the map, the timeline, the milestone board with suggestions and linked
evidence, the indicators with their detected changes, the alert inbox, and the brief."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import Connection, select

from watchboard.errors import NotFoundError, WatchboardError
from watchboard.jobs import assess as assess_jobs
from watchboard.jobs import brief as brief_jobs
from watchboard.jobs import indicators as indicator_jobs
from watchboard.store import assessment as assess_q
from watchboard.store import cases as case_q
from watchboard.store.schema import milestone_status
from watchboard.web.pages_common import (
    MILESTONE_STATUSES,
    CaseEdit,
    CaseRead,
    redirect,
    safe_path,
    show,
)
from watchboard.web.pages_reading import claim_details
from watchboard.web.security import store_of

router = APIRouter(include_in_schema=False)


# -- map -----------------------------------------------------------------------------------------


def case_bbox(sites: list[dict[str, Any]], *, margin: float = 1.5) -> tuple[float, ...] | None:
    """A box (west, south, east, north) around the case's sites, with a margin in degrees."""
    points = [(s["lon"], s["lat"]) for s in sites if s.get("lat") is not None]
    if not points:
        return None
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    return (
        max(-180.0, min(lons) - margin),
        max(-90.0, min(lats) - margin),
        min(180.0, max(lons) + margin),
        min(90.0, max(lats) + margin),
    )


@router.get("/cases/{slug}/map", response_class=HTMLResponse)
def case_map(request: Request, case: CaseRead) -> Response:
    with store_of(request).reading() as conn:
        details = case_q.details(conn, case.slug) or {}
    sites = details.get("sites", [])
    box = case_bbox(sites)
    basemap = "/api/v1/basemap" + (
        "?bbox=" + ",".join(f"{v:.3f}" for v in box) if box is not None else ""
    )
    return show(
        request,
        "map.html",
        {
            "sites": sites,
            "bbox": ",".join(f"{v:.3f}" for v in box) if box else "",
            "basemap_url": basemap,
            "features_url": f"/api/v1/cases/{case.slug}/export?format=geojson",
        },
        case=case,
        nav="map",
    )


# -- timeline ------------------------------------------------------------------------------------


@router.get("/cases/{slug}/timeline", response_class=HTMLResponse)
def timeline(
    request: Request, case: CaseRead, as_of: Annotated[date | None, Query()] = None
) -> Response:
    made = brief_jobs.make_brief(
        store_of(request), request.app.state.settings, case.slug, as_of=as_of, figures=False
    )
    cites = {c.n: c for c in made.citations}
    return show(
        request,
        "timeline.html",
        {
            "brief": made,
            "cites": cites,
            "as_of": as_of.isoformat() if as_of else "",
            "chart_url": f"{case.base}/timeline.svg" + (f"?as_of={as_of}" if as_of else ""),
        },
        case=case,
        nav="timeline",
    )


@router.get("/cases/{slug}/timeline.svg")
def timeline_chart(
    request: Request, case: CaseRead, as_of: Annotated[date | None, Query()] = None
) -> Response:
    made = brief_jobs.make_brief(
        store_of(request),
        request.app.state.settings,
        case.slug,
        as_of=as_of,
        figures=("timeline",),
    )
    svg = made.figures.get("timeline")
    if svg is None:
        raise HTTPException(404, "nothing to draw on a timeline yet")
    return Response(
        svg.encode(), media_type="image/svg+xml", headers={"Cache-Control": "private, no-cache"}
    )


# -- milestones ----------------------------------------------------------------------------------


def milestone_items(conn: Connection, case_id: int) -> list[dict[str, Any]]:
    """The case's milestones with their stored status (as the API gives them) and the
    evidence analysts linked by hand."""
    statuses = {
        r["milestone_key"]: dict(r)
        for r in conn.execute(
            select(milestone_status).where(milestone_status.c.case_id == case_id)
        ).mappings()
    }
    linked: dict[str, list[dict[str, Any]]] = {}
    for link in assess_q.links(conn, case_id, until=None):
        linked.setdefault(link["milestone_key"], []).append(link)
    items = []
    for m in assess_q.milestone_rows(conn, case_id):
        status = statuses.get(m["key"]) or {}
        items.append(
            {
                **m,
                "status": status.get("status", "pending"),
                "reason": status.get("reason", "not assessed yet"),
                "evidence": status.get("evidence", []),
                "as_of": status.get("as_of"),
                "linked": linked.get(m["key"], []),
            }
        )
    return items


@router.get("/cases/{slug}/milestones", response_class=HTMLResponse)
def milestones(request: Request, case: CaseRead) -> Response:
    store = store_of(request)
    with store.reading() as conn:
        items = milestone_items(conn, case.case_id)
    board = {status: [m for m in items if m["status"] == status] for status in MILESTONE_STATUSES}
    return show(
        request,
        "milestones.html",
        {
            "board": board,
            "milestones": items,
            "suggestions": assess_jobs.milestone_suggestions(store, case.slug, status="pending"),
            "reviewed": [
                s
                for s in assess_jobs.milestone_suggestions(store, case.slug, status=None)
                if s["status"] != "pending"
            ],
        },
        case=case,
        nav="milestones",
    )


@router.post("/cases/{slug}/suggestions/{ref}/{decision}")
def review_suggestion(
    request: Request,
    ref: str,
    decision: str,
    case: CaseEdit,
    reason: Annotated[str, Form(max_length=2000)] = "",
    key: Annotated[str, Form(max_length=100)] = "",
    title: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    back = f"{case.base}/milestones"
    if decision not in ("accept", "reject"):
        raise HTTPException(404, "a suggestion is accepted or rejected")
    try:
        result = assess_jobs.review_suggestion(
            store_of(request),
            ref,
            accept=decision == "accept",
            case=case.slug,
            key=key.strip() or None,
            title=title.strip() or None,
            reason=reason.strip() or None,
            actor=case.principal.username,
        )
    except NotFoundError:
        raise
    except WatchboardError as exc:
        return redirect(request, back, error=f"Not {decision}ed: {exc}")
    if result["status"] == "accepted":
        return redirect(
            request,
            back,
            done=f"Accepted suggestion {result['suggestion']} as milestone "
            f"{result['milestone']}; it gets a status at the next assessment.",
        )
    return redirect(request, back, done=f"Rejected suggestion {result['suggestion']}.")


@router.post("/cases/{slug}/milestones/link")
def link_evidence(
    request: Request,
    case: CaseEdit,
    milestone: Annotated[str, Form(max_length=100)] = "",
    claim: Annotated[str, Form(max_length=16)] = "",
    role: Annotated[str, Form(max_length=20)] = "supports",
    note: Annotated[str, Form(max_length=2000)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    back = safe_path(next, f"{case.base}/milestones")
    claim = claim.strip()
    if not milestone or len(claim) < 4:
        return redirect(request, back, error="Choose a milestone and give a claim id.")
    try:
        found = claim_details(request, case, claim)
    except HTTPException:
        return redirect(request, back, error=f"No claim {claim!r} in this case.")
    try:
        result = assess_jobs.link_evidence(
            store_of(request),
            milestone,
            found["id"],
            contradicts=role == "contradicts",
            note=note.strip() or None,
            case=case.slug,
            actor=case.principal.username,
        )
    except WatchboardError as exc:
        return redirect(request, back, error=f"Not linked: {exc}")
    return redirect(
        request,
        back,
        done=f"Linked claim {result['claim']} to milestone {result['milestone']} "
        f"({result['role']}).",
    )


# -- indicators ----------------------------------------------------------------------------------


@router.get("/cases/{slug}/indicators", response_class=HTMLResponse)
def indicators(request: Request, case: CaseRead) -> Response:
    store = store_of(request)
    items = indicator_jobs.list_indicators(store, case.slug)
    changes = indicator_jobs.list_changes(store, case.slug)
    for item in items:
        item["changes"] = [c for c in changes if c["indicator_key"] == item["key"]]
    return show(request, "indicators.html", {"indicators": items}, case=case, nav="indicators")


# -- alerts --------------------------------------------------------------------------------------


@router.get("/cases/{slug}/alerts", response_class=HTMLResponse)
def alert_inbox(
    request: Request, case: CaseRead, all: Annotated[bool, Query()] = False
) -> Response:
    rows = assess_jobs.list_alerts(store_of(request), case.slug, include_acknowledged=all)
    return show(request, "alerts.html", {"alerts": rows, "show_all": all}, case=case, nav="alerts")


@router.post("/cases/{slug}/alerts/{alert_id}/ack")
def acknowledge_alert(
    request: Request,
    alert_id: str,
    case: CaseEdit,
    note: Annotated[str, Form(max_length=2000)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    store = store_of(request)
    with store.reading() as conn:
        try:
            row = assess_q.alert(conn, alert_id)
        except NotFoundError:
            row = None
    if row is None or row["case_id"] != case.case_id:
        raise HTTPException(404, f"no alert {alert_id!r} in this case")
    back = safe_path(next, f"{case.base}/alerts")
    try:
        assess_jobs.acknowledge_alert(
            store, row["id"], note=note.strip() or None, actor=case.principal.username
        )
    except WatchboardError as exc:
        return redirect(request, back, error=str(exc))
    return redirect(request, back, done=f"Acknowledged: {row['title']}")


# -- brief ---------------------------------------------------------------------------------------


@router.get("/cases/{slug}/brief", response_class=HTMLResponse)
def brief(
    request: Request, case: CaseRead, as_of: Annotated[date | None, Query()] = None
) -> Response:
    suffix = f"&as_of={as_of}" if as_of else ""
    api = f"/api/v1/cases/{case.slug}"
    return show(
        request,
        "brief.html",
        {
            "as_of": as_of.isoformat() if as_of else "",
            "downloads": [
                ("HTML", "brief-html", f"{api}/brief?format=html{suffix}"),
                ("PDF", "brief-pdf", f"{api}/brief?format=pdf{suffix}"),
                ("Markdown", "brief-md", f"{api}/brief?format=md{suffix}"),
            ],
            "exports": [
                ("JSON snapshot", f"{api}/export?format=json"),
                ("STIX 2.1 bundle", f"{api}/export?format=stix"),
                ("GeoJSON", f"{api}/export?format=geojson"),
                ("Tables (JSON)", f"{api}/export?format=tables"),
            ],
        },
        case=case,
        nav="brief",
    )
