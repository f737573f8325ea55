"""The serving path's HTTP/1.1 client (backends/h1.py, h1pool.py, direct.py) against real loopback
servers: framing, decoding, keep-alive and its one retry, limits, timeouts, cancellation, TLS."""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import gc
import gzip
import ipaddress
import itertools
import socket
import ssl
import time
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, Self

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backends import h1
from backends.anthropic import AnthropicBackend
from backends.anthropic_request import CLIENT_OPTIONS
from backends.base import Backend, BackendConfig, UpstreamError, map_transport_error
from backends.h1 import HIGH_WATER, STALE_RACE_SECONDS, Connection
from backends.h1pool import TRACE_CONTEXT, UPSTREAM_REQUEST_ID, Pool
from backends.openai_compat import OpenAICompatibleBackend
from tests.conftest import require_tool
from tests.reliability.loopback import blackhole_port, closed_port

pytestmark = pytest.mark.anyio

BODY = b'{"model":"m","messages":[]}'


class Peer:
    """The server's side of one connection, with the requests read from it."""

    def __init__(self, server: Upstream, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, index: int) -> None:
        self.server, self.reader, self.writer, self.index = server, reader, writer, index

    async def request(self) -> bytes:
        """Read one request (head and body); returns the head. Raises on EOF."""
        head = await self.reader.readuntil(b"\r\n\r\n")
        length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:"))
        body = await self.reader.readexactly(length)
        self.server.requests.append((self.index, head, body))
        return head

    async def send(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def eof(self) -> bool:
        """Wait until the client closes the connection."""
        return await self.reader.read(1) == b""


Handler = Callable[[Peer], Awaitable[None]]


class Upstream:
    """A loopback server running `handler` for each connection (numbered from 0)."""

    def __init__(self, handler: Handler, *, tls: ssl.SSLContext | None = None, host: str = "127.0.0.1") -> None:
        self.handler, self.tls, self.host = handler, tls, host
        self.requests: list[tuple[int, bytes, bytes]] = []
        self.connections = 0
        self.closed: list[float] = []  # when each connection's handler saw it end
        self.port = 0

    async def __aenter__(self) -> Self:
        self._server = await asyncio.start_server(self._serve, self.host, 0, ssl=self.tls)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._server.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._server.wait_closed(), 2)

    def url(self, scheme: str = "http") -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{scheme}://{host}:{self.port}/v1"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        index, self.connections = self.connections, self.connections + 1
        try:
            await self.handler(Peer(self, reader, writer, index))
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError):
            pass
        finally:
            self.closed.append(time.monotonic())
            writer.transport.abort()


def ok(body: bytes = b'{"ok":true}', *headers: str, status: int = 200) -> bytes:
    extra = "".join(f"{header}\r\n" for header in headers)
    return f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n{extra}\r\n".encode() + body


def chunked(*parts: bytes) -> bytes:
    return b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in parts) + b"0\r\n\r\n"


#: A chunked stream's head and first chunk, and nothing more (yet).
HALF_STREAM = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nfirst\r\n"


async def half_stream_then_wait(peer: Peer) -> None:
    """Answer with `HALF_STREAM`, then hold the connection until the client closes it."""
    await peer.request()
    await peer.send(HALF_STREAM)
    await peer.eof()


async def keep_answering(peer: Peer) -> None:
    while True:
        await peer.request()
        await peer.send(ok())


def answer_after(gate: asyncio.Event) -> Any:
    """An upstream that holds its first answer until `gate` is set, then answers every request."""

    async def serve(peer: Peer) -> None:
        await peer.request()
        await gate.wait()
        await peer.send(ok())
        await keep_answering(peer)

    return serve


def backend(url: str, **config: Any) -> Backend:
    config.setdefault("timeouts", {"connect": 1.0, "total": 5.0})
    return OpenAICompatibleBackend("b", BackendConfig(kind="openai", base_url=url, **config))


@contextlib.asynccontextmanager
async def client(url: str, **config: Any) -> AsyncIterator[Backend]:
    b = backend(url, **config)
    assert b._direct is not None
    try:
        yield b
    finally:
        await b.aclose()


def pool_of(b: Backend) -> Pool:
    assert b._direct is not None and b._direct._pool is not None
    return b._direct._pool


# --- framing and decoding -------------------------------------------------------------------


async def test_the_anthropic_adapter_sends_its_credentials_once_and_its_beta_flags_per_request() -> None:
    """Serving, the Anthropic adapter is on this client too (it was on httpx's, which marked a request written before its
    wait for a connection): its key and version on every request, the configured and the client's beta flags once, in
    one header of the request's own; a flag with a line break is refused before anything is written."""
    answer = b'{"id":"m","type":"message","role":"assistant","model":"c","content":[{"type":"text","text":"hi"}],' \
             b'"stop_reason":"end_turn","usage":{"input_tokens":3,"output_tokens":1}}'

    async def serve(peer: Peer) -> None:
        while True:
            await peer.request()
            await peer.send(ok(answer))

    async with Upstream(serve) as up:
        b = AnthropicBackend("a", BackendConfig(kind="anthropic", base_url=up.url(), api_key="sk-ant", headers={"Anthropic-Beta": "flag-a"},
                                                timeouts={"connect": 1.0, "total": 5.0}))
        try:
            assert b._direct is not None
            body = {"model": "c", "messages": [{"role": "user", "content": "hi"}], CLIENT_OPTIONS: {"betas": ["flag-b", "flag-a"]}}
            result = await b.chat(body)
            assert result.body["choices"][0]["message"]["content"] == "hi" and result.usage.prompt_tokens == 3
            await b.chat({"model": "c", "messages": [{"role": "user", "content": "hi"}]})
            with pytest.raises(UpstreamError):
                await b.chat({**body, CLIENT_OPTIONS: {"betas": ["x\r\nX-Injected: 1"]}})
        finally:
            await b.aclose()
    (_, head, _), (_, plain, _) = up.requests
    lines = head.decode().split("\r\n")
    assert lines[0] == "POST /v1/messages HTTP/1.1"
    assert [line for line in lines if line.lower().startswith(("anthropic-", "x-api-key"))] == [
        "anthropic-version: 2023-06-01", "x-api-key: sk-ant", "anthropic-beta: flag-a,flag-b"]
    assert [line for line in plain.decode().split("\r\n") if line.lower().startswith("anthropic-beta")] == ["anthropic-beta: flag-a"]



async def test_the_request_is_written_with_exactly_the_httpx_clients_headers() -> None:
    """The httpx client's headers, but for those the request states itself: what it accepts (JSON, or SSE when streamed)."""
    async with Upstream(keep_answering) as up, client(up.url(), api_key="sk-secret", headers={"X-Extra": "1", "Accept-Encoding": "br"}) as b:
        response = await b.post_json("chat/completions", BODY)
        assert response.status_code == 200 and response.content == b'{"ok":true}'
        assert response.headers.get("content-type") == "application/json" and response.headers["Content-Length"] == "11"
    ((_, head, body),) = up.requests
    lines = head.decode().split("\r\n")
    assert lines[0] == "POST /v1/chat/completions HTTP/1.1" and body == BODY
    assert sorted(lines[1:-2]) == sorted([
        f"Host: 127.0.0.1:{up.port}", "Accept: application/json", "Connection: keep-alive", f"User-Agent: python-httpx/{httpx.__version__}",
        "Authorization: Bearer sk-secret", "X-Extra: 1", "Accept-Encoding: gzip, deflate", "Content-Type: application/json",
        f"Content-Length: {len(BODY)}",
    ])  # fmt: skip


async def test_the_attempt_s_request_id_is_a_header_of_its_own() -> None:
    """The gateway's id for an attempt (`UPSTREAM_REQUEST_ID`, set around it) goes as `X-Request-Id`; none without one."""
    async with Upstream(keep_answering) as up, client(up.url()) as b:
        naming = UPSTREAM_REQUEST_ID.set("req-1-0a0b0c")
        try:
            await b.post_json("chat/completions", BODY, stream=True)
        finally:
            UPSTREAM_REQUEST_ID.reset(naming)
        await b.post_json("chat/completions", BODY)
    (_, named, _), (_, plain, _) = up.requests
    assert named.decode().split("\r\n")[-4:-2] == ["X-Request-Id: req-1-0a0b0c", f"Content-Length: {len(BODY)}"]
    assert b"X-Request-Id" not in plain and plain.endswith(b"Content-Length: %d\r\n\r\n" % len(BODY))


async def test_the_client_s_trace_context_goes_upstream_only_where_forwarded() -> None:
    """`forward_trace_context`: the client's W3C headers (set per request: router/api.py) as lines of the request's own."""
    trace = {"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "tracestate": "congo=t61rcWkgMzE"}
    async with Upstream(keep_answering) as up:
        for forward in (True, False):
            async with client(up.url(), forward_trace_context=forward) as b:
                tracing = TRACE_CONTEXT.set(trace)
                try:
                    await b.post_json("chat/completions", BODY)
                finally:
                    TRACE_CONTEXT.reset(tracing)
    (_, forwarded, _), (_, kept, _) = up.requests
    assert [line for line in forwarded.decode().split("\r\n") if line.startswith("trace")] == [f"{k}: {v}" for k, v in trace.items()]
    assert b"trace" not in kept


async def test_chunked_and_close_delimited_bodies_and_interim_responses() -> None:
    async def serve(peer: Peer) -> None:
        await peer.request()
        await peer.send(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked(b"ab", b"cd"))
        await peer.request()
        await peer.send(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the")
        await peer.send(b" end")  # no length, not chunked: the body ends with the connection

    async with Upstream(serve) as up, client(up.url()) as b:
        assert (await b.post_json("p", BODY)).content == b"abcd"
        assert (await b.post_json("p", BODY)).content == b"until the end"
        assert up.connections == 1, "the chunked response left the connection reusable"


async def test_empty_204_response() -> None:
    async def serve(peer: Peer) -> None:
        await peer.request()
        await peer.send(b"HTTP/1.1 204 No Content\r\n\r\n")
        await keep_answering(peer)

    async with Upstream(serve) as up, client(up.url()) as b:
        response = await b.post_json("p", BODY)
        assert (response.status_code, response.content) == (204, b"")
        assert (await b.post_json("p", BODY)).status_code == 200 and up.connections == 1


@pytest.mark.parametrize("coding", ["gzip", "deflate", "raw-deflate"])
async def test_compressed_bodies_are_decoded_for_reads_and_streams(coding: str) -> None:
    text = b"data: hello\n\n" * 200
    if coding == "gzip":
        packed = gzip.compress(text)
    else:
        packer = zlib.compressobj(wbits=-zlib.MAX_WBITS if coding == "raw-deflate" else zlib.MAX_WBITS)
        packed = packer.compress(text) + packer.flush()
    header = "Content-Encoding: " + coding.removeprefix("raw-")

    async def serve(peer: Peer) -> None:
        await peer.request()
        await peer.send(ok(packed, header))
        await peer.request()
        await peer.send(
            f"HTTP/1.1 200 OK\r\n{header}\r\nTransfer-Encoding: chunked\r\n\r\n".encode() + chunked(packed[:7], packed[7:50], packed[50:])
        )
        await peer.eof()

    async with Upstream(serve) as up, client(up.url()) as b:
        assert (await b.post_json("p", BODY)).content == text
        response = await b.post_json("p", BODY, stream=True)
        assert b"".join([chunk async for chunk in response.aiter_raw()]) == text
        await response.aclose()


async def test_a_stream_yields_each_chunk_as_it_arrives() -> None:
    release = asyncio.Event()

    async def serve(peer: Peer) -> None:
        await peer.request()
        await peer.send(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n" + b"5\r\nfirst\r\n")
        await release.wait()
        await peer.send(b"6\r\nsecond\r\n0\r\n\r\n")
        await keep_answering(peer)

    async with Upstream(serve) as up, client(up.url()) as b:
        response = await b.post_json("p", BODY, stream=True)
        assert response.status_code == 200 and response.headers.get("content-type") == "text/event-stream"
        chunks = response.aiter_raw()
        assert await asyncio.wait_for(anext(chunks), 2) == b"first", "before the server sent more"
        release.set()
        assert [chunk async for chunk in chunks] == [b"second"]
        await response.aclose()
        assert (await b.post_json("p", BODY)).status_code == 200
        assert up.connections == 1, "a stream read to the end gives its connection back"


SSE_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
SSE_EVENTS = b'data: {"id":"c1","choices":[{"index":0,"delta":{"content":"hi"}}]}\n\n' + b"data: [DONE]\n\n"


async def _stream_to_done(b: Backend) -> None:
    """A chat stream through the adapter, relayed to its `[DONE]` and closed as the gateway does."""
    stream = await b.chat_stream({"model": "m", "messages": []})
    assert b"".join([frame async for frame in stream.frames]).startswith(b'data: {"id":"c1"')
    await stream.aclose()


async def test_a_stream_ended_by_done_before_its_chunked_terminator_keeps_its_connection() -> None:
    terminator = asyncio.Event()

    async def serve(peer: Peer) -> None:
        await peer.request()
        await peer.send(SSE_HEAD + b"%x\r\n%s\r\n" % (len(SSE_EVENTS), SSE_EVENTS))  # [DONE], not yet the end
        await terminator.wait()
        await peer.send(b"0\r\n\r\n")
        await keep_answering(peer)

    async with Upstream(serve) as up, client(up.url()) as b:
        await _stream_to_done(b)
        assert pool_of(b).count == 1 and not pool_of(b).idle, "lingering for the framing's end, slot held"
        terminator.set()
        await asyncio.wait_for(_until(lambda: len(pool_of(b).idle) == 1), 1)
        assert (await b.post_json("p", BODY)).status_code == 200
        assert up.connections == 1, "the stream's connection was reused, not reopened"


async def test_a_lingering_connection_whose_framing_never_ends_is_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(h1, "LINGER_SECONDS", 0.05)

    async def serve(peer: Peer) -> None:
        await peer.request()
        await peer.send(SSE_HEAD + b"%x\r\n%s\r\n" % (len(SSE_EVENTS), SSE_EVENTS))
        await peer.eof()

    async with Upstream(serve) as up, client(up.url()) as b:
        await _stream_to_done(b)
        await asyncio.wait_for(_until(lambda: len(up.closed) == 1), 1)
        assert pool_of(b).count == 0


async def test_a_stream_closed_before_its_end_closes_its_connection() -> None:
    async with Upstream(half_stream_then_wait) as up, client(up.url()) as b:
        response = await b.post_json("p", BODY, stream=True)
        assert await anext(response.aiter_raw()) == b"first"
        await response.aclose()
        await asyncio.wait_for(_until(lambda: len(up.closed) == 1), 1)
        assert pool_of(b).count == 0 and not pool_of(b).idle


# --- keep-alive and the one retry -----------------------------------------------------------


async def test_connections_are_reused_and_idle_ones_closed_by_the_server_are_dropped() -> None:
    async def serve(peer: Peer) -> None:
        await peer.request()
        await peer.send(ok())
        if peer.index == 0:
            await peer.request()
            await peer.send(ok())
            return  # the server closes the idle connection (its keep-alive timeout)
        await keep_answering(peer)

    async with Upstream(serve) as up, client(up.url()) as b:
        await b.post_json("p", BODY)
        await b.post_json("p", BODY)
        assert up.connections == 1
        await asyncio.wait_for(_until(lambda: not pool_of(b).idle), 1)  # the close is noticed while idle
        await b.post_json("p", BODY)
        assert up.connections == 2 and len(up.requests) == 3, "a fresh connection, no retry needed"


async def test_idle_connections_expire_after_the_keepalive_expiry() -> None:
    async with Upstream(keep_answering) as up, client(up.url()) as b:
        await b.post_json("p", BODY)
        pool_of(b).keepalive_expiry = 0.05  # httpx's default (5 s) is what serving uses
        await asyncio.sleep(0.1)
        await b.post_json("p", BODY)
        assert up.connections == 2 and pool_of(b).count == 1
        await asyncio.wait_for(_until(lambda: len(up.closed) == 1), 1)


async def test_a_reused_connection_closed_before_any_response_byte_is_retried_once_on_a_fresh_one() -> None:
    async def serve(peer: Peer) -> None:
        await peer.request()
        if peer.index == 0:
            await peer.send(ok())
            await peer.request()
            return  # the keep-alive race: closed as the next request arrived, nothing answered
        await peer.send(ok(b'{"retried":true}'))

    async with Upstream(serve) as up, client(up.url()) as b:
        await b.post_json("p", BODY)
        assert (await b.post_json("p", BODY)).content == b'{"retried":true}'
        assert [index for index, _, _ in up.requests] == [0, 0, 1]


async def test_a_reused_connection_closed_long_after_the_request_is_an_error_not_a_second_send() -> None:
    """A server that held the request for a while and then closed may have processed (generated, billed) it: not the
    keep-alive race, so not sent again behind the router's back (envoyproxy/envoy#10007, nginx's non_idempotent)."""
    async def serve(peer: Peer) -> None:
        await peer.request()
        if peer.index == 0:
            await peer.send(ok())
            await peer.request()
            await asyncio.sleep(STALE_RACE_SECONDS + 0.2)  # working on it, then gone
            return
        await peer.send(ok(b'{"retried":true}'))

    async with Upstream(serve) as up, client(up.url()) as b:
        await b.post_json("p", BODY)
        with pytest.raises(httpx.RemoteProtocolError):
            await b.post_json("p", BODY)
        assert len(up.requests) == 2, "sent once"


@pytest.mark.parametrize("partial", [b"H", b'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{"a"'])
async def test_no_retry_once_a_byte_of_the_response_arrived(partial: bytes) -> None:
    async def serve(peer: Peer) -> None:
        await peer.request()
        await peer.send(ok())
        await peer.request()
        await peer.send(partial)

    async with Upstream(serve) as up, client(up.url()) as b:
        await b.post_json("p", BODY)
        with pytest.raises(httpx.RemoteProtocolError) as info:
            await b.post_json("p", BODY)
        assert map_transport_error(info.value).kind == "protocol"
        assert len(up.requests) == 2 and up.connections == 1


async def test_no_retry_when_a_fresh_connection_closes_without_an_answer() -> None:
    async def serve(peer: Peer) -> None:
        await peer.request()

    async with Upstream(serve) as up, client(up.url()) as b:
        with pytest.raises(httpx.RemoteProtocolError):
            await b.post_json("p", BODY)
        assert len(up.requests) == 1


async def test_a_server_cutting_the_body_is_an_error_for_reads_and_streams() -> None:
    async def serve(peer: Peer) -> None:
        await peer.request()
        await peer.send(HALF_STREAM)
        peer.writer.transport.abort()  # a reset, mid-body

    async with Upstream(serve) as up, client(up.url()) as b:
        with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
            await b.post_json("p", BODY)
        response = await b.post_json("p", BODY, stream=True)
        received = []
        with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
            async for chunk in response.aiter_raw():
                received.append(chunk)
        assert received == [b"first"] and pool_of(b).count == 0 and up.connections == 2


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (b"HTTP/1.1 200 OK\r\nContent-Length: nope\r\n\r\n", httpx.RemoteProtocolError),  # malformed response
        (ok(b"not gzip at all", "Content-Encoding: gzip"), httpx.DecodingError),  # malformed compressed body
    ],
)
async def test_a_malformed_answer_is_an_error_and_drops_the_connection(answer: bytes, error: type[Exception]) -> None:
    async def serve(peer: Peer) -> None:
        await peer.request()
        await peer.send(answer)
        await peer.eof()

    async with Upstream(serve) as up, client(up.url()) as b:
        with pytest.raises(error):
            await b.post_json("p", BODY)
        assert pool_of(b).count == 0


# --- limits, timeouts, cancellation ---------------------------------------------------------


async def test_the_pool_limit_queues_requests_and_the_pool_timeout_ends_the_wait() -> None:
    gate = asyncio.Event()
    serve = answer_after(gate)

    async with Upstream(serve) as up, client(up.url(), max_connections=1, timeouts={"connect": 0.2, "total": 5.0}) as b:
        first = asyncio.ensure_future(b.post_json("p", BODY))
        await asyncio.sleep(0.05)
        started = time.monotonic()
        with pytest.raises(httpx.PoolTimeout):
            await b.post_json("p", BODY)
        assert 0.15 < time.monotonic() - started < 1.0
        queued = [asyncio.ensure_future(b.post_json("p", BODY)) for _ in range(3)]
        await asyncio.sleep(0.05)
        gate.set()
        assert (await first).status_code == 200
        assert [r.status_code for r in await asyncio.gather(*queued)] == [200] * 3
        assert up.connections == 1 and pool_of(b).count == 1


async def test_a_request_cancelled_while_queued_for_a_slot_leaves_the_pool_consistent() -> None:
    gate = asyncio.Event()
    serve = answer_after(gate)

    async with Upstream(serve) as up, client(up.url(), max_connections=1) as b:
        first = asyncio.ensure_future(b.post_json("p", BODY))
        await asyncio.sleep(0.05)
        queued = asyncio.ensure_future(b.post_json("p", BODY))
        await asyncio.sleep(0.05)
        queued.cancel()
        gate.set()
        assert (await first).status_code == 200
        assert queued.cancelled() and pool_of(b).count == 1 and len(pool_of(b).idle) == 1
        assert (await b.post_json("p", BODY)).status_code == 200 and up.connections == 1


async def test_many_concurrent_requests_stay_within_the_limit() -> None:
    async with Upstream(keep_answering) as up, client(up.url(), max_connections=4) as b:
        responses = await asyncio.gather(*(b.post_json("p", BODY) for _ in range(50)))
        assert {r.status_code for r in responses} == {200} and up.connections == 4 and len(pool_of(b).idle) == 4


async def test_connection_refused_is_a_connect_error() -> None:
    async with client(f"http://127.0.0.1:{closed_port()}/v1") as b:
        with pytest.raises(httpx.ConnectError) as info:
            await b.post_json("p", BODY)
        assert map_transport_error(info.value).kind == "connect" and pool_of(b).count == 0


async def test_a_connect_that_hangs_is_a_connect_timeout() -> None:
    port, held = blackhole_port()
    try:
        async with client(f"http://127.0.0.1:{port}/v1", timeouts={"connect": 0.2, "total": 5.0}) as b:
            started = time.monotonic()
            with pytest.raises(httpx.ConnectTimeout):
                await b.post_json("p", BODY)
            assert time.monotonic() - started < 1.0 and pool_of(b).count == 0
    finally:
        for sock in held:
            sock.close()


async def test_a_silent_upstream_is_a_read_timeout_before_and_during_the_body() -> None:
    async def serve(peer: Peer) -> None:
        await peer.request()
        if peer.index == 1:
            await peer.send(HALF_STREAM)
        await peer.eof()

    async with Upstream(serve) as up, client(up.url(), timeouts={"connect": 1.0, "total": 0.2}) as b:
        with pytest.raises(httpx.ReadTimeout) as info:
            await b.post_json("p", BODY)
        assert map_transport_error(info.value).kind == "timeout"
        response = await b.post_json("p", BODY, stream=True)
        chunks = response.aiter_raw()
        assert await anext(chunks) == b"first"
        started = time.monotonic()
        with pytest.raises(httpx.ReadTimeout):
            await anext(chunks)
        assert 0.15 < time.monotonic() - started < 1.0
        await asyncio.wait_for(_until(lambda: len(up.closed) == 2), 1)
        assert pool_of(b).count == 0


@pytest.mark.parametrize("stream", [False, True])
async def test_cancelling_a_request_closes_its_connection_at_once(stream: bool) -> None:
    async def serve(peer: Peer) -> None:
        await peer.request()
        if stream:
            await peer.send(HALF_STREAM)
        await peer.eof()

    async with Upstream(serve) as up, client(up.url(), max_connections=1) as b:

        async def consume() -> None:
            response = await b.post_json("p", BODY, stream=stream)
            try:
                async for _ in response.aiter_raw():
                    pass
            finally:
                await response.aclose()

        task = asyncio.ensure_future(consume())
        await asyncio.wait_for(_until(lambda: len(up.requests) == 1), 1)
        await asyncio.sleep(0.05)
        task.cancel()
        cancelled = time.monotonic()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert pool_of(b).count == 0, "the slot is free at once"
        await asyncio.wait_for(_until(lambda: len(up.closed) == 1), 1)
        assert up.closed[0] - cancelled < 1.0


async def test_a_stream_response_dropped_without_aclose_frees_its_slot() -> None:
    async with Upstream(half_stream_then_wait) as up, client(up.url()) as b:
        response = await b.post_json("p", BODY, stream=True)
        assert pool_of(b).count == 1
        del response
        gc.collect()
        assert pool_of(b).count == 0
        await asyncio.wait_for(_until(lambda: len(up.closed) == 1), 1)


# --- TLS and addresses ----------------------------------------------------------------------


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost, and its key (the `cryptography` package)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return cert_path, key_path


async def test_https_verifies_the_certificate_against_httpx_trust(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cert, key = self_signed(tmp_path)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    async with Upstream(keep_answering, tls=server_tls) as up:
        async with client(up.url("https")) as b:
            with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
                await b.post_json("p", BODY)  # self-signed: not in httpx's CA bundle

        trusting = httpx.create_ssl_context(verify=ssl.create_default_context(cafile=str(cert)), trust_env=False)
        monkeypatch.setattr(httpx, "create_ssl_context", lambda **kwargs: trusting)
        for host in ("127.0.0.1", "localhost"):
            async with client(up.url("https").replace("127.0.0.1", host)) as b:
                assert [(await b.post_json("p", BODY)).content for _ in range(2)] == [b'{"ok":true}'] * 2
                assert pool_of(b).count == 1


async def test_ipv6_loopback() -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6 in this Python")
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        pytest.skip("no IPv6 loopback on this host")
    async with Upstream(keep_answering, host="::1") as up, client(up.url()) as b:
        assert (await b.post_json("p", BODY)).status_code == 200
    assert up.requests[0][1].split(b"\r\n")[1] == f"Host: [::1]:{up.port}".encode()


async def test_against_nginx() -> None:
    """A real HTTP/1.1 server: canned completions and streams, over one kept-alive connection each."""
    require_tool("nginx")
    import tempfile

    from bench import gateway_bench as gb

    workdir = tempfile.TemporaryDirectory(prefix="h1-nginx-")  # not tmp_path: nginx's workers (nobody) must read it
    nginx = gb.start_nginx(Path(workdir.name))
    try:
        async with client(f"http://127.0.0.1:{nginx.port}/v1", max_connections=2) as plain, client(f"http://127.0.0.1:{nginx.port}/sse/v1") as sse:
            for _ in range(3):
                assert (await plain.post_json("chat/completions", BODY)).content == gb.canned_completion()
                response = await sse.post_json("chat/completions", BODY, stream=True)
                assert await response.aread() == gb.canned_stream()
                await response.aclose()
            results = await asyncio.gather(*(plain.post_json("chat/completions", BODY) for _ in range(20)))
            assert {r.content for r in results} == {gb.canned_completion()}
            assert pool_of(plain).count == 2 and pool_of(sse).count == 1
    finally:
        nginx.stop()
        workdir.cleanup()


# --- the parser and flow control, without sockets -------------------------------------------


class FakeTransport:
    def __init__(self) -> None:
        self.written: list[bytes] = []
        self.paused = self.aborted = False

    def write(self, data: bytes) -> None:
        self.written.append(data)

    def pause_reading(self) -> None:
        self.paused = True

    def resume_reading(self) -> None:
        self.paused = False

    def abort(self) -> None:
        self.aborted = True

    def is_closing(self) -> bool:
        return self.aborted


async def connection(stream: bool) -> tuple[Connection, FakeTransport, Pool]:
    pool = Pool("h", 1, ssl_context=None, limit=1, keepalive_expiry=5, connect_timeout=1, read_timeout=5, pool_timeout=1)
    conn, transport = Connection(pool), FakeTransport()
    conn.connection_made(transport)  # type: ignore[arg-type]
    pool.count = 1
    conn.send(b"request", stream, pool.loop.time())
    return conn, transport, pool


def split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({0, len(data), *(cut % (len(data) + 1) for cut in cuts)})
    return [data[a:b] for a, b in itertools.pairwise(points)]


@settings(max_examples=150, deadline=None)
@given(
    body=st.binary(max_size=3000),
    sizes=st.lists(st.integers(1, 700), max_size=6),
    cuts=st.lists(st.integers(0, 10_000), max_size=12),
    coding=st.sampled_from(["identity", "gzip"]),
    framing=st.sampled_from(["length", "chunked"]),
)
def test_any_split_of_a_valid_response_gives_the_same_body(body: bytes, sizes: list[int], cuts: list[int], coding: str, framing: str) -> None:
    payload = gzip.compress(body) if coding == "gzip" else body
    if framing == "length":
        wire = f"HTTP/1.1 200 OK\r\nContent-Encoding: {coding}\r\nContent-Length: {len(payload)}\r\n\r\n".encode() + payload
    else:
        parts, at = [], 0
        for size in [*sizes, len(payload)]:
            parts.append(payload[at : at + size])
            at += size
        wire = f"HTTP/1.1 200 OK\r\nContent-Encoding: {coding}\r\nTransfer-Encoding: chunked\r\n\r\n".encode() + chunked(*[p for p in parts if p])

    async def check() -> None:
        conn, transport, pool = await connection(stream=True)
        received = []
        for piece in split(wire, cuts):
            conn.data_received(piece)
            received += conn.take()
        assert conn.done and conn.error is None and conn.keep_alive and conn.status == 200
        assert b"".join(received) == body
        conn.finish()
        assert pool.idle == [conn] and not transport.aborted

    asyncio.run(check())


async def test_flow_control_pauses_reading_while_the_reader_lags() -> None:
    conn, transport, _ = await connection(stream=True)
    conn.data_received(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
    block = b"x" * 65536
    for _ in range(HIGH_WATER // len(block) + 1):
        conn.data_received(b"%x\r\n%s\r\n" % (len(block), block))
    assert transport.paused
    assert sum(map(len, conn.take())) > HIGH_WATER and not transport.paused
    conn.close()


async def test_unsolicited_bytes_on_an_idle_connection_close_it() -> None:
    conn, transport, pool = await connection(stream=False)
    conn.data_received(ok())
    conn.finish()
    assert pool.idle == [conn]
    conn.data_received(b"HTTP/1.1 408 Request Timeout\r\n\r\n")
    assert transport.aborted and pool.idle == [] and pool.count == 0


async def _until(condition: Callable[[], bool]) -> None:
    while not condition():
        await asyncio.sleep(0.005)
