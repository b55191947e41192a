"""read(): one entry point that picks the reader; whole-input failures raise InputError."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from watchboard.errors import InputError
from watchboard.ingest import detect_kind, read
from watchboard.model import Draft, RawInput

RawFactory = Callable[..., RawInput]
MAX = 1024 * 1024

ARTICLE = (
    b"<html><head><title>T</title></head><body><article><p>"
    + b"The leader ordered new factories to be built next year, state media said. " * 3
    + b"</p></article></body></html>"
)
RSS = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>F</title>'
    b"<item><title>A</title><link>https://e.org/a</link><description>Entry text.</description>"
    b"</item></channel></rss>"
)


def test_read_dispatches_on_content(raw: RawFactory, pdf: Callable[..., bytes]) -> None:
    cases = {
        "text": (raw(b"Plain words.", "a.txt", path="a.txt"), "text"),
        "markdown": (raw(b"# Title\n\nBody.", "a.md", path="a.md"), "markdown"),
        "html": (raw(ARTICLE, "a.html", path="a.html"), "trafilatura/"),
        "feed": (raw(RSS, "feed"), "feedparser/"),
        "pdf": (raw(pdf([["PDF words."]]), "a.txt", path="a.txt"), "pypdf/"),
        "jsonl": (raw(json.dumps({"text": "Row."}).encode(), "<stdin>"), "jsonl"),
    }
    for name, (given_raw, extractor) in cases.items():
        (draft,) = read(given_raw, max_bytes=MAX)
        assert isinstance(draft, Draft), name
        assert draft.extractor.startswith(extractor), name


@pytest.mark.parametrize("label", ["empty.txt", "empty.pdf", "empty.html", "empty.xml"])
def test_read_refuses_empty_input_of_every_kind(raw: RawFactory, label: str) -> None:
    with pytest.raises(InputError) as info:
        list(read(raw(b" \n", label, path=label), max_bytes=MAX))
    assert str(info.value) == f"{label}: empty input"


def test_read_refuses_binary_junk(raw: RawFactory) -> None:
    junk = bytes(range(256)) * 4
    with pytest.raises(InputError) as info:
        list(read(raw(junk, "junk.dat", path="junk.dat"), max_bytes=MAX))
    assert str(info.value) == "junk.dat: binary content, not text (contains NUL bytes)"


def test_read_jsonl_bytes_from_stdin_yields_per_line_errors(raw: RawFactory) -> None:
    data = b'{"text": "one"}\n[1]\n{"text": "two"}\n'
    results = list(read(raw(data, "<stdin>"), max_bytes=MAX))
    assert [r.text if isinstance(r, Draft) else str(r) for r in results] == [
        "one",
        "<stdin>:2: not a JSON object (got an array)",
        "two",
    ]


def test_read_passes_jsonl_field_names(raw: RawFactory) -> None:
    data = b'{"body": "mapped"}\n'
    (draft,) = read(raw(data, "c.jsonl"), jsonl_fields={"text": "body"}, max_bytes=MAX)
    assert isinstance(draft, Draft) and draft.text == "mapped"


PREFIXES = [
    b"",
    b"%PDF-1.4\n",
    b"<html>",
    b'<?xml version="1.0"?><rss version="2.0">',
    b"{",
    b"---\n",
]
NAMES = ["x", "x.txt", "x.md", "x.html", "x.xml", "x.pdf", "x.jsonl"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(PREFIXES), st.binary(max_size=600), st.sampled_from(NAMES))
def test_read_on_arbitrary_bytes_raises_only_input_errors(
    prefix: bytes, body: bytes, name: str
) -> None:
    given_raw = RawInput(data=prefix + body, label=name, retrieved_at=datetime.now(UTC), path=name)
    assert detect_kind(given_raw) in ("pdf", "feed", "html", "jsonl", "text")
    try:
        for result in read(given_raw, max_bytes=MAX):
            assert isinstance(result, Draft | InputError)
            if isinstance(result, Draft):
                assert result.text.strip()
    except InputError as exc:
        assert exc.label == name
        assert "\n" not in str(exc)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(PREFIXES), st.text(max_size=300), st.sampled_from(NAMES))
def test_read_on_arbitrary_text_raises_only_input_errors(
    prefix: bytes, body: str, name: str
) -> None:
    given_raw = RawInput(
        data=prefix + body.encode(), label=name, retrieved_at=datetime.now(UTC), path=name
    )
    try:
        results = list(read(given_raw, max_bytes=MAX))
    except InputError as exc:
        assert exc.label == name
        return
    assert all(isinstance(r, Draft | InputError) for r in results)
