"""Fetcher against a real HTTP server on 127.0.0.1: limits, errors, politeness, User-Agent."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest

from watchboard.config import FetchSettings
from watchboard.errors import FetchError, InputError
from watchboard.ingest import iter_inputs, read
from watchboard.ingest.fetch import Fetcher, format_size
from watchboard.model import Draft

from .conftest import LocalServer

AGENT = "WatchboardTest/0.1 (+https://example.org/tests)"


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    settings = FetchSettings(timeout=0.3, max_redirects=3, politeness_delay=0.0, user_agent=AGENT)
    with Fetcher(settings, max_bytes=100 * 1024) as fetcher:
        yield fetcher


def test_fetch_returns_bytes_final_url_and_media_type(
    fetcher: Fetcher, http_server: LocalServer
) -> None:
    url = http_server.url("/redirect")
    fetched = fetcher.fetch(url)
    assert fetched.label == url
    assert fetched.url == http_server.url("/article.html")
    assert fetched.media_type == "text/html"
    assert b"Factory expansion ordered" in fetched.data
    assert fetched.retrieved_at.tzinfo is not None
    assert fetched.path is None


def test_fetch_drops_media_type_parameters(fetcher: Fetcher, http_server: LocalServer) -> None:
    assert fetcher.fetch(http_server.url("/plain.txt")).media_type == "text/plain"


def test_fetch_sends_a_clear_user_agent(fetcher: Fetcher, http_server: LocalServer) -> None:
    headers = json.loads(fetcher.fetch(http_server.url("/echo-headers")).data)
    assert headers["User-Agent"] == AGENT
    assert "text/html" in headers["Accept"]


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/missing", "HTTP 404 Not Found"),
        ("/loop", "too many redirects (more than 3)"),
        ("/slow", "timed out after 0.3s"),
        ("/big", "larger than the 100.0 KB cap (set [ingest] max_bytes)"),
        ("/big-chunked", "larger than the 100.0 KB cap (set [ingest] max_bytes)"),
    ],
)
def test_fetch_failures_name_the_url_and_the_reason(
    fetcher: Fetcher, http_server: LocalServer, path: str, reason: str
) -> None:
    url = http_server.url(path)
    with pytest.raises(FetchError) as info:
        fetcher.fetch(url)
    assert str(info.value) == f"{url}: {reason}"


def test_fetch_reports_a_refused_connection(fetcher: Fetcher, closed_port: int) -> None:
    url = f"http://127.0.0.1:{closed_port}/x"
    with pytest.raises(FetchError) as info:
        fetcher.fetch(url)
    assert str(info.value).startswith(f"{url}: cannot connect (")


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://example.org/file.txt", "only http and https URLs can be fetched"),
        ("file:///etc/passwd", "only http and https URLs can be fetched"),
        ("http:///nohost", "not a valid URL (no host name)"),
    ],
)
def test_fetch_refuses_what_is_not_a_web_url(fetcher: Fetcher, url: str, reason: str) -> None:
    with pytest.raises(FetchError) as info:
        fetcher.fetch(url)
    assert str(info.value) == f"{url}: {reason}"


def test_fetch_spaces_requests_to_one_host(http_server: LocalServer) -> None:
    settings = FetchSettings(timeout=2, politeness_delay=0.4, user_agent=AGENT)
    with Fetcher(settings, max_bytes=1024 * 1024) as fetcher:
        started = time.monotonic()
        fetcher.fetch(http_server.url("/plain.txt"))
        fetcher.fetch(http_server.url("/article.html"))
    first, second = http_server.requests
    assert first.at - started < 0.3  # the first request does not wait
    assert second.at - first.at >= 0.39


def test_feed_entries_use_their_pages_through_the_fetcher(
    fetcher: Fetcher, http_server: LocalServer
) -> None:
    feed = fetcher.fetch(http_server.url("/feed.xml"))
    first, second, gone = read(feed, fetch_page=fetcher.fetch, max_bytes=1024 * 1024)
    assert isinstance(first, Draft) and isinstance(second, Draft) and isinstance(gone, Draft)
    assert "Full text of factory expansion ordered" in first.text
    assert "Full text of machine tools sought" in second.text
    assert first.key == first.url == http_server.url("/articles/1.html")
    assert first.title == "Factory expansion ordered"  # the feed's title, not the page's
    assert first.site_name == "Test Wire"
    assert first.extractor.startswith("trafilatura/")
    assert first.raw.startswith(b"<!doctype html>")
    assert first.metadata["page_url"] == http_server.url("/articles/1.html")
    gone_url = http_server.url("/articles/gone.html")
    assert gone.text == "Summary of lost page."
    assert gone.extractor.startswith("feedparser/")
    assert gone.warnings == (f"linked page not used: {gone_url}: HTTP 404 Not Found",)
    assert gone.raw == feed.data


def test_iter_inputs_fetches_urls_with_one_fetcher_and_closes_it(
    http_server: LocalServer,
) -> None:
    made: list[Fetcher] = []

    def factory() -> Fetcher:
        made.append(Fetcher(FetchSettings(politeness_delay=0.0), max_bytes=1024 * 1024))
        return made[-1]

    urls = [http_server.url("/plain.txt"), http_server.url("/missing"), "ftp://example.org/x"]
    results = list(iter_inputs(urls, max_bytes=1024, fetcher_factory=factory))
    assert results[0].data == b"Plain text served over HTTP.\n"  # type: ignore[union-attr]
    assert [str(r) for r in results[1:]] == [
        f"{urls[1]}: HTTP 404 Not Found",
        "ftp://example.org/x: only http and https URLs can be fetched",
    ]
    assert all(isinstance(r, InputError) for r in results[1:])
    assert len(made) == 1
    assert made[0]._client.is_closed


def test_format_size() -> None:
    assert format_size(60.2 * 1024 * 1024) == "60.2 MB"
    assert format_size(50 * 1024 * 1024) == "50.0 MB"
    assert format_size(2048) == "2.0 KB"
    assert format_size(512) == "512 bytes"
