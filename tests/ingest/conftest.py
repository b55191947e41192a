"""Fixtures for the input readers: a hand-written PDF maker and a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import io
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from pypdf import PdfReader, PdfWriter

from watchboard.model import RawInput

RETRIEVED = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


def build_pdf(
    pages: Sequence[Sequence[str] | None], *, info: Mapping[str, str] | None = None
) -> bytes:
    """A valid PDF, written by hand: one page per item, each a list of Helvetica text lines.

    A page given as ``None`` has a drawing and no text (what a scan looks like to a reader).
    ``info`` becomes the document information dictionary (``Title``, ``Author``,
    ``CreationDate``...). The cross-reference table has the real byte offsets.
    """
    page_ids = [4 + 2 * n for n in range(len(pages))]
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{' '.join(f'{i} 0 R' for i in page_ids)}] "
        f"/Count {len(pages)} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    for page_id, lines in zip(page_ids, pages, strict=True):
        if lines is None:
            content = b"0.2 0.2 0.2 rg 72 72 468 648 re f"
        else:
            shown = b" ".join(b"(" + _pdf_string(line) + b") Tj T*" for line in lines)
            content = b"BT /F1 12 Tf 14 TL 72 720 Td " + shown + b" ET"
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (page_id + 1)
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    info_ref = b""
    if info:
        entries = b" ".join(
            b"/" + key.encode() + b" (" + _pdf_string(value) + b")" for key, value in info.items()
        )
        objects.append(b"<< " + entries + b" >>")
        info_ref = b" /Info %d 0 R" % len(objects)
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R" % (len(objects) + 1) + info_ref + b" >>\n"
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def _pdf_string(text: str) -> bytes:
    raw = text.encode("cp1252")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def encrypt_pdf(data: bytes, *, user_password: str, owner_password: str = "owner") -> bytes:
    """Encrypt a PDF with RC4-128 (pypdf does that without extra packages)."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=user_password, owner_password=owner_password, algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_raw(
    data: bytes,
    label: str = "input",
    *,
    url: str | None = None,
    media_type: str | None = None,
    path: str | None = None,
) -> RawInput:
    return RawInput(
        data=data, label=label, retrieved_at=RETRIEVED, url=url, media_type=media_type, path=path
    )


@pytest.fixture
def raw() -> Callable[..., RawInput]:
    """Build a RawInput: ``raw(data, label, url=..., media_type=..., path=...)``."""
    return make_raw


@pytest.fixture
def pdf() -> Callable[..., bytes]:
    """Build a PDF: ``pdf([["line", ...], None, ...], info={...})``."""
    return build_pdf


@pytest.fixture
def encrypted_pdf() -> Callable[..., bytes]:
    return encrypt_pdf


# --- a real HTTP server -------------------------------------------------------------------------

ARTICLE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title} | Test Wire</title>
<meta property="og:site_name" content="Test Wire">
<meta name="author" content="Desk Reporter">
<meta property="article:published_time" content="2025-12-26T09:00:00+09:00">
</head><body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>{title}</h1>
<p>{body} The order covers new production lines at several sites, according to state media.</p>
<p>Officials said the work would be finished within the year, while outside analysts were
sceptical about the schedule and about the supply of machine tools.</p>
</article><footer>Copyright Test Wire</footer></body></html>
"""


@dataclass
class Request:
    path: str
    at: float
    headers: dict[str, str]


@dataclass
class LocalServer:
    base: str
    requests: list[Request] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base + path

    def hits(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path == path]


BIG_BODY = b"x" * 200_000


def _feed(base: str) -> bytes:
    items = []
    for number, (slug, title) in enumerate(
        [("1", "Factory expansion ordered"), ("2", "Machine tools sought"), ("gone", "Lost page")],
        start=1,
    ):
        items.append(
            f"<item><title>{title}</title><link>{base}/articles/{slug}.html</link>"
            f"<guid>{base}/articles/{slug}.html</guid>"
            f"<pubDate>Fri, 2{number} Dec 2025 10:00:00 +0900</pubDate>"
            f"<description>&lt;p&gt;Summary of {title.lower()}.&lt;/p&gt;</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Test Wire</title><link>{base}/</link><description>d</description>"
        + "".join(items)
        + "</channel></rss>"
    ).encode()


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        self.server.record(Request(self.path, time.monotonic(), dict(self.headers.items())))
        base = self.server.base
        path = self.path
        if path in ("/article.html", "/articles/1.html", "/articles/2.html"):
            title = {"/articles/2.html": "Machine tools sought"}.get(
                path, "Factory expansion ordered"
            )
            body = f"Full text of {title.lower()}: the leader ordered more munitions factories."
            self._send(200, ARTICLE.format(title=title, body=body).encode(), "text/html")
        elif path == "/feed.xml":
            self._send(200, _feed(base), "application/rss+xml; charset=utf-8")
        elif path == "/plain.txt":
            self._send(200, b"Plain text served over HTTP.\n", "text/plain; charset=utf-8")
        elif path == "/echo-headers":
            self._send(200, json.dumps(dict(self.headers.items())).encode(), "application/json")
        elif path == "/redirect":
            self._redirect("/article.html")
        elif path == "/loop":
            self._redirect("/loop")
        elif path == "/slow":
            time.sleep(1.5)
            self._send(200, b"too late", "text/plain")
        elif path == "/big":
            self._send(200, BIG_BODY, "text/plain")
        elif path == "/big-chunked":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()  # no Content-Length: the body ends when the connection closes
            for start in range(0, len(BIG_BODY), 8192):
                self.wfile.write(BIG_BODY[start : start + 8192])
        else:
            self._send(404, b"not here", "text/plain")

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    base = ""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.base = f"http://127.0.0.1:{self.server_address[1]}"
        self.log: list[Request] = []
        self._lock = threading.Lock()

    def record(self, request: Request) -> None:
        with self._lock:
            self.log.append(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients that time out or stop reading close their end; that is the point


@pytest.fixture(scope="session")
def _http_server() -> Iterator[_Server]:
    server = _Server()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def http_server(_http_server: _Server) -> LocalServer:
    """The local server, with a fresh view of the requests it receives during the test."""
    _http_server.log.clear()
    local = LocalServer(base=_http_server.base)
    local.requests = _http_server.log
    return local


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
