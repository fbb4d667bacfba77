"""Browser tests: a live eventwire server on 127.0.0.1 and headless Chromium driven by Playwright.

Chromium comes from Debian (``apt-get install chromium``); Playwright's own browser download is
never used. Without ``/usr/bin/chromium`` the tests skip, unless ``EVENTWIRE_REQUIRE_BROWSER=1``,
when they fail. Screenshots go to ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import os
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from browser_support import REPO

CHROMIUM = Path(os.environ.get("EVENTWIRE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

# the hand-coded articles are shared with the API unit tests
sys.path.insert(0, str(REPO / "tests" / "unit"))


def _require_browser() -> None:
    if CHROMIUM.exists():
        return
    message = f"headless Chromium not found at {CHROMIUM} (apt-get install chromium)"
    if os.environ.get("EVENTWIRE_REQUIRE_BROWSER") == "1":
        pytest.fail(message + "; EVENTWIRE_REQUIRE_BROWSER=1 makes this an error")
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    _require_browser()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is a dev dependency
        if os.environ.get("EVENTWIRE_REQUIRE_BROWSER") == "1":
            pytest.fail("playwright is not installed")
        pytest.skip("playwright is not installed (pip install -e '.[dev]')")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1360, "height": 900})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.errors = errors
    yield pg
    context.close()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """uvicorn serving an app in a background thread on 127.0.0.1 and a free port."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def serve_articles(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[[Sequence[Any]], str]]:
    """Start a server over a fresh SQLite store holding the given articles; returns its URL."""
    from test_api_fixtures import save

    from eventwire.api.main import create_app

    servers: list[LiveServer] = []

    def start(articles: Sequence[Any]) -> str:
        url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'web.db'}"
        save(url, articles)
        server = LiveServer(create_app(url)).__enter__()
        servers.append(server)
        return server.url

    yield start
    for server in servers:
        server.__exit__(None, None, None)
