"""CORS for browser apps (`server.cors_origins`, router/app.py): preflights, allowed origins, exposed headers, and the
fast path kept for clients that send no `Origin`."""

from __future__ import annotations

from typing import Any

import pytest

from router import fastpath
from router.shed import SHED_HEADER
from tests.router.conftest import make_config

pytestmark = pytest.mark.anyio


async def test_a_browser_app_may_call_the_gateway_from_an_allowed_origin(make_harness: Any) -> None:
    """Found in review: no CORS — a browser app's preflight was a 405 and no answer allowed its origin (vLLM answers them
    by default). `server.cors_origins` allows the origins named, and exposes the routing headers; none by default."""
    harness = await make_harness(make_config(server={"cors_origins": ["https://ui.example"]}))
    preflight = await harness.client.options("/v1/chat/completions", headers={
        "Origin": "https://ui.example", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization, content-type"})
    assert preflight.status_code == 200 and preflight.headers["access-control-allow-origin"] == "https://ui.example"
    body = {"model": "auto", "messages": [{"role": "user", "content": "hi"}]}
    for stream in (False, True):
        answer = await harness.client.post("/v1/chat/completions", json=body | {"stream": stream}, headers={"Origin": "https://ui.example"})
        assert answer.status_code == 200 and answer.headers["access-control-allow-origin"] == "https://ui.example"
        assert "x-router-tier" in answer.headers["access-control-expose-headers"]
    other = await harness.client.post("/v1/chat/completions", json=body, headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    plain = await make_harness()
    assert "access-control-allow-origin" not in (await plain.client.post("/v1/chat/completions", json=body, headers={"Origin": "https://ui.example"})).headers


async def test_a_browser_app_reads_that_the_gateway_shed_its_request(make_harness: Any) -> None:
    """Found in an operations review: `x-router-shed` (a 429 or 503 the gateway refused itself, router/shed.py) was not
    among the exposed headers, though the README says `x-router-*` are: a browser app could not tell load shed from an
    upstream's failure, as a server-side client can."""
    harness = await make_harness(make_config(server={"cors_origins": ["https://ui.example"]}))
    body = {"model": "auto", "messages": [{"role": "user", "content": "hi"}]}
    answer = await harness.client.post("/v1/chat/completions", json=body, headers={"Origin": "https://ui.example"})
    exposed = {name.strip() for name in answer.headers["access-control-expose-headers"].split(",")}
    assert SHED_HEADER in exposed


async def test_a_server_side_client_keeps_the_fast_path_with_cors_on(make_harness: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Found in review: allowing one browser origin took every chat request off the fast path (~75 µs each), server-side
    clients' too; only a request that sends `Origin` needs the middleware."""
    served: list[str] = []
    fast = fastpath.serve_chat

    async def counting(*args: Any) -> None:
        served.append("fast")
        await fast(*args)

    monkeypatch.setattr(fastpath, "serve_chat", counting)
    harness = await make_harness(make_config(server={"cors_origins": ["https://ui.example"]}))
    body = {"model": "auto", "messages": [{"role": "user", "content": "hi"}]}
    assert (await harness.client.post("/v1/chat/completions", json=body)).status_code == 200 and served == ["fast"]
    answer = await harness.client.post("/v1/chat/completions", json=body, headers={"Origin": "https://ui.example"})
    assert answer.headers["access-control-allow-origin"] == "https://ui.example" and served == ["fast"]
