"""Real receivers on 127.0.0.1: an HTTP server that records webhooks and an SMTP server."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from watchboard.delivery import AlertMessage

CREATED = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


def alert(number: int = 1, **changes: Any) -> AlertMessage:
    """An alert message; ``number`` makes the id and moves ``created_at`` on by that many hours."""
    fields: dict[str, Any] = {
        "id": f"a{number:04d}",
        "case": "dprk-2026",
        "rule": "new-contradiction",
        "kind": "contradiction",
        "title": f"Output figures disagree ({number})",
        "body": "KCNA reports 50 launchers a year.\nA wire report says 70.",
        "created_at": CREATED + timedelta(hours=number),
        "url": f"https://watchboard.example/alerts/a{number:04d}",
        "data": {"claims": ["3027a6d0", "9c1e22b4"], "score": 0.8},
    }
    return AlertMessage(**(fields | changes))


@dataclass
class Reply:
    status: int = 200
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b"ok"


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


class HookServer:
    """Answers POSTs with the queued replies (then 200) and records every request."""

    def __init__(self) -> None:
        self.replies: list[Reply] = []
        self.requests: list[Received] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                headers = {key.lower(): value for key, value in self.headers.items()}
                server.requests.append(Received(self.path, headers, body))
                reply = server.replies.pop(0) if server.replies else Reply()
                time.sleep(reply.delay)
                try:
                    self.send_response(reply.status)
                    for key, value in reply.headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                except OSError:  # the client gave up waiting
                    pass

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"


@pytest.fixture
def hook_server() -> Iterator[HookServer]:
    server = HookServer()
    server.thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A port that is bound but not listening, so connecting is refused (and stays refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


class MailSink:
    """An aiosmtpd handler that keeps every message, or rejects at RCPT or DATA when told to."""

    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []
        self.reject_rcpt: str | None = None
        self.reject_data: str | None = None

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self.reject_rcpt:
            return self.reject_rcpt
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.reject_data:
            return self.reject_data
        self.envelopes.append(envelope)
        return "250 Message accepted"


@dataclass
class SmtpServer:
    sink: MailSink
    port: int


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    with socket.socket() as sock:  # aiosmtpd needs a concrete port; take a free one
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    sink = MailSink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    yield SmtpServer(sink, port)
    controller.stop()
