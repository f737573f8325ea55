"""The direct ASGI path for chat completions answers exactly as FastAPI's routed path does."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import orjson
import pytest
from prometheus_client import CollectorRegistry

import router.fastpath
from router.app import create_app
from router.demo.upstream import SimulatedUpstream
from tests.router.conftest import make_config

pytestmark = pytest.mark.anyio

Build = Callable[..., Any]


@pytest.fixture
async def build(fake_classifier: Any) -> AsyncIterator[Build]:
    """Apps with (`fast=True`) and without the fast path, same config, fresh upstream each."""
    stack: list[Any] = []

    async def make(*, fast: bool, **overrides: Any) -> tuple[httpx.AsyncClient, Any]:
        upstream = SimulatedUpstream(token_delay=0)
        transports = {"sim": httpx.ASGITransport(app=upstream.app()), "spare": httpx.MockTransport(lambda r: httpx.Response(503))}
        app = create_app(make_config(**overrides), classifier=fake_classifier, transports=transports, registry=CollectorRegistry())
        if not fast:
            app.fast_chat = False
        lifespan = app.router.lifespan_context(app)
        await lifespan.__aenter__()
        # ServerErrorMiddleware re-raises after sending the 500 (for the server's log), on both paths
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app, raise_app_exceptions=False), base_url="http://router.test")
        stack.append((lifespan, client))
        return client, app

    yield make
    for lifespan, client in reversed(stack):
        await client.aclose()
        await lifespan.__aexit__(None, None, None)


def _chat(**fields: Any) -> dict[str, Any]:
    return {"model": "auto", "messages": [{"role": "user", "content": "hello"}], **fields}


async def test_the_fast_path_serves_chat_and_nothing_else(build: Build, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    handler = router.fastpath.chat_completions

    async def counted(request: Any) -> Any:
        calls.append(request.url.path)
        return await handler(request)

    monkeypatch.setattr(router.fastpath, "chat_completions", counted)
    client, app = await build(fast=True)
    assert (await client.post("/v1/chat/completions", json=_chat())).status_code == 200
    assert calls == ["/v1/chat/completions"]
    assert (await client.get("/v1/chat/completions")).status_code == 405  # other methods: FastAPI's routing, as before
    assert (await client.get("/v1/models")).status_code == 200
    assert calls == ["/v1/chat/completions"]
    assert "/v1/chat/completions" in app.openapi()["paths"]  # the route is still documented


async def test_middleware_added_to_the_app_turns_the_fast_path_off(fake_classifier: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast path skips the middleware stack: an operator's middleware (tracing, auth) must not be skipped unseen."""
    fast: list[str] = []
    seen: list[str] = []
    handler = router.fastpath.chat_completions

    async def counted(request: Any) -> Any:
        fast.append(request.url.path)
        return await handler(request)

    class Tracing:
        def __init__(self, app: Any) -> None:
            self.app = app

        async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
            seen.append(scope.get("path", ""))
            await self.app(scope, receive, send)

    monkeypatch.setattr(router.fastpath, "chat_completions", counted)
    upstream = SimulatedUpstream(token_delay=0)
    transports = {"sim": httpx.ASGITransport(app=upstream.app()), "spare": httpx.MockTransport(lambda r: httpx.Response(503))}
    app = create_app(make_config(), classifier=fake_classifier, transports=transports, registry=CollectorRegistry())
    app.add_middleware(Tracing)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://router.test")
    async with app.router.lifespan_context(app), client:
        assert (await client.post("/v1/chat/completions", json=_chat())).status_code == 200
    assert seen == ["/v1/chat/completions"] and fast == []


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (b"{not json", {}),
        (orjson.dumps({"model": "nope", "messages": [{"role": "user", "content": "x"}]}), {}),
        (orjson.dumps({"model": "auto", "messages": []}), {}),
        (orjson.dumps({"model": "auto", "messages": [{"role": "user", "content": "x"}], "api_base": "http://evil"}), {}),
        (orjson.dumps(_chat()), {"x-router-max-cost-usd": "-1"}),
    ],
)
async def test_client_errors_are_identical(build: Build, body: bytes, headers: dict[str, str]) -> None:
    answers = []
    for fast in (True, False):
        client, _ = await build(fast=fast)
        response = await client.post("/v1/chat/completions", content=body, headers={"content-type": "application/json", **headers})
        answers.append((response.status_code, response.json(), response.headers.get("content-type")))
    assert answers[0] == answers[1]
    assert answers[0][0] >= 400 and "error" in answers[0][1]


async def test_auth_errors_are_identical(build: Build) -> None:
    answers = []
    for fast in (True, False):
        client, _ = await build(fast=fast, server={"api_keys": ["sk-right"]})
        response = await client.post("/v1/chat/completions", json=_chat(), headers={"authorization": "Bearer sk-wrong"})
        answers.append((response.status_code, response.json()))
    assert answers[0] == answers[1]
    assert answers[0][0] == 401


async def test_unexpected_errors_become_the_same_json_500(build: Build) -> None:
    answers = []
    for fast in (True, False):
        client, app = await build(fast=fast)

        def boom(*args: Any, **kwargs: Any) -> Any:
            raise RuntimeError("bug")

        app.state.router.gateway.decide = boom
        response = await client.post("/v1/chat/completions", json=_chat())
        answers.append((response.status_code, response.json()))
    assert answers[0] == answers[1]
    assert answers[0][0] == 500 and answers[0][1]["error"]["code"] == "internal_error"


async def test_answers_and_streams_are_identical(build: Build) -> None:
    results = []
    for fast in (True, False):
        client, _ = await build(fast=fast)
        plain = await client.post("/v1/chat/completions", json=_chat(), headers={"x-request-id": "req-1"})
        streamed = await client.post(
            "/v1/chat/completions", json=_chat(stream=True, stream_options={"include_usage": True}), headers={"x-request-id": "req-2"}
        )
        body = plain.json()
        events = [line for line in streamed.text.split("\n\n") if line]
        routed = {k: v for k, v in plain.headers.items() if k.startswith("x-")}
        results.append((plain.status_code, body["choices"], body["usage"], body["router"], routed, streamed.status_code, len(events), events[-1]))
    assert results[0] == results[1]
    assert results[0][-1] == "data: [DONE]"
