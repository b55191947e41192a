"""PDF files: the text layer of every page, as one document, via pypdf.

Scanned PDFs have no text layer and are refused with advice to OCR them; encrypted PDFs are
opened with the empty password (many are "encrypted" only against editing) and refused when a
real one is needed. The document's CreationDate stands in for a publication date when present
(``metadata["published_from"]`` says so). pypdf logs every irregularity it repairs as a warning;
those go to a logger that is quietened to errors unless the application configured it.
"""

from __future__ import annotations

import io
import logging
import re
from typing import Any

import pypdf
from pypdf import PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError

from watchboard.errors import InputError
from watchboard.ingest.dates import metadata_datetime
from watchboard.ingest.decode import clean_text
from watchboard.model import Draft, RawInput

log = logging.getLogger(__name__)

EXTRACTOR = f"pypdf/{pypdf.__version__}"
_PDF_DATE = re.compile(
    r"(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?\s*(?:(Z)|([+-])(\d{2})'?(\d{2})?'?)?"
)
_USELESS_TITLES = {"untitled", "title", "document", "microsoft word"}

_pypdf_log = logging.getLogger("pypdf")
if _pypdf_log.level == logging.NOTSET:
    _pypdf_log.setLevel(logging.ERROR)


def read_pdf(raw: RawInput) -> Draft:
    """Extract the text layer of a PDF into one :class:`Draft`."""
    warnings: list[str] = []
    reader = _open(raw)
    pages = _pages(reader, raw.label)
    texts = []
    for number, page in enumerate(pages, start=1):
        try:
            texts.append(page.extract_text() or "")
        except Exception as exc:  # one bad page should not lose the others
            log.debug("pypdf failed on page %d of %s", number, raw.label, exc_info=True)
            warnings.append(f"page {number}: text could not be extracted ({_reason(exc)})")
    info = _info(reader)
    text = clean_text("\n\n".join(t.strip() for t in texts if t.strip()))
    if not text.strip():
        raise InputError(raw.label, "PDF has no text layer (scanned? OCR it first)")
    published_at, warning = metadata_datetime(
        _pdf_date(info.get("/CreationDate")), label=raw.label, name="creation"
    )
    if warning:
        warnings.append(warning)
    metadata: dict[str, Any] = {"pages": len(pages)}
    if published_at is not None:
        metadata["published_from"] = "PDF CreationDate"
    return Draft(
        text=text,
        raw=raw.data,
        label=raw.label,
        extractor=EXTRACTOR,
        media_type=raw.media_type or "application/pdf",
        retrieved_at=raw.retrieved_at,
        key=raw.url,
        url=raw.url,
        title=_title(info.get("/Title")),
        author=_string(info.get("/Author")),
        published_at=published_at,
        warnings=tuple(warnings),
        metadata=metadata,
    )


def _open(raw: RawInput) -> PdfReader:
    if not raw.data.strip():
        raise InputError(raw.label, "empty input")
    try:
        reader = PdfReader(io.BytesIO(raw.data), strict=False)
    except Exception as exc:  # pypdf raises many kinds of errors on damaged files
        raise InputError(raw.label, f"malformed PDF: {_reason(exc)}") from exc
    if reader.is_encrypted:
        try:
            decrypted = reader.decrypt("")
        except DependencyError as exc:
            raise InputError(
                raw.label, "encrypted PDF (AES; install the 'cryptography' package to open it)"
            ) from exc
        except Exception as exc:
            raise InputError(raw.label, f"malformed PDF: {_reason(exc)}") from exc
        if not decrypted:
            raise InputError(raw.label, "encrypted PDF (password required)")
    return reader


def _pages(reader: PdfReader, label: str) -> list[Any]:
    try:
        pages = list(reader.pages)
    except FileNotDecryptedError as exc:
        raise InputError(label, "encrypted PDF (password required)") from exc
    except Exception as exc:
        raise InputError(label, f"malformed PDF: {_reason(exc)}") from exc
    if not pages:
        raise InputError(label, "malformed PDF: it has no pages")
    return pages


def _info(reader: PdfReader) -> dict[str, Any]:
    try:
        info = reader.metadata
        return {str(k): v for k, v in (info or {}).items()}
    except Exception:  # damaged metadata is no reason to lose the text
        log.debug("unreadable PDF metadata", exc_info=True)
        return {}


def _pdf_date(value: object) -> str | None:
    """``D:20251226103000+09'00'`` to ISO 8601; ``None`` when absent or not a PDF date."""
    text = _string(value)
    if not text:
        return None
    match = _PDF_DATE.fullmatch(text.strip())
    if not match:
        return text  # let the general parser try (and report it when it cannot)
    year, month, day, hour, minute, second, zulu, sign, zone_hours, zone_minutes = match.groups()
    iso = f"{year}-{month or '01'}-{day or '01'}T{hour or '00'}:{minute or '00'}:{second or '00'}"
    if sign:
        iso += f"{sign}{zone_hours}:{zone_minutes or '00'}"
    elif zulu:
        iso += "+00:00"
    return iso


def _title(value: object) -> str | None:
    title = _string(value)
    if title and title.lower().startswith("microsoft word - "):
        title = title[len("microsoft word - ") :].strip() or None
    if not title or title.lower() in _USELESS_TITLES:
        return None
    return title


def _string(value: object) -> str | None:
    if value is None:
        return None
    try:
        text = " ".join(str(value).split())
    except Exception:
        return None
    return text or None


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    if len(text) > 120:
        text = text[:117] + "..."
    return text or type(exc).__name__
