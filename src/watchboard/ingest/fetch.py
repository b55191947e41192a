"""Fetching URLs politely: one client, a clear User-Agent, bounded size, time and redirects.

Requests to one host are spaced at least ``politeness_delay`` apart (the fetcher sleeps), which
matters when a feed's entries all live on one site. Bodies are streamed and abandoned as soon as
they pass the size cap, so a huge or endless response costs no more than the cap. The timeout
is httpx's: for connecting, and for each read (a server that trickles bytes is not cut off).
A :class:`Fetcher` is not thread-safe; give each thread its own.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from types import TracebackType
from urllib.parse import urlsplit

import httpx

from watchboard.config import FetchSettings
from watchboard.errors import FetchError
from watchboard.model import RawInput

log = logging.getLogger(__name__)

_ACCEPT = (
    "text/html, application/xhtml+xml, application/rss+xml, application/atom+xml, "
    "application/pdf, application/xml;q=0.9, text/plain;q=0.8, */*;q=0.5"
)


def format_size(size: float) -> str:
    """A byte count for messages: ``60.2 MB``, ``12.0 KB``, ``512 bytes``."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.1f} KB"
    return f"{int(size)} bytes"


class Fetcher:
    """Fetches http(s) URLs into :class:`RawInput` objects; use it as a context manager."""

    def __init__(self, settings: FetchSettings, *, max_bytes: int) -> None:
        self.settings = settings
        self.max_bytes = max_bytes
        self._last_request: dict[str, float] = {}
        self._client = httpx.Client(
            timeout=settings.timeout,
            follow_redirects=True,
            max_redirects=settings.max_redirects,
            headers={"User-Agent": settings.user_agent, "Accept": _ACCEPT},
        )

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    def fetch(self, url: str) -> RawInput:
        """Download ``url``; raise :class:`FetchError` with a one-line reason when that fails."""
        parts = urlsplit(url.strip())
        if parts.scheme.lower() not in ("http", "https"):
            raise FetchError(url, "only http and https URLs can be fetched")
        if not parts.hostname:
            raise FetchError(url, "not a valid URL (no host name)")
        self._wait_for(parts.hostname)
        timeout = f"{self.settings.timeout:g}s"
        try:
            with self._client.stream("GET", url.strip()) as response:
                if response.status_code >= 400:
                    raise FetchError(url, f"HTTP {response.status_code} {response.reason_phrase}")
                data = self._read_body(url, response)
                final_url = str(response.url)
                content_type = response.headers.get("content-type", "")
        except httpx.TooManyRedirects:
            raise FetchError(
                url, f"too many redirects (more than {self.settings.max_redirects})"
            ) from None
        except httpx.TimeoutException:
            raise FetchError(url, f"timed out after {timeout}") from None
        except httpx.ConnectError as exc:
            raise FetchError(url, f"cannot connect ({_reason(exc)})") from None
        except httpx.InvalidURL as exc:
            raise FetchError(url, f"not a valid URL ({_reason(exc)})") from None
        except (httpx.HTTPError, httpx.StreamError) as exc:
            raise FetchError(url, f"download failed ({_reason(exc)})") from None
        finally:
            self._last_request[parts.hostname] = time.monotonic()
        media_type = content_type.split(";")[0].strip().lower() or None
        log.info(
            "fetched %s (%s, %s)", final_url, media_type or "no media type", format_size(len(data))
        )
        return RawInput(
            data=data,
            label=url,
            retrieved_at=datetime.now(UTC),
            url=final_url,
            media_type=media_type,
        )

    def _wait_for(self, host: str) -> None:
        last = self._last_request.get(host)
        if last is None:
            return
        wait = last + self.settings.politeness_delay - time.monotonic()
        if wait > 0:
            log.debug("waiting %.2fs before the next request to %s", wait, host)
            time.sleep(wait)

    def _read_body(self, url: str, response: httpx.Response) -> bytes:
        cap = f"larger than the {format_size(self.max_bytes)} cap (set [ingest] max_bytes)"
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise FetchError(url, cap)
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self.max_bytes:
                raise FetchError(url, cap)
            chunks.append(chunk)
        return b"".join(chunks)


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__
