"""PDF: the text layer as one draft; encrypted, damaged and scanned PDFs are refused clearly."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from watchboard.errors import InputError
from watchboard.ingest.pdf import read_pdf
from watchboard.model import RawInput

RawFactory = Callable[..., RawInput]
PdfFactory = Callable[..., bytes]

LINES = ["Kim ordered new munitions factories (Jan. 2026).", "Output: 50-70 per year, café"]


def test_pdf_text_layer_and_metadata(raw: RawFactory, pdf: PdfFactory) -> None:
    data = pdf(
        [LINES, ["Page two: timelines."]],
        info={"Title": "Directive", "Author": "KCNA", "CreationDate": "D:20251226103000+09'00'"},
    )
    draft = read_pdf(raw(data, "directive.pdf", path="directive.pdf"))
    assert draft.text == "\n".join(LINES) + "\n\nPage two: timelines."
    assert (draft.title, draft.author) == ("Directive", "KCNA")
    assert draft.published_at == datetime(2025, 12, 26, 1, 30, tzinfo=UTC)
    assert draft.metadata == {"pages": 2, "published_from": "PDF CreationDate"}
    assert draft.extractor.startswith("pypdf/")
    assert (draft.media_type, draft.key, draft.warnings) == ("application/pdf", None, ())
    assert draft.raw == data


def test_pdf_from_a_url_is_keyed_by_it(raw: RawFactory, pdf: PdfFactory) -> None:
    url = "https://example.org/report.pdf"
    draft = read_pdf(raw(pdf([LINES]), url, url=url))
    assert (draft.url, draft.key, draft.title, draft.published_at) == (url, url, None, None)


@pytest.mark.parametrize(
    ("info", "title", "published", "warnings"),
    [
        ({"Title": "Microsoft Word - Plan.docx"}, "Plan.docx", None, ()),
        (
            {"Title": "untitled", "CreationDate": "D:2025"},
            None,
            datetime(2025, 1, 1, tzinfo=UTC),
            (),
        ),
        (
            {"CreationDate": "D:20250230120000Z"},
            None,
            None,
            (
                "creation date ignored: absurd date '2025-02-30T12:00:00+00:00' "
                "(day is out of range for month)",
            ),
        ),
    ],
)
def test_pdf_metadata_oddities(
    raw: RawFactory,
    pdf: PdfFactory,
    info: dict[str, str],
    title: str | None,
    published: datetime | None,
    warnings: tuple[str, ...],
) -> None:
    draft = read_pdf(raw(pdf([LINES], info=info), "a.pdf"))
    assert (draft.title, draft.published_at, draft.warnings) == (title, published, warnings)


def test_encrypted_pdf_needing_a_password_is_refused(
    raw: RawFactory, pdf: PdfFactory, encrypted_pdf: Callable[..., bytes]
) -> None:
    data = encrypted_pdf(pdf([LINES]), user_password="secret")
    with pytest.raises(InputError) as info:
        read_pdf(raw(data, "locked.pdf"))
    assert str(info.value) == "locked.pdf: encrypted PDF (password required)"


def test_encrypted_pdf_with_an_empty_password_is_read(
    raw: RawFactory, pdf: PdfFactory, encrypted_pdf: Callable[..., bytes]
) -> None:
    data = encrypted_pdf(pdf([LINES]), user_password="")
    assert read_pdf(raw(data, "no-edit.pdf")).text == "\n".join(LINES)


def test_pdf_without_a_text_layer_is_refused(raw: RawFactory, pdf: PdfFactory) -> None:
    with pytest.raises(InputError) as info:
        read_pdf(raw(pdf([None, None]), "scan.pdf"))
    assert str(info.value) == "scan.pdf: PDF has no text layer (scanned? OCR it first)"


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.4\nthis is not really a pdf",
        b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
        b"trailer\n<< /Root 1 0 R >>\n",
        b"not a pdf at all",
    ],
)
def test_malformed_pdf_is_refused_quietly(
    raw: RawFactory, data: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING), pytest.raises(InputError) as info:
        read_pdf(raw(data, "broken.pdf"))
    assert str(info.value).startswith("broken.pdf: malformed PDF: ")
    assert "\n" not in str(info.value)
    assert not [r for r in caplog.records if r.name.startswith("pypdf")]


def test_truncated_pdf_gives_text_or_a_clear_error(raw: RawFactory, pdf: PdfFactory) -> None:
    data = pdf([LINES, LINES])
    for cut in range(50, len(data), 97):
        try:
            draft = read_pdf(raw(data[:cut], "cut.pdf"))
        except InputError as exc:
            assert exc.label == "cut.pdf"
        else:
            assert draft.text


def test_empty_pdf_file_is_refused(raw: RawFactory) -> None:
    with pytest.raises(InputError) as info:
        read_pdf(raw(b"", "empty.pdf"))
    assert str(info.value) == "empty.pdf: empty input"
