"""The workbench pages through TestClient on a real SQLite copy of the demo workspace.

Users sign in through the real login form; change forms are posted the way a browser posts
them (form fields, the CSRF token read from the page's ``<meta name="csrf-token">``). The
demo workspace is built once per session (``conftest.py``) and copied: once per module for the
tests that only read, once per test for the tests that change something.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from watchboard import jobs
from watchboard.jobs import assess as assess_jobs
from watchboard.store import claims as claim_q
from watchboard.store.schema import audit_log, claims, documents
from watchboard.web import create_app
from watchboard.web.pages_reading import segments

from .conftest import CASE, OTHER_CASE, PASSWORDS, Demo, copy_demo

BASE = f"/cases/{CASE}"

#: Every page, with placeholders filled from the demo (see ``Ids``).
PAGES = (
    "/",
    "/sources",
    "/audit",
    BASE,
    f"{BASE}/documents",
    f"{BASE}/documents/{{doc}}",
    f"{BASE}/documents/{{doc}}?claim={{claim}}",
    f"{BASE}/claims",
    f"{BASE}/claims?modality=planned&max_credibility=3&q=factories",
    f"{BASE}/claims/{{claim}}",
    f"{BASE}/claims/{{claim}}/panel",
    f"{BASE}/map",
    f"{BASE}/timeline",
    f"{BASE}/timeline?as_of=2026-02-01",
    f"{BASE}/milestones",
    f"{BASE}/indicators",
    f"{BASE}/alerts",
    f"{BASE}/alerts?all=true",
    f"{BASE}/entities",
    f"{BASE}/audit",
    f"{BASE}/brief",
)
CASE_PAGES = tuple(p for p in PAGES if p.startswith(BASE))


# -- helpers ---------------------------------------------------------------------------------------


@dataclass
class Ids:
    """Real ids from the demo case to fill the page paths with."""

    doc: str
    claim: str
    alert: str
    suggestion: int

    def fill(self, path: str) -> str:
        return path.format(doc=self.doc, claim=self.claim)


def demo_ids(demo: Demo) -> Ids:
    with demo.store() as store:
        with store.reading() as conn:
            claim = claim_q.query(conn, case_id=None, limit=1)[0]
        alert = assess_jobs.list_alerts(store, CASE)[0]
        suggestion = assess_jobs.milestone_suggestions(store, CASE)[0]
    return Ids(claim["document_id"], claim["id"], alert["id"], suggestion["id"])


def sign_in(app: FastAPI, username: str) -> TestClient:
    """A browser-like client signed in through the login form."""
    client = TestClient(app, headers={"Accept": "text/html"})
    form = client.get("/login")
    token = re.search(r'name="login_token" value="([^"]+)"', form.text)
    assert token, form.text
    response = client.post(
        "/login",
        data={
            "username": username,
            "password": PASSWORDS[username],
            "login_token": token[1],
            "next": "/",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return client


def csrf_of(client: TestClient, path: str = "/") -> str:
    page = client.get(path)
    found = re.search(r'<meta name="csrf-token" content="([^"]+)">', page.text)
    assert found, page.text[:500]
    return found[1]


def post_form(client: TestClient, path: str, data: dict[str, Any], *, token: str | None) -> Any:
    fields = dict(data)
    if token is not None:
        fields["csrf_token"] = token
    return client.post(path, data=fields, follow_redirects=False)


def audit_entries(demo: Demo) -> list[dict[str, Any]]:
    with demo.store() as store, store.reading() as conn:
        return [dict(r._mapping) for r in conn.execute(select(audit_log).order_by(audit_log.c.id))]


def follow(client: TestClient, response: Any) -> Any:
    """The page a form post redirected to (303), as the browser would load it."""
    assert response.status_code == 303, response.text
    return client.get(response.headers["location"])


class Page(HTMLParser):
    """The parts of a page the tests look at: URLs, forms, scripts, marks, the CSRF token."""

    URL_ATTRS = frozenset({"href", "src", "action", "data-basemap", "data-features", "hx-get"})

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self.forms: list[dict[str, str]] = []
        self.scripts: list[dict[str, str]] = []
        self.inline_script = False
        self.handlers: list[str] = []
        self.ids: list[str] = []
        self.marks: list[dict[str, Any]] = []
        self.text_parts: list[str] = []
        self._in_script = False
        self._in_text = 0
        self._mark: dict[str, Any] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.urls += [v for k, v in a.items() if k in self.URL_ATTRS or k == "srcset"]
        self.urls += re.findall(r"url\(([^)]*)\)", a.get("style", ""))
        self.handlers += [k for k in a if k.startswith("on") or k.startswith("hx-on")]
        if "id" in a:
            self.ids.append(a["id"])
        if tag == "form":
            self.forms.append(a)
        if tag == "script":
            self.scripts.append(a)
            self._in_script = True
        if self._in_text:
            self._in_text += 1
            if tag == "mark":
                self._mark = {**a, "text": ""}
        elif a.get("id") == "document-text":
            self._in_text = 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False
        if self._in_text:
            self._in_text -= 1
            if tag == "mark" and self._mark is not None:
                self.marks.append(self._mark)
                self._mark = None

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_script = True
        if self._in_text:
            self.text_parts.append(data)
            if self._mark is not None:
                self._mark["text"] += data

    @property
    def document_text(self) -> str:
        return "".join(self.text_parts)


# -- fixtures --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shared(
    sqlite_demo_template: Demo,
    tmp_path_factory: pytest.TempPathFactory,
    request: pytest.FixtureRequest,
) -> Demo:
    """A demo copy for the tests of this module that only read."""
    return copy_demo(sqlite_demo_template, tmp_path_factory.mktemp("pages") / "ws", request)


@pytest.fixture(scope="module")
def shared_app(shared: Demo) -> Iterator[FastAPI]:
    application = create_app(shared.settings, secure_cookies=False)
    yield application
    application.state.store.close()


@pytest.fixture(scope="module")
def ids(shared: Demo) -> Ids:
    return demo_ids(shared)


@pytest.fixture(scope="module")
def admin(shared_app: FastAPI) -> TestClient:
    return sign_in(shared_app, "admin")


@pytest.fixture(scope="module")
def viewer(shared_app: FastAPI) -> TestClient:
    return sign_in(shared_app, "viewer")


@pytest.fixture
def fresh(
    sqlite_demo_template: Demo, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[tuple[Demo, FastAPI]]:
    """A private demo copy and an app on it, for a test that changes something."""
    demo = copy_demo(sqlite_demo_template, tmp_path / "ws", request)
    application = create_app(demo.settings, secure_cookies=False)
    yield demo, application
    application.state.store.close()


# -- every page ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PAGES)
def test_every_page_renders_for_an_admin(admin: TestClient, ids: Ids, path: str) -> None:
    response = admin.get(ids.fill(path))
    assert response.status_code == 200, response.text[:1000]
    assert response.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in response.headers["content-security-policy"]


def test_the_timeline_chart_is_an_svg(admin: TestClient) -> None:
    response = admin.get(f"{BASE}/timeline.svg")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml"
    assert "<svg" in response.text
    assert not re.search(r'(href|src)="(https?:)?//', response.text)  # self-contained


@pytest.mark.parametrize("path", PAGES)
def test_pages_reference_only_this_site_and_run_no_inline_script(
    admin: TestClient, ids: Ids, path: str
) -> None:
    page = Page(admin.get(ids.fill(path)).text)
    for url in page.urls:
        assert url.startswith(("/", "#", "?", "data:")) and not url.startswith("//"), url
    assert not page.inline_script
    assert all(s.get("src", "").startswith("/static/") for s in page.scripts), page.scripts
    assert not page.handlers, page.handlers
    assert len(page.ids) == len(set(page.ids)), "duplicate ids"


def test_static_scripts_and_styles_make_no_external_requests() -> None:
    static = Path(__file__).parents[2] / "src" / "watchboard" / "web" / "static"
    for path in [*static.glob("js/*.js"), *static.glob("css/*.css")]:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/", text), path.name


def test_a_page_needs_a_signed_in_user(shared_app: FastAPI) -> None:
    anonymous = TestClient(shared_app, headers={"Accept": "text/html"})
    response = anonymous.get(f"{BASE}/claims?q=x", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next={BASE}/claims%3Fq%3Dx"


def test_the_overview_counts_what_the_case_holds(admin: TestClient, shared: Demo) -> None:
    html = admin.get(BASE).text
    with shared.store() as store, store.reading() as conn:
        n_claims = conn.execute(
            select(func.count())
            .select_from(claims.join(documents, documents.c.id == claims.c.document_id))
            .where(documents.c.case_id.is_not(None))
        ).scalar_one()
    found = re.search(r'data-count="claims">.*?<span class="n">(\d+)</span>', html, re.S)
    assert found and int(found[1]) == n_claims
    assert html.count('data-credibility="') == 6
    assert 'id="milestone-summary"' in html and 'id="newest-alerts"' in html


# -- the reader ------------------------------------------------------------------------------------


def test_the_reader_marks_exactly_the_stored_claim_spans(admin: TestClient, shared: Demo) -> None:
    with shared.store() as store:
        docs = jobs.list_documents(store, case=CASE)
        with store.reading() as conn:
            by_doc = {d.id: claim_q.query(conn, document_id=d.id) for d in docs}
    assert sum(len(v) for v in by_doc.values()) > 20
    for doc in docs:
        page = Page(admin.get(f"{BASE}/documents/{doc.id}").text)
        assert page.document_text == doc.text  # nothing added, nothing lost
        offset = 0
        for mark in page.marks:
            start, end = int(mark["data-start"]), int(mark["data-end"])
            assert mark["text"] == doc.text[start:end]
            assert start >= offset
            offset = end
            assert mark["tabindex"] == "0"
            assert mark["data-claim"] == mark["data-claims"].split()[0]
        for claim in by_doc[doc.id]:
            runs = [m for m in page.marks if claim["id"] in m["data-claims"].split()]
            assert runs, claim["id"]
            assert int(runs[0]["data-start"]) == claim["start"]
            assert int(runs[-1]["data-end"]) == claim["end"]
            assert "".join(m["text"] for m in runs) == doc.text[claim["start"] : claim["end"]]
            assert doc.text[claim["start"] : claim["end"]] == claim["quote"]


def test_overlapping_spans_are_cut_into_runs_naming_every_claim() -> None:
    text = "abcdefghij"
    spans = [
        {"id": "outer", "start": 0, "end": 8},
        {"id": "inner", "start": 2, "end": 4},
        {"id": "cross", "start": 6, "end": 10},
        {"id": "broken", "start": 5, "end": 99},  # outside the text: not drawn
    ]
    runs = [(s.text, [c["id"] for c in s.claims]) for s in segments(text, spans)]
    assert runs == [
        ("ab", ["outer"]),
        ("cd", ["inner", "outer"]),  # innermost first: a click opens the most specific
        ("ef", ["outer"]),
        ("gh", ["cross", "outer"]),
        ("ij", ["cross"]),
    ]
    assert "".join(r[0] for r in runs) == text


def test_the_claim_panel_is_a_fragment_with_the_claims_fields(admin: TestClient, ids: Ids) -> None:
    html = admin.get(f"{BASE}/claims/{ids.claim}/panel").text
    assert "<html" not in html and "<body" not in html
    for field in ("attribution", "asserted_by", "modality", "event_type", "times", "places"):
        assert f'data-field="{field}"' in html
    assert 'id="claim-grade"' in html and 'id="correct-claim"' in html
    assert f'action="{BASE}/claims/{ids.claim}/correct"' in html


def test_the_reader_opens_a_claim_given_in_the_url(admin: TestClient, ids: Ids) -> None:
    html = admin.get(f"{BASE}/documents/{ids.doc}?claim={ids.claim}").text
    assert f'data-selected="{ids.claim}"' in html
    assert 'class="claim-detail"' in html


def test_a_new_version_gets_a_switcher_and_a_diff(fresh: tuple[Demo, FastAPI]) -> None:
    demo, app = fresh
    from importlib import resources

    original = resources.files("watchboard.demo") / CASE / "reports" / "wire-b-2025-12-26.md"
    edited = demo.settings.workspace / "wire-b-2025-12-26.md"
    text = original.read_text(encoding="utf-8")
    edited.write_text(text.replace("substantially", "sharply"), encoding="utf-8")
    with demo.store() as store:
        report = jobs.ingest_inputs(
            store, demo.settings, [str(edited)], options=jobs.IngestOptions(case=CASE)
        )
        assert report.counts["updated"] == 1
        doc = next(d for d in jobs.list_documents(store, case=CASE) if d.versions == 2)
    client = sign_in(app, "analyst")
    page = client.get(f"{BASE}/documents/{doc.id}").text
    assert 'id="version-switcher"' in page and "?version=1" in page
    assert "Claims were extracted from version 1" in page
    old = client.get(f"{BASE}/documents/{doc.id}?version=1").text
    assert 'mark data-claim="' in old
    diff = client.get(f"{BASE}/documents/{doc.id}/diff?old=1&new=2")
    assert diff.status_code == 200
    assert "sharply" in diff.text and 'class="d-add"' in diff.text


# -- claims table ----------------------------------------------------------------------------------


def test_claim_facets_filter_the_table(admin: TestClient, shared: Demo) -> None:
    html = admin.get(f"{BASE}/claims?modality=planned").text
    rows = re.findall(r'<tr data-claim="([0-9a-f]+)">', html)
    with shared.store() as store:
        planned = {c["id"] for c in jobs.list_claims(store, case=CASE, modality="planned")}
    assert rows and set(rows) == planned
    assert '<option value="planned" selected>' in html


def test_the_claims_cursor_walks_every_claim_once(admin: TestClient, shared: Demo) -> None:
    seen: list[str] = []
    url: str | None = f"{BASE}/claims?limit=10"
    while url:
        html = admin.get(url.replace("&amp;", "&")).text
        seen += re.findall(r'<tr data-claim="([0-9a-f]+)">', html)
        found = re.search(r'<a id="next-page" href="([^"]+)"', html)
        url = found[1] if found else None
    with shared.store() as store:
        every = [c["id"] for c in jobs.list_claims(store, case=CASE)]
    assert len(seen) == len(set(seen)) == len(every)
    assert seen == sorted(every)


def test_htmx_gets_only_the_results(admin: TestClient) -> None:
    response = admin.get(
        f"{BASE}/claims?q=factories",
        headers={"HX-Request": "true", "HX-Target": "claims-results"},
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="claims-results"')
    assert "<html" not in response.text
    assert "HX-Request" in response.headers["vary"]


# -- who may see and change what -------------------------------------------------------------------


def change_posts(ids: Ids) -> list[tuple[str, dict[str, str]]]:
    """Every change form's route with fields that would be accepted from an analyst."""
    return [
        (f"{BASE}/claims/{ids.claim}/correct", {"modality": "denied", "reason": "test"}),
        ("/sources/regrade", {"name": "KCNA", "reliability": "D", "reason": "test"}),
        (f"{BASE}/alerts/{ids.alert}/ack", {"note": "seen"}),
        (f"{BASE}/entities/merge", {"alias": "Party", "canonical": "KCNA", "reason": "test"}),
        (f"{BASE}/entities/split", {"alias": "Party", "reason": "test"}),
        (f"{BASE}/suggestions/{ids.suggestion}/accept", {"reason": "test"}),
        (f"{BASE}/suggestions/{ids.suggestion}/reject", {"reason": "test"}),
        (
            f"{BASE}/milestones/link",
            {"milestone": "congress-plan", "claim": ids.claim, "role": "supports"},
        ),
        ("/audit/1/revert", {"reason": "test"}),
    ]


def test_a_viewer_sees_every_page_but_no_change_form(viewer: TestClient, ids: Ids) -> None:
    for path in PAGES:
        response = viewer.get(ids.fill(path))
        assert response.status_code == 200, (path, response.text[:300])
        forms = Page(response.text).forms
        posting = [f for f in forms if f.get("method", "get").lower() == "post"]
        assert [f["action"] for f in posting] in ([], ["/logout"]), (path, posting)


def test_a_viewer_is_refused_every_change(viewer: TestClient, shared: Demo, ids: Ids) -> None:
    token = csrf_of(viewer)
    before = audit_entries(shared)
    for path, data in change_posts(ids):
        response = post_form(viewer, path, data, token=token)
        assert response.status_code == 403, (path, response.text[:300])
        assert "a viewer cannot change anything" in response.text
    assert audit_entries(shared) == before


def test_a_user_not_given_the_case_gets_404(shared_app: FastAPI, ids: Ids) -> None:
    outsider = sign_in(shared_app, "outsider")
    for path in CASE_PAGES:
        response = outsider.get(ids.fill(path))
        assert response.status_code == 404, path
        assert "munitions-production" not in response.text  # nothing of the case shows
    token = csrf_of(outsider)
    for path, data in change_posts(ids):
        if path.startswith(BASE):
            assert post_form(outsider, path, data, token=token).status_code == 404, path
    home = outsider.get("/").text
    assert f"/cases/{OTHER_CASE}" in home and f"/cases/{CASE}" not in home


@pytest.mark.parametrize("token", [None, "not-the-token"])
def test_a_change_without_the_csrf_token_is_refused(
    admin: TestClient, shared: Demo, ids: Ids, token: str | None
) -> None:
    before = audit_entries(shared)
    for path, data in change_posts(ids):
        response = post_form(admin, path, data, token=token)
        assert response.status_code == 403, path
        assert "CSRF" in response.text
    assert audit_entries(shared) == before


# -- changes through the pages ---------------------------------------------------------------------


def last_entry(demo: Demo) -> dict[str, Any]:
    return audit_entries(demo)[-1]


def test_correcting_a_claim_is_audited_and_shown(fresh: tuple[Demo, FastAPI]) -> None:
    demo, app = fresh
    ids = demo_ids(demo)
    client = sign_in(app, "analyst")
    token = csrf_of(client, f"{BASE}/claims/{ids.claim}")
    response = post_form(
        client,
        f"{BASE}/claims/{ids.claim}/correct",
        {
            "modality": "denied",
            "event_type": "-",
            "asserted_by": "Someone Else",
            "source_identified": "no",
            "reason": "misread the verb",
            "next": f"{BASE}/documents/{ids.doc}?claim={ids.claim}",
        },
        token=token,
    )
    assert response.headers["location"] == f"{BASE}/documents/{ids.doc}?claim={ids.claim}"
    page = follow(client, response)
    assert 'id="flash"' in page.text and "Corrected claim" in page.text
    assert "modality" in page.text and "denied" in page.text
    entries = [e for e in audit_entries(demo) if e["action"] == "claim.correct"]
    assert {e["actor"] for e in entries} == {"analyst"}
    assert {next(iter(e["after"])) for e in entries} >= {"modality", "asserted_by"}
    assert all(e["reason"] == "misread the verb" for e in entries)
    with demo.store() as store:
        fixed = jobs.get_claim(store, ids.claim)
    assert fixed["modality"] == "denied" and fixed["asserted_by"] == "Someone Else"
    history = client.get(f"{BASE}/claims/{ids.claim}").text
    assert 'id="claim-history"' in history and "misread the verb" in history
    assert "Graded before the correction" in history  # the stored grade is now stale
    assert "flash" not in history  # the message is shown once


def test_a_correction_without_a_reason_is_refused_on_the_page(
    fresh: tuple[Demo, FastAPI],
) -> None:
    demo, app = fresh
    ids = demo_ids(demo)
    client = sign_in(app, "analyst")
    before = audit_entries(demo)
    response = post_form(
        client,
        f"{BASE}/claims/{ids.claim}/correct",
        {"modality": "denied", "reason": "  "},
        token=csrf_of(client),
    )
    page = follow(client, response)
    assert 'data-kind="error"' in page.text and "reason" in page.text
    assert audit_entries(demo) == before


def test_a_form_field_with_a_control_character_is_refused(
    fresh: tuple[Demo, FastAPI],
) -> None:
    demo, app = fresh
    client = sign_in(app, "analyst")
    before = audit_entries(demo)
    response = post_form(
        client,
        "/sources/regrade",
        {"name": "KCNA", "reliability": "D", "reason": "a\x00b"},
        token=csrf_of(client),
    )
    assert response.status_code == 422 and "NUL characters are not allowed" in response.text
    assert audit_entries(demo) == before
    # Other control characters are refused by the pages' own form checks.
    response = post_form(
        client,
        "/sources/regrade",
        {"name": "KCNA", "reliability": "D", "reason": "a\x07b"},
        token=csrf_of(client),
    )
    assert response.status_code == 422 and "control character" in response.text
    assert audit_entries(demo) == before
    assert client.get(f"{BASE}/claims?q=mis%00sile").status_code == 422


def test_regrading_a_source(fresh: tuple[Demo, FastAPI]) -> None:
    demo, app = fresh
    client = sign_in(app, "analyst")
    response = post_form(
        client,
        "/sources/regrade",
        {"name": "KCNA", "reliability": "D", "reason": "new track record"},
        token=csrf_of(client, "/sources"),
    )
    page = follow(client, response)
    assert "Regraded KCNA: C → D" in page.text
    entry = last_entry(demo)
    assert (entry["action"], entry["actor"], entry["target"]) == (
        "source.reliability",
        "analyst",
        "KCNA",
    )
    assert (entry["before"], entry["after"]) == ("C", "D")


def test_acknowledging_an_alert(fresh: tuple[Demo, FastAPI]) -> None:
    demo, app = fresh
    ids = demo_ids(demo)
    client = sign_in(app, "analyst")
    inbox = client.get(f"{BASE}/alerts").text
    assert f'action="{BASE}/alerts/{ids.alert}/ack"' in inbox and 'class="ack-alert' in inbox
    response = post_form(
        client, f"{BASE}/alerts/{ids.alert}/ack", {"note": "checked"}, token=csrf_of(client)
    )
    page = follow(client, response)
    assert "Acknowledged" in page.text
    assert f'data-alert="{ids.alert}"' not in page.text  # gone from the inbox
    entry = last_entry(demo)
    assert (entry["action"], entry["actor"], entry["target"], entry["reason"]) == (
        "alert.ack",
        "analyst",
        ids.alert,
        "checked",
    )
    everything = client.get(f"{BASE}/alerts?all=true").text
    assert "Acknowledged by analyst" in everything
    again = post_form(client, f"{BASE}/alerts/{ids.alert}/ack", {}, token=csrf_of(client))
    assert "was acknowledged by analyst" in follow(client, again).text
    # Reverting brings the alert back; reverting that revert acknowledges it again.
    undo = post_form(
        client, f"/audit/{entry['id']}/revert", {"reason": "not done"}, token=csrf_of(client)
    )
    assert "Reverted entry" in follow(client, undo).text
    assert f'data-alert="{ids.alert}"' in client.get(f"{BASE}/alerts").text
    revert_entry = last_entry(demo)
    row = re.search(
        rf'<tr data-entry="{revert_entry["id"]}".*?</tr>', client.get("/audit").text, re.S
    )
    assert row and "revert-entry" in row[0]
    redo = post_form(
        client,
        f"/audit/{revert_entry['id']}/revert",
        {"reason": "it was done"},
        token=csrf_of(client),
    )
    assert "Reverted entry" in follow(client, redo).text
    assert f'data-alert="{ids.alert}"' not in client.get(f"{BASE}/alerts").text


def test_merging_and_splitting_entities(fresh: tuple[Demo, FastAPI]) -> None:
    demo, app = fresh
    client = sign_in(app, "analyst")
    token = csrf_of(client, f"{BASE}/entities")
    merged = post_form(
        client,
        f"{BASE}/entities/merge",
        {"alias": "Party", "canonical": "Workers' Party of Korea", "reason": "same body"},
        token=token,
    )
    page = follow(client, merged).text
    assert "Merged Party into Workers" in page
    assert 'class="split-entity' in page
    entry = last_entry(demo)
    assert (entry["action"], entry["actor"], entry["target"]) == (
        "entity.merge",
        "analyst",
        "party",
    )
    split = post_form(
        client, f"{BASE}/entities/split", {"alias": "Party", "reason": "not the same"}, token=token
    )
    assert "its own entity again" in follow(client, split).text
    entry = last_entry(demo)
    assert (entry["action"], entry["actor"]) == ("entity.split", "analyst")


def test_accepting_and_rejecting_suggestions(fresh: tuple[Demo, FastAPI]) -> None:
    demo, app = fresh
    ids = demo_ids(demo)
    client = sign_in(app, "analyst")
    board = client.get(f"{BASE}/milestones").text
    assert 'class="accept-suggestion' in board and 'class="reject-suggestion' in board
    token = csrf_of(client)
    accepted = post_form(
        client,
        f"{BASE}/suggestions/{ids.suggestion}/accept",
        {"key": "production-up", "title": "Production stepped up", "reason": "announced"},
        token=token,
    )
    page = follow(client, accepted).text
    assert "Accepted suggestion" in page
    assert 'data-milestone="production-up"' in page  # on the board, pending
    entry = last_entry(demo)
    assert (entry["action"], entry["actor"], entry["target"]) == (
        "milestone.accept",
        "analyst",
        "production-up",
    )
    again = post_form(client, f"{BASE}/suggestions/{ids.suggestion}/reject", {}, token=token)
    assert "already accepted" in follow(client, again).text
    # A second suggestion, to reject.
    with demo.store() as store, store.transaction() as conn:
        from watchboard.store import assessment as assess_q
        from watchboard.store import cases as case_q

        case_id = case_q.find_id(conn, CASE)
        assert case_id is not None
        row = dict(assess_jobs.milestone_suggestions(store, CASE, status="accepted")[0])
        row.update(key="another-one", status="pending")
        for column in ("id", "case_id"):
            row.pop(column)
        assess_q.add_suggestions(conn, case_id, [row])
    rejected = post_form(
        client, f"{BASE}/suggestions/another-one/reject", {"reason": "duplicate"}, token=token
    )
    assert "Rejected suggestion another-one" in follow(client, rejected).text
    entry = last_entry(demo)
    assert (entry["action"], entry["actor"], entry["reason"]) == (
        "milestone.reject",
        "analyst",
        "duplicate",
    )


def test_linking_evidence_to_a_milestone(fresh: tuple[Demo, FastAPI]) -> None:
    demo, app = fresh
    ids = demo_ids(demo)
    client = sign_in(app, "analyst")
    token = csrf_of(client, f"{BASE}/milestones")
    response = post_form(
        client,
        f"{BASE}/milestones/link",
        {"milestone": "congress-plan", "claim": ids.claim[:8], "role": "contradicts", "note": "n"},
        token=token,
    )
    page = follow(client, response).text
    assert f"Linked claim {ids.claim} to milestone congress-plan (contradicts)" in page
    assert f'href="{BASE}/claims/{ids.claim}">{ids.claim[:8]}</a> by analyst' in page
    entry = last_entry(demo)
    assert (entry["action"], entry["actor"], entry["target"]) == (
        "milestone.link",
        "analyst",
        "congress-plan",
    )
    assert entry["after"] == {"claim": ids.claim, "role": "contradicts"}
    unknown = post_form(
        client,
        f"{BASE}/milestones/link",
        {"milestone": "congress-plan", "claim": "ffffffff"},
        token=token,
    )
    assert "No claim" in follow(client, unknown).text


def test_reverting_a_change_from_the_audit_page(fresh: tuple[Demo, FastAPI]) -> None:
    demo, app = fresh
    ids = demo_ids(demo)
    client = sign_in(app, "analyst")
    token = csrf_of(client)
    post_form(
        client,
        f"{BASE}/claims/{ids.claim}/correct",
        {"modality": "denied", "reason": "first look"},
        token=token,
    )
    corrected = last_entry(demo)
    audit = client.get(f"{BASE}/audit").text
    assert 'id="audit-table"' in audit
    assert f'action="/audit/{corrected["id"]}/revert"' in audit
    response = post_form(
        client,
        f"/audit/{corrected['id']}/revert",
        {"reason": "second look", "next": f"{BASE}/audit"},
        token=token,
    )
    assert response.headers["location"] == f"{BASE}/audit"
    assert f"Reverted entry {corrected['id']}" in follow(client, response).text
    entry = last_entry(demo)
    assert entry["actor"] == "analyst" and entry["action"] == "claim.correct"
    assert entry["before"] == corrected["after"] and entry["after"] == corrected["before"]
    assert audit_entries(demo)[-2] == corrected  # the old entry is kept as it was
    with demo.store() as store:
        assert jobs.get_claim(store, ids.claim)["modality"] == corrected["before"]["modality"]


def test_an_analyst_cannot_revert_a_change_outside_any_case(fresh: tuple[Demo, FastAPI]) -> None:
    demo, app = fresh
    analyst = sign_in(app, "analyst")
    post_form(
        analyst,
        "/sources/regrade",
        {"name": "KCNA", "reliability": "D", "reason": "x"},
        token=csrf_of(analyst),
    )
    entry = last_entry(demo)
    assert entry["case_id"] is None
    # The analyst sees only the entries of their cases, so no Revert button for it.
    assert f'data-entry="{entry["id"]}"' not in analyst.get("/audit").text
    refused = post_form(
        analyst, f"/audit/{entry['id']}/revert", {"reason": "x"}, token=csrf_of(analyst)
    )
    assert refused.status_code == 403
    admin = sign_in(app, "admin")
    assert f'action="/audit/{entry["id"]}/revert"' in admin.get("/audit").text
    done = post_form(admin, f"/audit/{entry['id']}/revert", {"reason": "y"}, token=csrf_of(admin))
    assert done.status_code == 303
    assert last_entry(demo)["actor"] == "admin"


def test_entries_that_cannot_be_reverted_have_no_button(admin: TestClient, shared: Demo) -> None:
    html = admin.get("/audit").text
    for entry in audit_entries(shared):
        if entry["action"] == "user.add":
            row = re.search(rf'<tr data-entry="{entry["id"]}".*?</tr>', html, re.S)
            assert row and "revert-entry" not in row[0]
