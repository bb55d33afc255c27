"""The web app served for real on 127.0.0.1 (uvicorn in a thread), for the browser tests."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from bot.core import Sentibot


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def live_server(make_core: Callable[[str], Sentibot]) -> Iterator[str]:
    """Serve the app of the core `make_core(url)` builds; yields the URL, then stops the server
    and closes the core. The start is awaited by polling uvicorn's own flag, with a deadline
    that only catches a server that cannot start at all."""
    import uvicorn

    from adapters.web.main import create_app

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    core = make_core(url)
    server = uvicorn.Server(
        uvicorn.Config(create_app(core=core), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 120
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the web server did not start")
        time.sleep(0.05)
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=60)
        asyncio.run(core.aclose())


@contextmanager
def open_page(
    browser: Any, server: str, *, locale: str = "en", viewport: dict[str, int] | None = None
) -> Iterator[Any]:
    """A fresh browser context on `server` (`locale` sets navigator.language and Accept-Language,
    as a real browser does). Fails the test on any JavaScript error the page raised."""
    context = browser.new_context(
        viewport=viewport or {"width": 1280, "height": 800}, base_url=server, locale=locale
    )
    # Generous: the 2 cores may be shared; waits end as soon as the page is ready.
    context.set_default_timeout(30_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        yield page
    finally:
        context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"
