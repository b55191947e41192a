"""The workbench in a real browser: sign in, read, correct, acknowledge, audit; offline API docs.

The tests of this module share one live server (a SQLite copy of the demo case); the one test
that changes things (correct a claim, acknowledge an alert, find both in the audit log) does it
as one scenario, so no test depends on another's order. Selectors are the stable hooks
documented at the top of ``watchboard/web/pages.py``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pytest

from ..conftest import CASE, LiveServer
from .conftest import Watch, screenshot, sign_in

if TYPE_CHECKING:
    from playwright.sync_api import Page


def api(server: LiveServer, path: str, username: str = "admin") -> Any:
    with server.client(headers=server.demo.auth(username)) as client:
        response = client.get("/api/v1" + path)
        assert response.status_code == 200, response.text
        return response.json()


def label(value: str) -> str:
    return value.replace("_", " ").lower()


def test_signing_in_through_the_form_shows_the_cases(page: Page, live_server: LiveServer) -> None:
    sign_in(page, live_server, "analyst")
    assert page.locator("header .who").inner_text().startswith("analyst")
    rows = page.locator("#case-table tr[data-case]")
    assert rows.count() == 1
    assert rows.first.get_attribute("data-case") == CASE
    cookies = {c["name"]: c for c in page.context.cookies()}
    session = cookies["wb_session"]
    assert session["httpOnly"] is True
    assert session["sameSite"] == "Strict"


def test_a_wrong_password_is_refused_on_the_form(
    page: Page, live_server: LiveServer, watch: Watch
) -> None:
    watch.allow(r"status of 401")
    page.goto(live_server.url + "/login")
    page.fill("input[name=username]", "viewer")
    page.fill("input[name=password]", "not-the-password")
    page.click("form[action='/login'] button[type=submit]")
    assert "wrong user name or password" in page.locator("p.error").inner_text()
    assert "wb_session" not in {c["name"] for c in page.context.cookies()}


def test_the_api_docs_render_offline(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url + "/api/docs")
    operations = page.locator(".opblock")
    operations.first.wait_for()
    spec = api(live_server, "/openapi.json")
    described = sum(len(ops) for ops in spec["paths"].values())
    assert operations.count() == described
    assert page.locator(".opblock-summary-path", has_text="/api/v1/cases/{slug}/claims").count()
    assert "Watchboard" in page.locator(".info .title").inner_text()
    screenshot(page, "api-docs")


def test_the_overview_shows_the_case_counts(
    page: Page, live_server: LiveServer, watch: Watch
) -> None:
    sign_in(page, live_server, "analyst")
    page.click(f"#case-table tr[data-case={CASE}] a")
    page.wait_for_url(f"{live_server.url}/cases/{CASE}")
    claims = api(live_server, f"/cases/{CASE}/claims?limit=500")["items"]
    documents = api(live_server, f"/cases/{CASE}/documents?limit=500")["items"]
    counts = page.locator("#case-counts")
    assert counts.locator("[data-count=claims] .n").inner_text() == str(len(claims))
    assert counts.locator("[data-count=documents] .n").inner_text() == str(len(documents))
    assert page.locator("nav.case-nav a[aria-current=page]").count() == 1
    screenshot(page, "overview")
    # The watcher saw the page's own assets (and, checked at teardown, nothing else).
    assert any("/static/" in url for url in watch.requests)


def test_clicking_a_highlighted_claim_shows_its_fields(page: Page, live_server: LiveServer) -> None:
    sign_in(page, live_server, "viewer", goto=f"/cases/{CASE}/documents")
    page.locator("#document-table a").first.click()
    page.wait_for_url(re.compile(rf"/cases/{CASE}/documents/\w+"))
    mark = page.locator("#document-text mark[data-claim]").first
    claim_id = mark.get_attribute("data-claim")
    assert claim_id
    mark.click()
    panel = page.locator(f"#claim-panel .claim-detail[data-claim='{claim_id}']")
    panel.wait_for()
    claim = api(live_server, f"/claims/{claim_id}")
    fields = page.locator("#claim-fields")
    assert (
        label(claim["modality"]) in fields.locator("[data-field=modality] dd").inner_text().lower()
    )
    asserted = fields.locator("[data-field=asserted_by] dd").inner_text()
    assert (claim["asserted_by"] or "unknown") in asserted
    assert panel.locator("blockquote.quote").inner_text().strip() == claim["quote"].strip()
    # A viewer may read but is not offered the correction form.
    assert page.locator("form#correct-claim").count() == 0
    screenshot(page, "reader-with-panel")


def correct_a_claim(page: Page, server: LiveServer) -> str:
    """Change the first claim's modality (with a reason) in the reader's panel; its id."""
    claim = api(server, f"/cases/{CASE}/claims?limit=1")["items"][0]
    new = "speculative" if claim["modality"] != "speculative" else "stated"
    page.goto(f"{server.url}/cases/{CASE}/documents/{claim['document_id']}")
    page.locator(f"#document-text mark[data-claim='{claim['id']}']").first.click()
    panel = page.locator(f"#claim-panel .claim-detail[data-claim='{claim['id']}']")
    panel.wait_for()
    panel.locator("details.correct summary").click()
    form = panel.locator("form#correct-claim")
    form.locator("select[name=modality]").select_option(new)
    form.locator("textarea[name=reason]").fill("the report speculates; checked in the browser")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert page.locator("#flash").get_attribute("data-kind") == "done"
    modality = page.locator("#claim-fields [data-field=modality] dd")
    modality.wait_for()
    assert label(new) in modality.inner_text().lower()
    assert modality.locator(".badge.corrected").count() == 1
    after = api(server, f"/claims/{claim['id']}")
    assert after["modality"] == new
    assert "modality" in after["corrected"]
    return str(claim["id"])


def acknowledge_an_alert(page: Page, server: LiveServer) -> str:
    """Acknowledge the newest alert with a note on the alerts page; its id."""
    page.goto(f"{server.url}/cases/{CASE}/alerts")
    alert = page.locator("#alert-list .alert[data-alert]").first
    alert_id = alert.get_attribute("data-alert")
    assert alert_id
    screenshot(page, "alerts")
    alert.locator("form.ack-alert input[name=note]").fill("seen in the browser test")
    with page.expect_navigation():
        alert.locator("form.ack-alert button[type=submit]").click()
    assert page.locator("#flash").get_attribute("data-kind") == "done"
    assert page.locator(f"#alert-list .alert[data-alert='{alert_id}']:not(.acked)").count() == 0
    acked = {a["id"]: a for a in api(server, f"/cases/{CASE}/alerts?all=true")}
    assert acked[alert_id]["acknowledged_by"] == "analyst"
    assert acked[alert_id]["ack_note"] == "seen in the browser test"
    return alert_id


def test_a_correction_and_an_acknowledgement_show_in_the_audit_log(
    page: Page, live_server: LiveServer
) -> None:
    sign_in(page, live_server, "analyst")
    claim_id = correct_a_claim(page, live_server)
    alert_id = acknowledge_an_alert(page, live_server)

    page.goto(f"{live_server.url}/audit")
    rows = page.locator("#audit-table tr[data-entry]")
    rows.first.wait_for()
    correction = page.locator("#audit-table tr[data-action='claim.correct']", has_text=claim_id)
    assert correction.count() == 1
    assert "analyst" in correction.inner_text()
    assert "checked in the browser" in correction.inner_text()
    ack = page.locator("#audit-table tr[data-action='alert.ack']", has_text=alert_id)
    assert ack.count() == 1
    assert "analyst" in ack.inner_text()
    screenshot(page, "audit")


@pytest.mark.parametrize(
    ("name", "path", "ready"),
    [
        ("documents", "/documents", "#document-table"),
        ("claims-table", "/claims", "#claims-table tr[data-claim]"),
        ("map", "/map", "#map[data-ready=true]"),
        ("timeline", "/timeline", "#timeline-table"),
        ("milestones", "/milestones", "#milestone-board"),
        ("indicators", "/indicators", ".indicator[data-indicator]"),
        ("entities", "/entities", "#entity-table"),
        ("brief", "/brief", "a#brief-pdf"),
        ("sources", "/../../sources", "#source-table tr[data-source]"),
    ],
)
def test_every_page_renders_from_the_server_alone(
    page: Page, live_server: LiveServer, name: str, path: str, ready: str
) -> None:
    url = f"/cases/{CASE}{path}" if not path.startswith("/../") else path.replace("/../..", "")
    sign_in(page, live_server, "analyst", goto=url)
    page.locator(ready).first.wait_for()
    # Every image (the charts) loads: lazy ones are made eager first; a broken one has no width.
    broken = page.evaluate(
        """async () => {
            const images = Array.from(document.images);
            images.forEach((i) => { i.loading = "eager"; });
            await Promise.all(images.map((i) => i.complete ? null
                : new Promise((done) => { i.onload = done; i.onerror = done; })));
            return images.filter((i) => i.naturalWidth === 0).map((i) => i.src);
        }"""
    )
    assert broken == [], broken
    screenshot(page, name)


def test_an_outsider_gets_a_not_found_page_for_the_case(
    page: Page, live_server: LiveServer, watch: Watch
) -> None:
    watch.allow(r"status of 404")
    sign_in(page, live_server, "outsider")
    response = page.goto(f"{live_server.url}/cases/{CASE}")
    assert response is not None
    assert response.status == 404
    text = page.locator("main").inner_text()
    assert "Not found" in text
    details = api(live_server, f"/cases/{CASE}")
    assert details["title"] not in text
