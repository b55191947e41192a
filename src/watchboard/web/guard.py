"""Input hygiene at the edge, before any route runs (a plain ASGI middleware).

* A NUL character anywhere in the path, the query or a request body is refused with 422:
  PostgreSQL cannot store it in text, and no legitimate input has one.
* Request bodies over ``MAX_BODY`` bytes are refused with 413 (nothing the API accepts is
  near that size).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from watchboard.web.problems import PROBLEM, TITLES

MAX_BODY = 1_000_000

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class InputGuard:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw_path = scope.get("raw_path") or scope.get("path", "").encode()
        query = scope.get("query_string", b"")
        if _has_nul(raw_path) or _has_nul(query) or "\x00" in scope.get("path", ""):
            await _refuse(scope, send, 422, "NUL characters are not allowed in addresses")
            return
        method = scope.get("method", "GET")
        if method in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body.extend(message.get("body", b""))
            more = message.get("more_body", False)
            if len(body) > MAX_BODY:
                await _refuse(scope, send, 413, f"request bodies are limited to {MAX_BODY} bytes")
                return
        if b"\x00" in body or b"\\u0000" in body.lower() or b"%00" in body:
            await _refuse(scope, send, 422, "NUL characters are not allowed in input")
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def _has_nul(value: bytes) -> bool:
    return b"\x00" in value or b"%00" in value


async def _refuse(scope: Scope, send: Send, status: int, detail: str) -> None:
    body = json.dumps(
        {
            "type": "about:blank",
            "title": TITLES.get(status, "Error"),
            "status": status,
            "detail": detail,
            "instance": scope.get("path", ""),
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", PROBLEM.encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
