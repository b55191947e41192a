"""JSON Lines: streamed, one draft per line, a bad line is a yielded error labelled FILE:LINE."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from watchboard.errors import InputError
from watchboard.ingest.jsonl import read_jsonl
from watchboard.model import Draft

WHEN = datetime(2026, 1, 5, tzinfo=UTC)
KCNA_ROW = {
    "id": "kcna-2011-0",
    "title": "Leader Congratulates a President",
    "published": "2011-12-01",
    "source": "KCNA",
    "url": "http://www.kcna.co.jp/item/2011/201112/2011-12-01ee.html",
    "language": "en",
    "text": "General Secretary sent a congratulatory message on Thursday.",
}


def read(data: bytes, **options: object) -> list[Draft | InputError]:
    options.setdefault("max_line_bytes", 10_000)
    return list(
        read_jsonl(io.BytesIO(data), label="corpus.jsonl", retrieved_at=WHEN, **options)  # type: ignore[arg-type]
    )


def line(row: object) -> bytes:
    return json.dumps(row, ensure_ascii=False).encode() + b"\n"


def test_jsonl_reads_a_corpus_row(tmp_path) -> None:
    second = {**KCNA_ROW, "id": "kcna-2011-1", "text": "Another story on the same page."}
    first_draft, second_draft = read(line(KCNA_ROW) + line(second))
    assert isinstance(first_draft, Draft) and isinstance(second_draft, Draft)
    assert first_draft.text == KCNA_ROW["text"]
    assert first_draft.title == KCNA_ROW["title"]
    assert first_draft.published_at == datetime(2011, 12, 1, tzinfo=UTC)
    assert (first_draft.source_hint, first_draft.language) == ("KCNA", "en")
    assert first_draft.url == KCNA_ROW["url"]
    # URLs are shared by many rows in real corpora, so the row id keeps the keys apart.
    assert first_draft.key == f"{KCNA_ROW['url']}#kcna-2011-0"
    assert second_draft.key == f"{KCNA_ROW['url']}#kcna-2011-1"
    assert first_draft.label == "corpus.jsonl:1"
    assert second_draft.label == "corpus.jsonl:2"
    assert first_draft.raw == line(KCNA_ROW).rstrip(b"\n")
    assert (first_draft.extractor, first_draft.media_type) == ("jsonl", "application/x-ndjson")
    assert first_draft.metadata == {"line": 1, "id": "kcna-2011-0"}
    assert first_draft.retrieved_at == WHEN


@pytest.mark.parametrize(
    ("row", "key"),
    [
        ({"text": "t", "url": "https://e.org/a"}, "https://e.org/a"),
        ({"text": "t", "id": 42}, "corpus.jsonl#42"),
        ({"text": "t"}, None),
    ],
)
def test_jsonl_keys(row: dict[str, object], key: str | None) -> None:
    (draft,) = read(line(row))
    assert isinstance(draft, Draft)
    assert draft.key == key


def test_jsonl_field_names_can_be_mapped() -> None:
    row = {"body": "Mapped text.", "headline": "H", "date": "26 December 2025", "by": "A"}
    (draft,) = read(
        line(row),
        fields={"text": "body", "title": "headline", "published": "date", "author": "by"},
    )
    assert isinstance(draft, Draft)
    assert (draft.text, draft.title, draft.author) == ("Mapped text.", "H", "A")
    assert draft.published_at == datetime(2025, 12, 26, tzinfo=UTC)


def test_jsonl_unknown_field_name_is_refused() -> None:
    with pytest.raises(InputError) as info:
        read(line(KCNA_ROW), fields={"body": "text"})
    assert str(info.value) == (
        "corpus.jsonl: unknown JSON Lines field 'body' "
        "(known: text, title, published, url, source, id, language, author)"
    )


def test_jsonl_bad_lines_are_yielded_as_errors_and_reading_goes_on() -> None:
    data = b"".join(
        [
            line({"text": "good one"}),
            b'{"text": "unterminated\n',
            line(["not", "an", "object"]),
            line({"title": "no text"}),
            line({"text": "   "}),
            line({"text": 12}),
            b'{"text": "caf\xe9"}\n',
            b"\n",
            b"   \r\n",
            line({"text": "good two", "published": "2025-02-30"}),
            line({"text": "good three"}).rstrip(b"\n"),
        ]
    )
    results = [str(r) if isinstance(r, InputError) else r.text for r in read(data)]
    assert results == [
        "good one",
        "corpus.jsonl:2: invalid JSON (Unterminated string starting at column 10)",
        "corpus.jsonl:3: not a JSON object (got an array)",
        "corpus.jsonl:4: no 'text' field",
        "corpus.jsonl:5: empty 'text'",
        "corpus.jsonl:6: 'text' is a number, not a string",
        "corpus.jsonl:7: not valid UTF-8 (JSON Lines must be UTF-8)",
        "good two",
        "good three",
    ]
    dated = read(data)[-2]
    assert isinstance(dated, Draft)
    assert dated.label == "corpus.jsonl:10"
    assert dated.published_at is None
    assert dated.warnings == (
        "published date ignored: absurd date '2025-02-30' (day is out of range for month)",
    )


def test_jsonl_overlong_line_is_skipped_and_the_next_is_read() -> None:
    data = line({"text": "x" * 500}) + line({"text": "short"})
    first, second = read(data, max_line_bytes=100)
    assert str(first) == "corpus.jsonl:1: line is longer than 100 bytes; skipped"
    assert isinstance(second, Draft) and second.text == "short"
    assert second.label == "corpus.jsonl:2"


def test_jsonl_cleans_text_and_strips_a_bom() -> None:
    (draft,) = read(b"\xef\xbb\xbf" + line({"text": "a\r\nb\u0007 e\u0301"}))
    assert isinstance(draft, Draft)
    assert draft.text == "a\nb \u00e9"


def test_jsonl_empty_input_is_refused() -> None:
    with pytest.raises(InputError) as info:
        read(b"\n\n  \n")
    assert str(info.value) == "corpus.jsonl: empty input"


class _LazyCorpus(io.RawIOBase):
    """A 100 MB corpus made on demand, counting how much of it was asked for."""

    def __init__(self, rows: int) -> None:
        self.row = line({**KCNA_ROW, "text": "y" * 1000})
        self.remaining = rows
        self.pending = b""
        self.served = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        while len(self.pending) < len(buffer) and self.remaining:
            self.pending += self.row
            self.remaining -= 1
        size = min(len(buffer), len(self.pending))
        buffer[:size] = self.pending[:size]
        self.pending = self.pending[size:]
        self.served += size
        return size


def test_jsonl_streams_instead_of_reading_everything() -> None:
    corpus = _LazyCorpus(rows=100_000)
    drafts = read_jsonl(
        io.BufferedReader(corpus), label="big.jsonl", retrieved_at=WHEN, max_line_bytes=10_000
    )
    for _ in range(3):
        assert isinstance(next(drafts), Draft)
    assert corpus.served < 64 * 1024


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.binary(max_size=60),
            st.builds(
                line,
                st.dictionaries(
                    st.sampled_from(["text", "id", "url", "published"]),
                    st.one_of(st.text(max_size=20), st.integers(), st.none()),
                ),
            ),
        ),
        max_size=8,
    )
)
def test_jsonl_on_arbitrary_lines_yields_only_drafts_and_errors(lines: list[bytes]) -> None:
    data = b"\n".join(chunk.replace(b"\n", b" ") for chunk in lines)
    try:
        results = read(data, max_line_bytes=50)
    except InputError as exc:
        assert str(exc) == "corpus.jsonl: empty input"
        return
    assert 1 <= len(results) <= len(lines)
    for result in results:
        assert isinstance(result, Draft | InputError)
        assert result.label.startswith("corpus.jsonl:")
        if isinstance(result, Draft):
            assert result.text.strip()
