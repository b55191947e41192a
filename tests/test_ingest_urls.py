"""Ingesting from a real HTTP server on 127.0.0.1: edited stories become versions, feeds with
linked pages, unreachable URLs."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest

from watchboard import jobs
from watchboard.config import Settings
from watchboard.store import Store

PAGE = (
    "<html><head><title>{title}</title>"
    '<meta property="article:published_time" content="2025-12-26T06:00:00+09:00">'
    "</head><body><nav>Home | World | Sport</nav><article><h1>{title}</h1>"
    "<p>{body}</p></article><footer>Copyright</footer></body></html>"
)
BODY = (
    "The leader inspected munitions enterprises and ordered production of missiles and shells "
    "to be expanded next year. He called for new factories and a higher production capacity "
    "to meet the needs of the armed forces, the agency said."
)


class _Handler(BaseHTTPRequestHandler):
    pages: ClassVar[dict[str, tuple[str, bytes]]] = {}

    def do_GET(self) -> None:
        if self.path not in self.pages:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        content_type, body = self.pages[self.path]
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: Any) -> None:
        pass


@pytest.fixture
def site() -> Iterator[tuple[str, dict[str, tuple[str, bytes]]]]:
    pages: ClassVar[dict[str, tuple[str, bytes]]] = {}
    handler = type("Handler", (_Handler,), {"pages": pages})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", pages
    server.shutdown()
    server.server_close()


def _ingest(settings: Settings, *targets: str, **options: Any) -> jobs.IngestReport:
    with Store.open(settings.database_url) as store:
        return jobs.ingest_inputs(
            store, settings, list(targets), options=jobs.IngestOptions(**options)
        )


def test_an_edited_story_becomes_a_new_version_with_a_diff(workspace: Settings, site) -> None:
    base, pages = site
    url = f"{base}/story.html"
    pages["/story.html"] = (
        "text/html; charset=utf-8",
        PAGE.format(title="Directive", body=BODY).encode(),
    )
    assert _ingest(workspace, url).counts["new"] == 1
    assert _ingest(workspace, url).counts["unchanged"] == 1
    edited = BODY.replace("missiles and shells", "shells")
    pages["/story.html"] = (
        "text/html; charset=utf-8",
        PAGE.format(title="Directive (updated)", body=edited).encode(),
    )
    assert _ingest(workspace, url).counts["updated"] == 1
    with Store.open(workspace.database_url) as store:
        diff = jobs.diff_document(store, url)
        old, new = jobs.document_versions(store, url)
        old_raw, new_raw = jobs.raw_bytes(store, old), jobs.raw_bytes(store, new)
    assert diff.metadata["title"] == ("Directive", "Directive (updated)")
    assert any(line.startswith("-") and "missiles and shells" in line for line in diff.text_diff)
    assert b"missiles and shells" in old_raw and b"missiles and shells" not in new_raw
    assert old.url == url and old.key == url
    assert "Home | World" not in old.text  # boilerplate left out by the HTML extractor
    assert old.published_at.isoformat() == "2025-12-26T06:00:00+09:00"


def test_a_feed_with_linked_pages(workspace: Settings, site) -> None:
    base, pages = site
    items = "".join(
        f"<item><title>Item {n}</title><link>{base}/a{n}.html</link>"
        f"<pubDate>Fri, 26 Dec 2025 10:00:00 +0900</pubDate>"
        f"<description>Short summary {n}.</description></item>"
        for n in (1, 2)
    )
    pages["/feed.xml"] = (
        "application/rss+xml",
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>{items}'
        "</channel></rss>".encode(),
    )
    pages["/a1.html"] = ("text/html", PAGE.format(title="Item 1", body=BODY).encode())
    # /a2.html is missing: the entry keeps its summary, with a warning.
    report = _ingest(workspace, f"{base}/feed.xml", fetch_links=True)
    assert report.counts["new"] == 2
    with Store.open(workspace.database_url) as store:
        docs = {d.url: d for d in jobs.list_documents(store)}
    full, summary_only = docs[f"{base}/a1.html"], docs[f"{base}/a2.html"]
    assert "higher production capacity" in full.text
    assert summary_only.text.startswith("Short summary 2")
    assert any("404" in w for w in summary_only.warnings)


def test_unreachable_and_missing_urls_fail_cleanly(workspace: Settings, site) -> None:
    base, _pages = site
    report = _ingest(workspace, f"{base}/nothing-here", "http://127.0.0.1:9/closed")
    assert report.counts["failed"] == 2
    reasons = {f.label: f.reason for f in report.failures}
    assert reasons[f"{base}/nothing-here"] == "HTTP 404 Not Found"
    assert reasons["http://127.0.0.1:9/closed"].startswith("cannot connect")
    with Store.open(workspace.database_url) as store:
        assert jobs.list_documents(store) == []
