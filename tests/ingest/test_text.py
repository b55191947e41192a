"""Plain text and Markdown: one draft each, with what metadata the file itself gives."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from watchboard.errors import InputError
from watchboard.ingest.text import read_text
from watchboard.model import RawInput

RawFactory = Callable[..., RawInput]

FRONT_MATTER = """---
title: "Kim orders missile factory expansion"
author: [Desk One, Desk Two]
published: 2025-12-26T10:00:00+09:00
url: https://example.org/story
source: Yonhap
tags: dprk
---

State media reported on Friday that new factories were ordered.
"""


def test_plain_text_has_no_title_and_no_key(raw: RawFactory) -> None:
    data = "(Seoul) North Korea’s leader ordered an expansion.\r\nSecond line.\n".encode()
    draft = read_text(raw(data, "seed.txt", path="seed.txt"))
    assert draft.text == "(Seoul) North Korea’s leader ordered an expansion.\nSecond line.\n"
    assert (draft.title, draft.key, draft.url, draft.published_at) == (None, None, None, None)
    assert (draft.extractor, draft.media_type, draft.encoding) == ("text", "text/plain", "utf-8")
    assert draft.raw == data
    assert draft.label == "seed.txt"
    assert draft.warnings == ()


def test_plain_text_reads_mail_like_headers_as_metadata(raw: RawFactory) -> None:
    data = (
        b"Title: Factories ordered\nAuthor: A. Analyst\nPublished: 26 December 2025\n"
        b"Source: KCNA\nURL: https://example.org/a\n\nBody text here.\n"
    )
    draft = read_text(raw(data, "note.txt", path="note.txt"))
    assert draft.title == "Factories ordered"
    assert draft.author == "A. Analyst"
    assert draft.published_at == datetime(2025, 12, 26, tzinfo=UTC)
    assert draft.source_hint == "KCNA"
    assert draft.url == "https://example.org/a"
    assert draft.text == "Body text here.\n"  # the headers are metadata, not article text
    assert draft.raw.startswith(b"Title: Factories ordered\n")  # ... and kept in the raw bytes


def test_markdown_title_is_the_first_level_one_heading(raw: RawFactory) -> None:
    data = b"Some intro line\n\n# The Real Title #\n\nBody.\n\n# Another\n"
    draft = read_text(raw(data, "a.md", path="a.md"))
    assert (draft.title, draft.extractor, draft.media_type) == (
        "The Real Title",
        "markdown",
        "text/markdown",
    )


def test_markdown_title_falls_back_to_a_short_first_line(raw: RawFactory) -> None:
    assert read_text(raw(b"\n**Short first line**\n\nBody.", "a.md", path="a.md")).title == (
        "Short first line"
    )
    long_line = ("word " * 50).encode()
    assert read_text(raw(long_line + b"\n\nBody.", "a.md", path="a.md")).title is None


def test_markdown_front_matter_gives_metadata_and_is_removed(raw: RawFactory) -> None:
    draft = read_text(raw(FRONT_MATTER.encode(), "story.md", path="story.md"))
    assert draft.text == "State media reported on Friday that new factories were ordered.\n"
    assert draft.title == "Kim orders missile factory expansion"
    assert draft.author == "Desk One, Desk Two"
    assert draft.published_at == datetime(2025, 12, 26, 1, tzinfo=UTC)
    assert draft.url == "https://example.org/story"
    assert draft.source_hint == "Yonhap"
    assert draft.metadata == {"front_matter": {"tags": "dprk"}}
    assert draft.key is None


def test_front_matter_makes_a_text_file_markdown(raw: RawFactory) -> None:
    draft = read_text(raw(b"---\ntitle: T\n---\nBody.\n", "<stdin>"))
    assert (draft.extractor, draft.title, draft.text) == ("markdown", "T", "Body.\n")


def test_invalid_front_matter_is_kept_with_a_warning(raw: RawFactory) -> None:
    data = b"---\ntitle: [unclosed\n---\n# Heading\n"
    draft = read_text(raw(data, "bad.md", path="bad.md"))
    assert draft.text == data.decode()
    assert draft.title == "Heading"
    assert len(draft.warnings) == 1
    assert draft.warnings[0].startswith("front matter ignored: not valid YAML (")


def test_absurd_front_matter_date_is_left_empty_with_a_warning(raw: RawFactory) -> None:
    draft = read_text(raw(b"---\npublished: '2025-02-30'\n---\nBody.\n", "a.md", path="a.md"))
    assert draft.published_at is None
    assert draft.warnings == (
        "published date ignored: absurd date '2025-02-30' (day is out of range for month)",
    )


def test_text_reports_a_guessed_encoding(raw: RawFactory) -> None:
    draft = read_text(raw("Le café est fermé.".encode("cp1252"), "fr.txt", path="fr.txt"))
    assert (draft.text, draft.encoding) == ("Le café est fermé.", "cp1252")
    assert draft.warnings == ("not valid UTF-8; encoding detected as cp1252 (Western European)",)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty.md: empty input"),
        (b"\n \n", "empty.md: empty input"),
        (b"---\ntitle: Only\n---\n\n", "empty.md: empty input (nothing after the front matter)"),
        (b"\x00\x01binary", "empty.md: binary content, not text (contains NUL bytes)"),
    ],
)
def test_text_refuses_empty_and_binary_input(raw: RawFactory, data: bytes, message: str) -> None:
    with pytest.raises(InputError) as info:
        read_text(raw(data, "empty.md", path="empty.md"))
    assert str(info.value) == message
