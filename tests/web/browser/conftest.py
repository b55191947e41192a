"""Headless Chromium (Debian's /usr/bin/chromium, driven by Python Playwright) against a live
server on 127.0.0.1.

Never ``playwright install``: it downloads a browser. A missing Playwright or Chromium fails
the tests with what to install; nothing is skipped. Every page a test opens is watched: a
request to anywhere but the live server, or a console error (a CSP violation shows up as
one), fails the test. Full-page screenshots go to ``test-artifacts/screenshots/`` (ignored
by git) for people to look at.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from ..conftest import LiveServer

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, Playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "screenshots"
#: Where a page may send requests besides the live server (inline data, the page itself).
LOCAL_SCHEMES = ("data:", "blob:", "about:")


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - depends on the machine
        pytest.fail(
            f"Python Playwright is not installed ({exc}): pip install -e '.[dev]' "
            "(never run 'playwright install'; the tests use Debian's chromium)",
            pytrace=False,
        )
    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.is_file():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium "
            "('sudo apt-get install chromium', or run 'make test' as root, which does it)",
            pytrace=False,
        )
    launched = playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
    )
    yield launched
    launched.close()


@dataclass
class Watch:
    """What the pages of one test asked for and complained about."""

    origin: str
    outside: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    allowed: list[str] = field(default_factory=list)

    def allow(self, pattern: str) -> None:
        """Expect console errors matching ``pattern`` (a page answered 401 or 404 on purpose)."""
        self.allowed.append(pattern)

    def on_request(self, request: Any) -> None:
        url = request.url
        self.requests.append(url)
        if not (
            url.startswith(self.origin + "/") or url == self.origin or url.startswith(LOCAL_SCHEMES)
        ):
            self.outside.append(url)

    def on_console(self, message: Any) -> None:
        if message.type == "error" and not any(re.search(p, message.text) for p in self.allowed):
            self.console_errors.append(f"{message.text} ({message.location.get('url', '')})")


@pytest.fixture
def watch(live_server: LiveServer) -> Watch:
    return Watch(origin=live_server.url)


@pytest.fixture
def context(browser: Browser, watch: Watch) -> Iterator[BrowserContext]:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    ctx.set_default_timeout(10_000)
    ctx.on("request", watch.on_request)
    ctx.on("page", lambda page: page.on("console", watch.on_console))
    yield ctx
    ctx.close()
    assert not watch.outside, f"requests left 127.0.0.1: {watch.outside}"
    assert not watch.console_errors, f"console errors: {watch.console_errors}"


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


def sign_in(page: Page, server: LiveServer, username: str, *, goto: str = "/") -> None:
    """Sign in through the login form, starting from ``goto`` (which redirects to /login)."""
    page.goto(server.url + goto)
    page.wait_for_url(re.compile(r"/login\?next="))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", server.demo.passwords[username])
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(server.url + goto)


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot, after checking the page fits the window's width."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    window = page.evaluate("window.innerWidth")
    assert width <= window, f"{name}: the page is {width}px wide in a {window}px window"
    return path
