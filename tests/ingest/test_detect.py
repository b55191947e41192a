"""detect_kind: content first, then media type, then extension."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from watchboard.ingest.detect import detect_kind, is_markdown
from watchboard.model import RawInput

RawFactory = Callable[..., RawInput]

RSS = b'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel></channel></rss>'
ATOM = b'<?xml version="1.0"?><!-- c --><feed xmlns="http://www.w3.org/2005/Atom"></feed>'
RDF = b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
XHTML = (
    b'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN" '
    b'"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n'
    b'<html xmlns="http://www.w3.org/1999/xhtml"><body><p>x</p></body></html>'
)


@pytest.mark.parametrize(
    ("data", "options", "kind"),
    [
        (b"%PDF-1.7\n...", {}, "pdf"),
        (b"%PDF-1.4\n...", {"path": "notes.txt"}, "pdf"),
        (b"\r\n\r\n%PDF-1.4\n", {"path": "x.html"}, "pdf"),
        (RSS, {}, "feed"),
        (RSS, {"path": "page.html"}, "feed"),
        (ATOM, {}, "feed"),
        (RDF, {}, "feed"),
        (b"<!DOCTYPE html><html><body>x</body></html>", {"path": "a.txt"}, "html"),
        (b"\xef\xbb\xbf  <html lang=en><p>x</p></html>", {}, "html"),
        (XHTML, {"path": "a.xml"}, "html"),
        (b"<p>fragment</p>", {}, "html"),
        (b"<svg></svg>", {"path": "a.html"}, "html"),
        (b"<data/>", {"path": "a.xml"}, "feed"),
        (b"<data/>", {}, "text"),
        (b"plain words", {"media_type": "application/pdf"}, "pdf"),
        (b"plain words", {"media_type": "application/atom+xml"}, "feed"),
        (b"plain words", {"media_type": "text/html"}, "html"),
        (b"plain words", {"media_type": "text/markdown", "path": "x.html"}, "text"),
        (b"plain words", {"path": "report.PDF"}, "pdf"),
        (b"plain words", {"url": "https://example.org/feed.rss?x=1"}, "feed"),
        (b"plain words", {"path": "a.htm"}, "html"),
        (b"# Title", {"path": "a.md"}, "text"),
        (b"plain words", {"path": "a.markdown"}, "text"),
        (b"", {"path": "corpus.jsonl", "media_type": "application/x-ndjson"}, "jsonl"),
        (b"", {"path": "corpus.ndjson.gz"}, "jsonl"),
        (b'{"text": "a"}\n{"text": "b"}\n', {}, "jsonl"),
        (b'{"text": "' + b"a" * 5000, {}, "jsonl"),
        (b'{"text": "a"}', {"path": "a.txt"}, "text"),
        (b"{not json", {}, "text"),
        (b"just words", {}, "text"),
        (b"", {}, "text"),
    ],
)
def test_detect_kind(raw: RawFactory, data: bytes, options: dict[str, str], kind: str) -> None:
    assert detect_kind(raw(data, "x", **options)) == kind


def test_is_markdown_by_extension_or_media_type(raw: RawFactory) -> None:
    assert is_markdown(raw(b"x", path="notes/READ.ME.md"))
    assert is_markdown(raw(b"x", url="https://e.org/a.markdown"))
    assert is_markdown(raw(b"x", media_type="text/markdown"))
    assert not is_markdown(raw(b"x", path="a.txt"))
