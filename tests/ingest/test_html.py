"""Web pages: main text and metadata through trafilatura; pages without prose are refused."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from watchboard.errors import InputError
from watchboard.ingest.html import html_to_text, read_html
from watchboard.model import RawInput

RawFactory = Callable[..., RawInput]

PAGE = """<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<title>Kim orders more missile factories | Example Wire</title>
<link rel="canonical" href="https://wire.example.org/2025/12/kim-factories">
<meta name="author" content="Jane Reporter">
<meta property="og:site_name" content="Example Wire">
<meta property="article:published_time" content="2025-12-26T10:00:00+09:00">
<meta name="description" content="State media report on a factory build-out.">
</head>
<body>
<nav><a href="/">Home</a> <a href="/asia">Asia</a> <a href="/about">About us</a></nav>
<article>
<h1>Kim orders more missile factories</h1>
<p>North Korea's leader ordered a sweeping expansion of missile production for the coming
year, including new factories, state media reported on Friday.</p>
<p>During a tour of munitions facilities, he directed the sites to meet forecast demand,
according to KCNA. Analysts said the plan would need imported machine tools.</p>
<script>var tracking = "should not appear";</script>
</article>
<footer>© Example Wire. All rights reserved.</footer>
</body>
</html>
"""


def test_html_extracts_main_text_and_metadata(raw: RawFactory) -> None:
    fetched = "https://wire.example.org/2025/12/kim-factories?utm_source=feed"
    draft = read_html(raw(PAGE.encode(), fetched, url=fetched, media_type="text/html"))
    assert "ordered a sweeping expansion of missile production" in draft.text
    assert "imported machine tools" in draft.text
    assert "should not appear" not in draft.text
    assert "About us" not in draft.text
    assert draft.title == "Kim orders more missile factories"
    assert draft.author == "Jane Reporter"
    assert draft.site_name == "Example Wire"
    assert draft.published_at == datetime(2025, 12, 26, 1, tzinfo=UTC)
    assert draft.url == draft.key == "https://wire.example.org/2025/12/kim-factories"
    assert draft.language == "en"
    assert draft.extractor.startswith("trafilatura/")
    assert (draft.media_type, draft.encoding, draft.warnings) == ("text/html", "utf-8", ())
    assert draft.metadata["fetched_url"] == fetched
    assert draft.metadata["description"] == "State media report on a factory build-out."
    assert draft.raw == PAGE.encode()


def test_html_from_a_file_has_no_url_unless_the_page_names_one(raw: RawFactory) -> None:
    page = PAGE.replace(
        '<link rel="canonical" href="https://wire.example.org/2025/12/kim-factories">', ""
    )
    draft = read_html(raw(page.encode(), "saved.html", path="saved.html"))
    assert (draft.url, draft.key) == (None, None)
    assert draft.media_type == "text/html"


def test_html_uses_the_declared_charset_without_a_guess_warning(raw: RawFactory) -> None:
    page = PAGE.replace('charset="utf-8"', 'charset="windows-1252"').replace(
        "Analysts said", "Analysts in Genève said"
    )
    draft = read_html(raw(page.encode("cp1252"), "legacy.html"))
    assert "Analysts in Genève said" in draft.text
    assert (draft.encoding, draft.warnings) == ("cp1252", ())


def test_html_with_a_wrong_declared_charset_says_so(raw: RawFactory) -> None:
    page = PAGE.replace('charset="utf-8"', 'charset="us-ascii"').replace(
        "Analysts said", "Analysts in Genève said"
    )
    draft = read_html(raw(page.encode("cp1252"), "legacy.html"))
    assert "Analysts in Genève said" in draft.text
    assert draft.warnings == (
        "declared charset 'us-ascii' does not fit the bytes; guessed instead",
        "not valid UTF-8; encoding detected as cp1252 (Western European)",
    )


@pytest.mark.parametrize(
    "page",
    [
        "<html><head><title>Portal</title></head><body><nav><a href=/>Home</a> "
        "<a href=/about>About us</a> <a href=/c>Contact</a></nav></body></html>",
        "<html><head><title>Empty</title></head><body></body></html>",
        "<html><body><script>render()</script><div id=app></div></body></html>",
    ],
)
def test_html_without_main_text_is_refused(raw: RawFactory, page: str) -> None:
    with pytest.raises(InputError) as info:
        read_html(raw(page.encode(), "https://example.org/portal"))
    assert str(info.value) == "https://example.org/portal: no main text found in HTML"


def test_html_with_an_absurd_date_keeps_the_text_and_warns(raw: RawFactory) -> None:
    page = PAGE.replace("2025-12-26T10:00:00+09:00", "2025-02-30")
    draft = read_html(raw(page.encode(), "a.html"))
    assert "missile production" in draft.text
    assert draft.published_at is None or draft.published_at.year == 2025


def test_html_to_text_keeps_paragraphs_and_drops_scripts() -> None:
    fragment = (
        "<p>First &amp; <b>bold</b> paragraph.</p><script>x()</script>"
        "<ul><li>one</li><li>two</li></ul>Tail<br>line"
    )
    assert html_to_text(fragment) == "First & bold paragraph.\n\none\ntwo\n\nTail\nline"


def test_html_refusal_does_not_log_library_warnings(
    raw: RawFactory, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING), pytest.raises(InputError):
        read_html(raw(b"<html><body></body></html>", "blank.html"))
    assert not [r for r in caplog.records if r.levelno < logging.ERROR]
