"""The workbench's pages: server-rendered HTML (Jinja2) with htmx for small interactions.

Every page needs a signed-in user (else a redirect to /login); case pages answer 404 for a
case the user was not given. Forms that change something post to page routes that call the
same ``watchboard.jobs`` functions as the API, carry the session's CSRF token (a hidden
``csrf_token`` field), refuse viewers with 403, record the signed-in user as the actor, and
answer with a redirect to the page to show next and a flash message (``pages_common``).
No page loads anything from another site, and no page has inline scripts (the CSP forbids
them): behaviour lives in ``static/js/`` and is wired up by ids and data attributes.

Routes (``pages_reading``, ``pages_tracking``, ``pages_registry``):

==========================================  =================================================
``/``                                       the cases the user may open
``/cases/{slug}``                           overview: counts, alerts, milestones, credibility
``/cases/{slug}/documents[/{id}]``          document list; the reader (``?version=``,
                                            ``?claim=`` opens a claim), ``/{id}/diff``
``/cases/{slug}/claims``                    claims with facets, search, cursor paging
``/cases/{slug}/claims/{id}[/panel]``       a claim's page; its fields as a fragment
``POST /cases/{slug}/claims/{id}/correct``  correct modality, event type, asserted by, ...
``/cases/{slug}/map``                       Leaflet map, offline basemap, no tiles
``/cases/{slug}/timeline[.svg]``            timeline chart and table (``?as_of=``)
``/cases/{slug}/milestones``                board; POST ``suggestions/{ref}/{accept|reject}``
                                            and ``milestones/link``
``/cases/{slug}/indicators``                charts and detected changes
``/cases/{slug}/alerts``                    inbox (``?all=true``); POST ``alerts/{id}/ack``
``/cases/{slug}/entities``                  actors; POST ``entities/merge`` and ``/split``
``/cases/{slug}/brief``                     brief and export downloads (via the API)
``/sources``                                the registry; POST ``/sources/regrade``
``/audit``, ``/cases/{slug}/audit``         the log; POST ``/audit/{id}/revert``
==========================================  =================================================

Stable hooks for browser tests and scripts (ids are unique on their page):

* every page: ``#flash`` (``[data-kind=done|error]``, after a form post), ``nav.case-nav``
  with ``a[aria-current=page]``, ``meta[name=csrf-token]``;
* overview: ``#case-counts [data-count=documents|claims|sources]``, ``#credibility-mix
  [data-credibility=1..6]``, ``#milestone-summary``, ``#newest-alerts``;
* documents: ``#document-table``; reader: ``#document-text`` holding
  ``mark[data-claim]`` (``data-claim`` = the innermost claim, ``data-claims`` = every claim
  covering the run, ``data-start``/``data-end`` = the run's offsets in the text;
  ``tabindex=0``, click or Enter opens the claim), ``#claim-panel`` (the side panel),
  ``#claim-list``, ``#version-switcher``, ``a#diff-link``;
* claim panel / page: ``#claim-fields`` (``[data-field=...]``), ``#claim-grade``,
  ``form#correct-claim``, ``#claim-history``;
* claims: ``form#claim-filters``, ``#claims-results``, ``#claims-table``
  (``tr[data-claim]``), ``a#next-page``;
* map: ``#map`` (``data-basemap``, ``data-features``; ``data-ready=true`` once drawn),
  ``#site-table``; timeline: ``img#timeline-chart``, ``#timeline-table``, ``form#as-of``;
* milestones: ``#milestone-board .board-column[data-status=...]``,
  ``.milestone-card[data-milestone]``, ``#suggestions``, ``form.accept-suggestion``,
  ``form.reject-suggestion``, ``form#link-evidence``;
* indicators: ``.indicator[data-indicator]`` with ``img.indicator-chart`` and
  ``.change-table``; alerts: ``#alert-list .alert[data-alert]``, ``form.ack-alert``;
* entities: ``#entity-table``, ``form#merge-entities``, ``form.split-entity``;
* sources: ``#source-table tr[data-source]``, ``form.regrade-source``;
* audit: ``#audit-table tr[data-entry]``, ``form.revert-entry``;
* brief: ``a#brief-html``, ``a#brief-pdf``, ``a#brief-md``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func, select

from watchboard.store import assessment as assess_q
from watchboard.store import cases as case_q
from watchboard.store import documents as doc_q
from watchboard.store.schema import assessments, claims, documents
from watchboard.web import pages_reading, pages_registry, pages_tracking
from watchboard.web.pages_common import (
    CREDIBILITY_WORDS,
    MILESTONE_STATUSES,
    CaseRead,
    User,
    page_user,
    show,
)
from watchboard.web.problems import TITLES
from watchboard.web.security import store_of
from watchboard.web.templating import render

router = APIRouter(include_in_schema=False)

__all__ = ["error_page", "page_user", "router"]


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


@router.get("/", response_class=HTMLResponse)
def home(request: Request, user: User) -> Response:
    with store_of(request).reading() as conn:
        rows = case_q.summaries(conn)
        ids = {slug: case_id for case_id, slug in case_q.slugs(conn).items()}
    cases: list[dict[str, Any]] = [r for r in rows if user.can_open(ids[r["slug"]])]
    return show(request, "home.html", {"cases": cases}, nav="cases")


@router.get("/cases/{slug}", response_class=HTMLResponse)
def overview(request: Request, case: CaseRead) -> Response:
    with store_of(request).reading() as conn:
        details = case_q.details(conn, case.slug) or {}
        n_docs = doc_q.counts(conn, case_id=case.case_id)["documents"]
        n_claims = conn.execute(
            select(func.count())
            .select_from(claims.join(documents, documents.c.id == claims.c.document_id))
            .where(documents.c.case_id == case.case_id)
        ).scalar_one()
        mix: dict[int, int] = dict(
            conn.execute(
                select(assessments.c.credibility, func.count())
                .where(assessments.c.case_id == case.case_id)
                .group_by(assessments.c.credibility)
            ).all()
        )
        milestones = pages_tracking.milestone_items(conn, case.case_id)
        newest = assess_q.alert_rows(conn, case_id=case.case_id, limit=5)
    graded = sum(mix.values()) or 1
    credibility = [
        {
            "grade": grade,
            "words": CREDIBILITY_WORDS[grade],
            "count": mix.get(grade, 0),
            "share": round(100 * mix.get(grade, 0) / graded, 1),
        }
        for grade in range(1, 7)
    ]
    return show(
        request,
        "overview.html",
        {
            "details": details,
            "counts": {
                "documents": n_docs,
                "claims": int(n_claims),
                "sources": details.get("sources", 0),
                "sites": len(details.get("sites") or ()),
                "indicators": len(details.get("indicators", [])),
            },
            "ungraded": int(n_claims) - sum(mix.values()),
            "credibility": credibility,
            "milestones": milestones,
            "status_counts": {
                s: sum(1 for m in milestones if m["status"] == s) for s in MILESTONE_STATUSES
            },
            "alerts": newest,
        },
        case=case,
        nav="overview",
    )


router.include_router(pages_reading.router)
router.include_router(pages_tracking.router)
router.include_router(pages_registry.router)
