"""Client disconnects close the upstream at once; overload is refused, not queued.

The gateway runs in a real uvicorn server and the upstream is a real loopback server that records
when the gateway hangs up, so these are the socket events a production deployment sees.
"""

from __future__ import annotations

import asyncio
import socket
import time
from typing import Any

import httpx
import orjson
import pytest

from router.streaming import RelayResponse, primed
from tests.reliability.loopback_rig import Rig, serve_app
from tests.reliability.loopback_upstream import Behaviour, sse_events

pytestmark = pytest.mark.anyio

BODY = {"model": "auto", "messages": [{"role": "user", "content": "hello"}]}


async def _settled(gateway: Any, backend: str = "a", timeout: float = 2.0) -> None:
    """Wait until the gateway has finished accounting for everything in flight."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if gateway.state.inflight == 0 and gateway.metric("router_inflight_requests", backend=backend) == 0:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"still in flight: slots={gateway.state.inflight}")


async def test_disconnect_mid_stream_closes_the_upstream_at_once(rig: Rig) -> None:
    rig.a.script = lambda body, index: Behaviour(words=2000, chunk_delay=0.01)
    gateway = await rig.gateway()
    async with serve_app(gateway.app) as url, httpx.AsyncClient(base_url=url) as client:
        async with client.stream("POST", "/v1/chat/completions", json=BODY | {"stream": True}) as response:
            assert response.status_code == 200
            lines = 0
            async for line in response.aiter_lines():
                lines += bool(line)
                if lines == 3:
                    break
            left_at = time.monotonic()
        closed_at = await rig.a.wait_closed(rig.a.records[0])
        assert closed_at is not None, "the upstream request must be closed when the client leaves"
        assert closed_at - left_at < 0.5
        assert not rig.a.records[0].completed
        await _settled(gateway)
    assert gateway.metric("router_requests_total", tier="low", model="ma", backend="a", status="cancelled") == 1


async def test_a_client_that_stops_reading_is_let_go_after_the_stall_limit(rig: Rig) -> None:
    """A client that opens a stream and never reads it shut its TCP window: the relay's write waited for ever, and the
    upstream's `total` is checked only when the next chunk is read — so it held its concurrency slot and its upstream
    stream for as long as it kept the socket (two such clients 503'd every other team at `max_concurrency: 2`). A write
    that has waited `server.client_stall_seconds` ends the stream as a departure does."""
    rig.a.script = lambda body, index: Behaviour(words=200_000, chunk_delay=0)
    gateway = await rig.gateway(rig.config_data(server={"client_stall_seconds": 0.5}))
    request = orjson.dumps(BODY | {"stream": True})
    async with serve_app(gateway.app) as url:
        host, port = url.removeprefix("http://").split(":")
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.setblocking(False)
        await asyncio.get_running_loop().sock_connect(sock, (host, int(port)))
        await asyncio.get_running_loop().sock_sendall(sock, b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                                            b"Content-Length: %d\r\n\r\n" % len(request) + request)
        try:
            closed_at = await rig.a.wait_closed(rig.a.records[0], timeout=5.0) if await _first_request(rig) else None
            assert closed_at is not None and not rig.a.records[0].completed, "the upstream stream is closed, never read to its end"
            await _settled(gateway)
        finally:
            sock.close()
    assert gateway.metric("router_requests_total", tier="low", model="ma", backend="a", status="cancelled") == 1


async def _first_request(rig: Rig, timeout: float = 2.0) -> bool:
    deadline = time.monotonic() + timeout
    while not rig.a.records and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    return bool(rig.a.records)


@pytest.mark.parametrize("stream", [True, False])
async def test_disconnect_before_the_first_byte_closes_the_upstream(rig: Rig, stream: bool) -> None:
    """Waiting for the upstream's headers (or a whole non-streaming answer) when the client leaves."""
    rig.a.script = lambda body, index: Behaviour(header_delay=10)
    gateway = await rig.gateway()
    async with serve_app(gateway.app) as url, httpx.AsyncClient(base_url=url) as client:
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(client.post("/v1/chat/completions", json=BODY | {"stream": stream}), 0.3)
        left_at = time.monotonic()
        closed_at = await rig.a.wait_closed(rig.a.records[0])
        assert closed_at is not None and closed_at - left_at < 0.5
        await _settled(gateway)
    assert gateway.metric("router_requests_total", tier="low", model="ma", backend="a", status="cancelled") == 1
    assert rig.b.records == [], "a client that left is not retried elsewhere"


async def test_disconnect_while_a_non_streamed_answer_is_put_together_closes_the_upstream(rig: Rig) -> None:
    """A non-streamed request streamed upstream (it has a fallback: `non_streamed: auto`), its client gone midway."""
    rig.a.script = lambda body, index: Behaviour(words=2000, chunk_delay=0.01)
    gateway = await rig.gateway()
    async with serve_app(gateway.app) as url, httpx.AsyncClient(base_url=url) as client:
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(client.post("/v1/chat/completions", json=BODY), 0.3)
        left_at = time.monotonic()
        assert rig.a.records[0].body["stream"] is True
        closed_at = await rig.a.wait_closed(rig.a.records[0])
        assert closed_at is not None and closed_at - left_at < 0.5 and not rig.a.records[0].completed
        await _settled(gateway)
    assert gateway.metric("router_requests_total", tier="low", model="ma", backend="a", status="cancelled") == 1
    assert rig.b.records == [] and gateway.metric("router_backend_up", backend="a") == 1


async def test_relay_response_closes_a_body_that_never_started() -> None:
    """Starlette cancels the body task when the client is already gone; a never-started generator
    would never run its `finally`. RelayResponse + priming closes it anyway."""
    events: list[str] = []

    async def relay() -> Any:
        try:
            yield b""
            events.append("iterated")
            yield b"data: x\n\n"
        finally:
            events.append("closed")

    async def gone() -> dict[str, Any]:
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        await asyncio.sleep(0.01)

    scope = {"type": "http", "asgi": {"spec_version": "2.3"}}
    await RelayResponse(await primed(relay()))(scope, gone, send)
    assert events == ["closed"]


async def test_stream_abandoned_before_iteration_releases_everything(rig: Rig) -> None:
    """Drive the app by hand: the client disconnects after the handler returned the stream but
    before Starlette iterates it. The slot, the in-flight gauge, the upstream and the accounting
    must all be settled."""
    rig.a.script = lambda body, index: Behaviour(words=50, chunk_delay=0.05)
    gateway = await rig.gateway()
    raw = httpx.Request("POST", "http://x/v1/chat/completions", json=BODY | {"stream": True}).read()
    calls = 0

    async def receive() -> dict[str, Any]:
        nonlocal calls
        calls += 1
        if calls == 1:
            return {"type": "http.request", "body": raw, "more_body": False}
        if calls == 2:  # the handler's disconnect watcher: nothing happens while it runs
            await asyncio.Event().wait()
        return {"type": "http.disconnect"}  # the response's listener: gone

    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        await asyncio.sleep(0.01)  # the socket write yields: the disconnect wins before any body is sent
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": "/v1/chat/completions", "raw_path": b"/v1/chat/completions", "query_string": b"", "root_path": "",
             "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(raw)).encode())],
             "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80)}
    await gateway.app(scope, receive, send)
    assert not any(m.get("body") for m in sent if m["type"] == "http.response.body")
    assert await rig.a.wait_closed(rig.a.records[0]) is not None
    await _settled(gateway)
    assert gateway.metric("router_requests_total", tier="low", model="ma", backend="a", status="cancelled") == 1


async def test_overload_is_503_with_retry_after_and_streams_hold_their_slot(rig: Rig) -> None:
    rig.a.script = lambda body, index: Behaviour(words=8, chunk_delay=0.05)
    data = rig.config_data(server={"max_concurrency": 2})
    gateway = await rig.gateway(data)
    streams = [asyncio.ensure_future(gateway.chat(stream=True)) for _ in range(2)]
    while len(rig.a.records) < 2:
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.1)  # both streams are past their handler and relaying
    refused = await gateway.chat()
    assert refused.status_code == 503
    assert refused.headers["retry-after"] == "1"
    assert refused.json()["error"] == {"message": "The router is at its concurrency limit; retry shortly", "type": "overloaded_error",
                                       "param": None, "code": "overloaded"}
    assert len(rig.a.records) == 2, "a refused request never reaches an upstream"
    for done in await asyncio.gather(*streams):
        assert sse_events(done.text)[-1] == "[DONE]"
    assert (await gateway.chat()).status_code == 200
    await _settled(gateway)


async def test_a_burst_never_exceeds_the_concurrency_limit_upstream(rig: Rig) -> None:
    rig.a.script = lambda body, index: Behaviour(header_delay=0.05)
    gateway = await rig.gateway(rig.config_data(server={"max_concurrency": 4}))
    responses = await asyncio.gather(*(gateway.chat() for _ in range(40)))
    statuses = [r.status_code for r in responses]
    assert set(statuses) <= {200, 503}
    assert statuses.count(200) >= 4 and statuses.count(503) >= 1
    assert rig.a.peak_active <= 4, "admission bounds what is in flight (and so memory), nothing queues"
    assert len(rig.a.records) == statuses.count(200)
    assert gateway.state.inflight == 0
