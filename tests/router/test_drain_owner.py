"""The drain is the app's (router/shutdown.py): the one `create_app` was given, honoured by admission, `/readyz` and the
attempt loop, and kept by a config reload's state — another app in the process is not draining."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

import httpx
import pytest
from prometheus_client import CollectorRegistry

from router.app import create_app
from router.shutdown import Drain
from router.state import AppState
from tests.conftest import FakeClassifier
from tests.router.conftest import make_config

pytestmark = pytest.mark.anyio

ANSWER = {"id": "x", "object": "chat.completion", "created": 1, "model": "m", "choices": [
    {"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4}}
CHAT = {"model": "auto", "messages": [{"role": "user", "content": "hi"}]}


def upstream(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json=ANSWER if request.url.path.endswith("/chat/completions") else {"data": []})


@pytest.fixture
async def apps() -> AsyncIterator[tuple[Any, httpx.AsyncClient, httpx.AsyncClient, Drain]]:
    """Two apps in one process, the first built with a `Drain` (as `serve`'s app factory builds it), the second without."""
    drain = Drain()
    async with AsyncExitStack() as stack:

        async def started(given: Drain | None) -> tuple[Any, httpx.AsyncClient]:
            transports = {name: httpx.MockTransport(upstream) for name in ("sim", "spare")}
            app = create_app(make_config(), classifier=FakeClassifier(), transports=transports, registry=CollectorRegistry(), drain=given)
            await stack.enter_async_context(app.router.lifespan_context(app))
            client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://router.test")
            return app, await stack.enter_async_context(client)

        (app, draining), (_, quiet) = await started(drain), await started(None)
        yield app, draining, quiet, drain


async def test_only_the_app_given_the_drain_drains(apps: tuple[Any, httpx.AsyncClient, httpx.AsyncClient, Drain]) -> None:
    app, draining, quiet, drain = apps
    assert app.state.router.drain is drain and app.state.router.gateway.resilience.drain is drain
    drain.begin(10, now=time.monotonic() - 6)  # SIGTERM 6 s into a 10 s drain: too late to start a request
    refused = await draining.post("/v1/chat/completions", json=CHAT)
    assert refused.status_code == 503 and refused.json()["error"]["code"] == "shutting_down"
    ready = await draining.get("/readyz")
    assert ready.status_code == 503 and ready.json()["draining"] is True
    assert (await quiet.post("/v1/chat/completions", json=CHAT)).status_code == 200
    assert (await quiet.get("/readyz")).json()["draining"] is False, "the drain was one app's, not the process's"


async def test_a_reloaded_state_keeps_the_apps_drain(apps: tuple[Any, httpx.AsyncClient, httpx.AsyncClient, Drain]) -> None:
    app, _, _, drain = apps
    old = app.state.router
    new = AppState.build(make_config(), FakeClassifier(), registry=old.registry, metrics=old.metrics, previous=old)
    try:
        assert new.drain is drain and new.gateway.resilience.drain is drain
    finally:
        await new.aclose()
